/**
 * The only module that starts processes. Everything external goes through `Runner.run`,
 * which gives every call the same dry-run, verbose echo (secrets redacted), cancellation
 * and error behaviour. Commands are argument arrays, never shell strings.
 */
import {appendFileSync} from 'node:fs';
import {execa, type ResultPromise} from 'execa';
import {fail, InterruptedError, ToolError} from '../core/errors.js';
import {interruption} from '../core/interruption.js';

/** How one external command is run. */
export interface RunOptions {
  /** The command changes state: under --dry-run it is printed and not run. */
  mutating?: boolean;
  /** Bytes or text written to the command's stdin. */
  input?: string | Uint8Array;
  /** Extra environment for the child (merged over kp's own). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill the command after this many milliseconds (it then fails with a timeout error). */
  timeoutMs?: number;
  /** Return non-zero exits as results instead of throwing. */
  allowFailure?: boolean;
  /**
   * Abort this one call (its child is stopped like on Ctrl-C): for a read-only probe started ahead
   * of work that may still fail, so a failure does not leave kp waiting for the probe.
   */
  signal?: AbortSignal;
  /**
   * Where the child's output goes: `capture` (default) keeps it for parsing, `stderr` streams both
   * streams to kp's stderr (progress), `inherit` hands the terminal to the child.
   */
  output?: 'capture' | 'stderr' | 'inherit';
  /**
   * A foreground child (skaffold dev) owns Ctrl-C: kp forwards SIGINT once, waits for it to clean
   * up, and returns its exit code instead of killing it.
   */
  foreground?: boolean;
  /** Values to redact from the verbose echo in addition to the registered secrets. */
  secrets?: string[];
  /** A hint attached to the ToolError when the command fails. */
  hint?: string;
}

/** What a finished command returned. */
export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when --dry-run skipped the command. */
  skipped: boolean;
}

/** Settings shared by every command a kp invocation runs. */
export interface RunnerSettings {
  dryRun: boolean;
  verbose: boolean;
  /** Progress sink (stderr). */
  log: (line: string) => void;
}

const registeredSecrets = new Set<string>();

