/**
 * A real terminal for the terminal layer: the installed `kp` runs as the only process of a tmux pane
 * (a real pseudo-terminal: TERM=xterm-256color, 140x40, colour on, no CI variable), keys are typed
 * with send-keys, and the screen is read back with capture-pane as a person would see it. Each
 * Terminal has its own tmux server (its own socket), so tests never meet a user's tmux sessions.
 */
import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {testEnv} from '../../helpers/cli.js';

/** The size every terminal test runs at. */
export const COLUMNS = 140;
export const ROWS = 40;

/** Options of one terminal session. */
export interface TerminalOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Colour as a terminal user has it (default), or NO_COLOR=1. */
  noColor?: boolean;
}

/** Any colour or style escape (SGR) that capture-pane -e keeps. */
export const SGR = /\x1b\[[0-9;]*m/;
/** A spinner frame or listr2's pending mark: a progress line that never ended. */
export const UNFINISHED_LINE = /^\s*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏◼]/m;
/** A stack trace line, or a renderer's own error. */
export const CRASH = /\n\s+at \S+ \(|hijacked|ProcessOutput|TypeError|ReferenceError/;

const TMUX_CONF = [
  'set -g default-terminal "xterm-256color"',
  'set -g remain-on-exit on',
  'set -g history-limit 50000',
  'set -g status off',
  'set -g escape-time 0',
].join('\n');

/** One kp process in its own pseudo-terminal. */
export class Terminal {
  private readonly dir: string;
  private readonly socket: string;
  private readonly statusFile: string;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(options: TerminalOptions) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'kp-term-'));
    this.socket = path.join(this.dir, 'tmux.sock');
    this.statusFile = path.join(this.dir, 'exit-status');
    writeFileSync(path.join(this.dir, 'tmux.conf'), `${TMUX_CONF}\n`);
    const env: Record<string, string | undefined> = {...testEnv(options.env), TERM: 'xterm-256color', COLUMNS: undefined, LINES: undefined, TMUX: undefined};
    // A person at a terminal: no CI variable (it turns kp's spinners off), colour unless asked.
    delete env.CI;
    delete env.FORCE_COLOR;
    if (options.noColor) env.NO_COLOR = '1';
    else delete env.NO_COLOR;
    this.env = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  }

  /** Start `bin args...` in a new terminal; it runs until it exits, then its screen stays readable. */
  static start(bin: string, args: readonly string[], options: TerminalOptions = {}): Terminal {
    const terminal = new Terminal(options);
    // tmux 3.3 loses a pane's exit status when the pane's output closes before its process is reaped,
    // so a shell around kp keeps it. `trap : INT` only defers the shell's own Ctrl-C until kp has
    // exited (a trapped signal waits for the foreground command); kp gets the key as usual.
    const keepStatus = 'trap : INT; "$@"; echo "$?" > "$0"';
    terminal.tmux(
      '-f',
      path.join(terminal.dir, 'tmux.conf'),
      'new-session',
      '-d',
      '-s',
      'kp',
      '-x',
      String(COLUMNS),
      '-y',
      String(ROWS),
      '-c',
      options.cwd ?? terminal.dir,
      '--',
      '/bin/sh',
      '-c',
      keepStatus,
      terminal.statusFile,
      bin,
      ...args,
    );
    return terminal;
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], {env: this.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
  }

  /** Everything the terminal showed, scrollback included, wrapped lines joined, trailing blanks dropped. */
  text(): string {
    return withoutTmuxNote(this.tmux('capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', 'kp'));
  }

  /** The visible screen (ROWS lines) as it is now, as a person sees it; `joined`: lines the terminal wrapped are one again. */
  screen(options: {joined?: boolean} = {}): string {
    return withoutTmuxNote(this.tmux('capture-pane', '-p', ...(options.joined ? ['-J'] : []), '-t', 'kp'));
  }

  /** The whole text with its colour escapes. */
  ansi(): string {
    return this.tmux('capture-pane', '-p', '-e', '-J', '-S', '-', '-E', '-', '-t', 'kp');
  }

  /** Type keys (tmux key names: `C-c`, `Enter`, or literal text). */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'kp', ...keys);
  }

  /** The exit code once kp has exited (undefined while it runs). */
  exitCode(): number | undefined {
    if (!existsSync(this.statusFile)) return undefined;
    const status = readFileSync(this.statusFile, 'utf8').trim();
    return status === '' ? undefined : Number(status);
  }

  /** Wait until the text matches `pattern`; fails with the screen when it does not within `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.text())) {
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern} within ${timeoutMs / 1000}s; it shows:\n${this.text()}`);
      if (this.exitCode() !== undefined && !pattern.test(this.text()))
        throw new Error(`kp exited (${this.exitCode()}) without showing ${pattern}; the terminal shows:\n${this.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Wait for kp to exit and return its exit code; fails with the screen when it runs past `timeoutMs`. */
  async exited(timeoutMs = 180_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const code = this.exitCode();
      if (code !== undefined) return code;
      if (Date.now() > deadline) throw new Error(`kp still runs after ${timeoutMs / 1000}s; the terminal shows:\n${this.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Stop the terminal's tmux server (and anything still running in it) and remove its files. */
  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(this.dir, {recursive: true, force: true});
  }
}

/** The captured text without tmux's own "Pane is dead" line, trailing blanks dropped. */
function withoutTmuxNote(captured: string): string {
  return captured
    .split('\n')
    .filter((line) => !/^Pane is dead \(/.test(line))
    .join('\n')
    .replace(/\s+$/, '');
}

/** The lines of `text` that are listr2 task lines (✔/✖/↓ marks), each as it ended. */
export function taskLines(text: string): string[] {
  return text.split('\n').filter((line) => /^\s*[✔✖↓]\s/.test(line));
}

/**
 * Keep a final screen for the docs when asked (KP_WRITE_SCREENS=<dir>): docs/screens/ holds the
 * screens docs/what-it-looks-like.md shows, taken from these tests rather than typed by hand. `names` maps the run's
 * own names (temp dirs, project) to what a user would see (`~/.config`, `kamerplanter`).
 */
export function writeScreen(name: string, terminal: Terminal, names: ReadonlyArray<readonly [string, string]> = []): void {
  const dir = process.env.KP_WRITE_SCREENS;
  if (!dir) return;
  mkdirSync(dir, {recursive: true});
  const screen = names.reduce((text, [from, to]) => text.split(from).join(to), terminal.screen({joined: true}));
  writeFileSync(path.join(dir, `${name}.txt`), `${screen}\n`);
}
