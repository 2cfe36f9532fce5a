/**
 * Run the real built CLI (bin/run.js) as a child process, the way a user does.
 */
import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import path from 'node:path';

/** The project root (where package.json lives). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The kp executable under test. */
export const kpBin = path.join(projectRoot, 'bin', 'run.js');

/** What one kp run produced. */
export interface CliResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Options for one kp run. */
export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
  /** Called once the child is running, e.g. to send SIGINT at the right moment. */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

/** Run `kp ...args` to completion. */
export function runKp(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [kpBin, ...args], {
      cwd: options.cwd ?? projectRoot,
      env: {...process.env, NO_COLOR: '1', CI: 'true', ...options.env},
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({exitCode, signal, stdout, stderr, durationMs: Date.now() - started});
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    options.onSpawn?.(child);
  });
}