/** Remember a secret value so no echo or error message ever shows it. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) registeredSecrets.add(value);
}

const SECRET_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*(?:PASSWORD|SECRET|TOKEN|_KEY|APIKEY)[A-Za-z0-9_]*)=(.+)$/i;
const SECRET_FLAG = /^(--?[a-z0-9-]*(?:password|secret|token)[a-z0-9-]*=)(.+)$/i;

/** Replace secret values in one argument with `***`. */
export function redactArg(arg: string, extra: readonly string[] = []): string {
  const assignment = SECRET_ASSIGNMENT.exec(arg);
  if (assignment) return `${assignment[1]}=***`;
  const flag = SECRET_FLAG.exec(arg);
  if (flag) return `${flag[1]}***`;
  let out = arg;
  for (const secret of [...registeredSecrets, ...extra]) {
    if (secret && out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

/** Render a command line for humans: quoted where needed, secrets redacted. */
export function formatCommand(command: string, args: readonly string[], extra: readonly string[] = []): string {
  const parts = [command, ...args].map((part) => redactArg(part, extra));
  const redactedFlagValue = (index: number) => index > 0 && /^--?[a-z-]*(password|secret|token)$/i.test(parts[index - 1] ?? '');
  return parts
    .map((part, index) => (redactedFlagValue(index) ? '***' : part))
    .map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

/** Runs external commands with kp's dry-run, echo, redaction and cancellation rules. */
export class Runner {
  /** How many processes this runner started (benchmarks and tests read it). */
  spawnCount = 0;

  constructor(readonly settings: RunnerSettings) {}

  /** Run one command to completion. Throws ToolError on failure unless `allowFailure`. */
  async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const display = formatCommand(command, args, options.secrets);
    if (options.mutating && this.settings.dryRun) {
      this.settings.log(`[dry-run] ${display}`);
      return {exitCode: 0, stdout: '', stderr: '', skipped: true};
    }
    if (interruption.signal.aborted) throw new InterruptedError();
    if (this.settings.verbose) this.settings.log(`$ ${display}`);
    this.recordSpawn(command, args, options.secrets);

    const output = options.output ?? 'capture';
    let child: ResultPromise;
    try {
      child = execa(command, [...args], {
        input: options.input,
        env: options.env,
        cwd: options.cwd,
        reject: false,
        stripFinalNewline: false,
        timeout: options.timeoutMs,
        stdin: options.input === undefined ? (output === 'inherit' ? 'inherit' : 'ignore') : undefined,
        stdout: output === 'inherit' ? 'inherit' : output === 'stderr' ? ['pipe', process.stderr] : 'pipe',
        stderr: output === 'inherit' ? 'inherit' : output === 'stderr' ? ['pipe', process.stderr] : 'pipe',
        buffer: output !== 'inherit',
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        ...(options.foreground
          ? {}
          : {
              cancelSignal: options.signal ? AbortSignal.any([interruption.signal, options.signal]) : interruption.signal,
              killSignal: 'SIGTERM' as const,
              forceKillAfterDelay: 5000,
            }),
      });
    } catch (error) {
      throw new ToolError(display, undefined, String(error), options.hint);
    }

    let forwarded = false;
    const forward = () => {
      // In a terminal the child already got Ctrl-C from the shell's process group; only forward
      // when kp alone was signalled (no TTY), so Skaffold sees exactly one SIGINT and cleans up.
      if (!forwarded && !process.stdin.isTTY) child.kill('SIGINT');
      forwarded = true;
    };
    if (options.foreground) {
      interruption.signal.addEventListener('abort', forward);
      interruption.setForeground(command);
    }
    const result = await child;
    if (options.foreground) {
      interruption.signal.removeEventListener('abort', forward);
      interruption.setForeground(undefined);
    }

    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    const stderr = typeof result.stderr === 'string' ? result.stderr : '';

    if (result.isCanceled || (interruption.signal.aborted && !options.foreground)) throw new InterruptedError();
    if (result.failed && result.exitCode === undefined && result.timedOut) {
      throw fail.timeout(`${display} did not finish within ${Math.round((options.timeoutMs ?? 0) / 1000)}s`, options.hint);
    }
    if (result.failed && result.exitCode === undefined) {
      const reason = (result as {code?: string}).code === 'ENOENT' ? `${command}: command not found` : (result.message ?? 'could not start');
      throw new ToolError(display, undefined, reason, options.hint);
    }
    const exitCode = result.exitCode ?? 0;
    if (exitCode !== 0 && !options.allowFailure) {
      throw new ToolError(display, exitCode, stderr || stdout, options.hint);
    }
    return {exitCode, stdout, stderr, skipped: false};
  }

  /**
   * Follow a long-running read-only stream (`docker events`, `kubectl get --watch`): `onLine` gets
   * every stdout line as it comes. Ends when the child exits (resolving with its exit code and the
   * tail of its stderr), when `signal` aborts, or on Ctrl-C (then it resolves, never throws: a
   * follower is a helper of a workflow that handles the interruption itself).
   */
  async follow(
    command: string,
    args: readonly string[],
    onLine: (line: string) => void,
    options: {signal?: AbortSignal} = {},
  ): Promise<{exitCode: number | undefined; stderr: string}> {
    const display = formatCommand(command, args);
    if (interruption.signal.aborted || options.signal?.aborted) return {exitCode: undefined, stderr: ''};
    if (this.settings.verbose) this.settings.log(`$ ${display} (following)`);
    this.recordSpawn(command, args);
    const child = execa(command, [...args], {
      reject: false,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: {stdout: false, stderr: true},
      encoding: 'utf8',
      maxBuffer: 1024 * 1024,
      cancelSignal: options.signal ? AbortSignal.any([interruption.signal, options.signal]) : interruption.signal,
      killSignal: 'SIGTERM',
      forceKillAfterDelay: 2000,
    });
    let pending = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.trim()) onLine(line);
        newline = pending.indexOf('\n');
      }
    });
    const result = await child;
    const stderr = typeof result.stderr === 'string' ? result.stderr : '';
    return {exitCode: result.exitCode, stderr: stderr.trim().split('\n').slice(-3).join(' ')};
  }

  private recordSpawn(command: string, args: readonly string[], secrets?: readonly string[]): void {
    this.spawnCount += 1;
    const logFile = process.env.KP_SPAWN_LOG;
    if (logFile) {
      // `at` (epoch ms, sub-ms precision) lets the bench measure a command's time to its first spawn.
      const at = performance.timeOrigin + performance.now();
      appendFileSync(logFile, `${JSON.stringify({command, args: args.map((a) => redactArg(a, secrets ?? [])), at})}\n`);
    }
  }
}
