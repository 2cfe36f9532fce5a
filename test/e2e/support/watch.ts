/**
 * Drive a `kp ha sync --watch` session from a test: the real CLI runs, the script acts on what its
 * stderr says (edit, stop a container, ...), and Ctrl-C ends it. stdout is the NDJSON of the rounds.
 */
import {runKp, type CliOptions, type CliResult} from '../../helpers/cli.js';

/** What a watch script can look at and wait for. */
export interface WatchControl {
  /** Everything the session wrote to stderr so far. */
  text(): string;
  /** How often `needle` appears in stderr so far. */
  count(needle: string): number;
  /** Wait until `predicate(stderr)` holds (throws with the stderr so far after `ms`). */
  waitFor(predicate: (text: string) => boolean, ms?: number): Promise<void>;
  /** Every complete NDJSON line on stdout so far, parsed. */
  lines(): Array<Record<string, any>>;
}

/** The session's result plus its rounds and summary, parsed from stdout. */
export interface WatchOutcome extends CliResult {
  rounds: Array<Record<string, any>>;
  summary: Record<string, any> | undefined;
  /** Any failure of the script itself (rethrown by the caller's assertions). */
  scriptError: unknown;
}

/** How long a watch may take to exit after Ctrl-C before the helper kills it and reports it. */
const SIGINT_GRACE_MS = 20_000;

/** Run `kp ha sync --watch --json ...args`; `script` acts on the session, then Ctrl-C ends it. */
export async function watchSession(
  args: readonly string[],
  options: Pick<CliOptions, 'cwd' | 'env'>,
  script: (watch: WatchControl) => Promise<void>,
): Promise<WatchOutcome> {
  const stderr: string[] = [];
  let stdout = '';
  let scriptError: unknown;
  let interruptedAt = 0;
  const control: WatchControl = {
    text: () => stderr.join(''),
    count: (needle) => stderr.join('').split(needle).length - 1,
    async waitFor(predicate, ms = 60_000) {
      const deadline = Date.now() + ms;
      while (!predicate(stderr.join(''))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(predicate)}; stderr so far:\n${stderr.join('')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    lines: () =>
      stdout
        .split('\n')
        .filter((line) => line.trim().startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, any>),
  };
  const result = await runKp(['ha', 'sync', '--watch', '--json', ...args], {
    ...options,
    timeoutMs: 200_000,
    onSpawn: (child) => {
      child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      void (async () => {
        try {
          await control.waitFor((text) => text.includes('Watching'));
          await script(control);
        } catch (error) {
          scriptError = error;
        } finally {
          interruptedAt = Date.now();
          child.kill('SIGINT');
          // A watch that ignores Ctrl-C is a defect to report with its stderr, not a silent test timeout.
          setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), SIGINT_GRACE_MS).unref();
        }
      })();
    },
  });
  const lines = result.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, any>);
  const summary = lines.at(-1)?.summary ? lines.at(-1) : undefined;
  const text = stderr.join('');
  if (result.signal === 'SIGKILL') {
    scriptError ??= new Error(
      interruptedAt ? `kp did not exit within ${SIGINT_GRACE_MS} ms of Ctrl-C; stderr:\n${text}` : `kp ran past 200 s; stderr:\n${text}`,
    );
  }
  return {...result, stderr: text, rounds: summary ? lines.slice(0, -1) : lines, summary, scriptError};
}
