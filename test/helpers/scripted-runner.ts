/**
 * A Runner whose processes are a script: in-process workflow tests (the way ctlptl tests its
 * controller with a fake command runner). Every call is recorded; `--dry-run` is honoured exactly
 * like the real Runner (a mutating call is recorded as skipped and the script is not consulted);
 * a non-zero exit throws the same ToolError unless `allowFailure`; a call the script does not
 * answer fails the test loudly.
 *
 * `useSandbox()` gives each test isolated XDG dirs, HOME and KUBECONFIG (removed afterwards), builds
 * KpContexts around scripted runners, and fails the test if any of them met an unscripted call
 * (even one the workflow caught and swallowed).
 */
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {Chalk} from 'chalk';
import {afterEach, beforeEach} from 'vitest';
import {ToolError} from '../../src/core/errors.js';
import {formatCommand, Runner, type RunOptions, type RunResult} from '../../src/tools/runner.js';
import type {Output} from '../../src/ui/output.js';
import type {KpContext} from '../../src/workflows/context.js';

/** What a scripted process answers. */
export interface ScriptedReply {
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  /** The binary is not on PATH: the runner throws its "command not found" ToolError. */
  notFound?: boolean;
}

/** Which calls a rule answers: `[command, ...argPrefix]`, or a predicate. */
export type CallMatcher = readonly [string, ...string[]] | ((command: string, args: readonly string[]) => boolean);

/** One rule of a script. Rules are tried in order; the first matching one that is not used up answers. */
export interface ScriptRule {
  match: CallMatcher;
  reply: ScriptedReply | ((command: string, args: readonly string[], options: RunOptions) => ScriptedReply | Promise<ScriptedReply>);
  /** Answer at most this many calls (then later rules get their turn). Unlimited when unset. */
  times?: number;
}

/** One call the workflow made. */
export interface RecordedCall {
  command: string;
  args: string[];
  mutating: boolean;
  /** True when --dry-run skipped it (the script was not consulted). */
  skipped: boolean;
  options: RunOptions;
}

/** Does `matcher` select this call? */
export function matches(matcher: CallMatcher, command: string, args: readonly string[]): boolean {
  if (typeof matcher === 'function') return matcher(command, args);
  const [wantedCommand, ...prefix] = matcher;
  return command === wantedCommand && prefix.every((arg, index) => args[index] === arg);
}

/** A Runner answering from a script instead of starting processes. */
export class ScriptedRunner extends Runner {
  readonly calls: RecordedCall[] = [];
  /** Calls no rule answered (each also threw). */
  readonly unscripted: string[] = [];
  private readonly rules: Array<ScriptRule & {used: number}>;

  constructor(script: readonly ScriptRule[], settings: {dryRun?: boolean; log?: (line: string) => void} = {}) {
    super({dryRun: settings.dryRun ?? false, verbose: false, log: settings.log ?? (() => {})});
    this.rules = script.map((rule) => ({...rule, used: 0}));
  }

  /** Add rules after construction (e.g. once a test knows a port). */
  script(...rules: ScriptRule[]): this {
    this.rules.push(...rules.map((rule) => ({...rule, used: 0})));
    return this;
  }

  override async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const display = formatCommand(command, args, options.secrets);
    const call: RecordedCall = {command, args: [...args], mutating: Boolean(options.mutating), skipped: false, options};
    if (options.mutating && this.settings.dryRun) {
      this.settings.log(`[dry-run] ${display}`);
      this.calls.push({...call, skipped: true});
      return {exitCode: 0, stdout: '', stderr: '', skipped: true};
    }
    this.calls.push(call);
    this.spawnCount += 1;
    const rule = this.rules.find((r) => (r.times === undefined || r.used < r.times) && matches(r.match, command, args));
    if (!rule) {
      const message = `ScriptedRunner: unscripted call: ${display}`;
      this.unscripted.push(message);
      throw new Error(message);
    }
    rule.used += 1;
    const reply = typeof rule.reply === 'function' ? await rule.reply(command, args, options) : rule.reply;
    if (reply.notFound) throw new ToolError(display, undefined, `${command}: command not found`, options.hint);
    const result = {exitCode: reply.exitCode ?? 0, stdout: reply.stdout ?? '', stderr: reply.stderr ?? '', skipped: false};
    if (result.exitCode !== 0 && !options.allowFailure) {
      throw new ToolError(display, result.exitCode, result.stderr || result.stdout, options.hint);
    }
    return result;
  }

  /** Every call as one line (`docker ps -a ...`), skipped ones prefixed with `[dry-run] `. */
  lines(): string[] {
    return this.calls.map((c) => `${c.skipped ? '[dry-run] ' : ''}${[c.command, ...c.args].join(' ')}`);
  }

  /** The calls whose command (and argument prefix) match. */
  callsTo(...matcher: [string, ...string[]]): RecordedCall[] {
    return this.calls.filter((c) => matches(matcher, c.command, c.args));
  }

  /** The calls that would change state (run or skipped). */
  mutatingCalls(): RecordedCall[] {
    return this.calls.filter((c) => c.mutating);
  }
}

/** An Output that prints nothing and keeps every line, for assertions on what the user was told. */
export interface RecordingOutput extends Output {
  readonly lines: Array<{kind: 'info' | 'warn' | 'step' | 'success' | 'result'; text: string}>;
  text(): string;
}

/** Create a silent, recording Output (no colour, not interactive, JSON mode). */
export function recordingOutput(): RecordingOutput {
  const lines: RecordingOutput['lines'] = [];
  const push = (kind: RecordingOutput['lines'][number]['kind']) => (text: string) => void lines.push({kind, text});
  return {
    color: new Chalk({level: 0}),
    resultColor: new Chalk({level: 0}),
    json: true,
    verbose: false,
    interactive: false,
    info: push('info'),
    warn: push('warn'),
    step: push('step'),
    success: push('success'),
    result: push('result'),
    lines,
    text: () => lines.map((l) => l.text).join('\n'),
  };
}

/** A KpContext around a scripted runner, with a silent recording output. */
export function scriptedContext(
  script: readonly ScriptRule[] = [],
  options: {dryRun?: boolean} = {},
): {ctx: KpContext & {out: RecordingOutput}; runner: ScriptedRunner} {
  const dryRun = options.dryRun ?? false;
  const out = recordingOutput();
  const runner = new ScriptedRunner(script, {dryRun, log: (line) => out.info(line)});
  return {ctx: {runner, out, dryRun, json: true, verbose: false}, runner};
}

/** The per-test sandbox: temp dirs behind every path kp reads from the environment. */
export interface Sandbox {
  /** The temp root (removed after the test). */
  readonly root: string;
  readonly home: string;
  readonly configHome: string;
  readonly stateHome: string;
  readonly cacheHome: string;
  /** The KUBECONFIG file path (not created: write it when a test needs one). */
  readonly kubeconfig: string;
  /** A fresh directory inside the sandbox. */
  dir(name: string): string;
  /** A KpContext around a scripted runner; the sandbox checks it met no unscripted call. */
  context(script?: readonly ScriptRule[], options?: {dryRun?: boolean}): ReturnType<typeof scriptedContext>;
}

/**
 * Register beforeEach/afterEach hooks giving every test of the enclosing suite isolated
 * XDG_CONFIG_HOME / XDG_STATE_HOME / XDG_CACHE_HOME / HOME / KUBECONFIG (and CI=true: no prompts),
 * with kp's other environment inputs cleared. The environment is restored and the temp dirs removed
 * afterwards; a scripted runner that met an unscripted call fails the test.
 */
export function useSandbox(options: {env?: Record<string, string | undefined>} = {}): Sandbox {
  let saved: NodeJS.ProcessEnv = {};
  let root = '';
  let runners: ScriptedRunner[] = [];
  const sandbox: Sandbox = {
    get root() {
      return root;
    },
    get home() {
      return path.join(root, 'home');
    },
    get configHome() {
      return path.join(root, 'config');
    },
    get stateHome() {
      return path.join(root, 'state');
    },
    get cacheHome() {
      return path.join(root, 'cache');
    },
    get kubeconfig() {
      return path.join(root, 'kube', 'config');
    },
    dir(name) {
      const dir = path.join(root, 'dirs', name);
      mkdirSync(dir, {recursive: true});
      return dir;
    },
    context(script = [], contextOptions = {}) {
      const made = scriptedContext(script, contextOptions);
      runners.push(made.runner);
      return made;
    },
  };

  beforeEach(() => {
    saved = {...process.env};
    root = mkdtempSync(path.join(tmpdir(), 'kp-unit-'));
    for (const dir of [sandbox.home, sandbox.configHome, sandbox.stateHome, sandbox.cacheHome, path.dirname(sandbox.kubeconfig)]) {
      mkdirSync(dir, {recursive: true});
    }
    // Nothing from the developer's shell may steer a workflow under test.
    for (const key of Object.keys(process.env)) {
      if (/^(KP_|DOCKER_|COMPOSE_|XDG_)|_HOST_PORT$|_IMAGE$|_IMAGE_REPOSITORY$|^(HOST_BIND_ADDRESS|KAMERPLANTER_VERSION|KUBECONFIG)$/.test(key)) {
        delete process.env[key];
      }
    }
    Object.assign(process.env, {
      HOME: sandbox.home,
      XDG_CONFIG_HOME: sandbox.configHome,
      XDG_STATE_HOME: sandbox.stateHome,
      XDG_CACHE_HOME: sandbox.cacheHome,
      KUBECONFIG: sandbox.kubeconfig,
      CI: 'true',
    });
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    rmSync(root, {recursive: true, force: true});
    const unscripted = runners.flatMap((r) => r.unscripted);
    runners = [];
    if (unscripted.length > 0) throw new Error(`The workflow made calls the test did not script:\n  ${unscripted.join('\n  ')}`);
  });

  return sandbox;
}
