/**
 * Run the real built CLI (bin/run.cjs) as a child process, the way a user does. A run with `--json`
 * must keep kp's JSON contract: its stdout is validated against schemas/ (test/helpers/json-contract.ts).
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {fileURLToPath} from 'node:url';
import path from 'node:path';
import {assertJsonContract} from './json-contract.js';

/** The project root (where package.json lives). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The kp executable under test. */
export const kpBin = path.join(projectRoot, 'bin', 'run.cjs');

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

/** The Compose project kp acts on when none is named: a user's own stack. */
const USER_PROJECT = 'kamerplanter';

/**
 * Refuse a test's `kp compose start|stop|down` on the user's project (named, or left to the
 * default): tests name a project of their own (the e2e sentinel proves none slipped through).
 */
function refuseUserProject(args: readonly string[], env: Record<string, string | undefined>): void {
  const [topic, command] = args;
  if (topic !== 'compose' || !['start', 'stop', 'down'].includes(command ?? '')) return;
  const index = args.indexOf('--project-name');
  const inline = args.find((a) => a.startsWith('--project-name='));
  const project = index >= 0 ? args[index + 1] : (inline?.slice('--project-name='.length) ?? env.KP_COMPOSE_PROJECT);
  if (!project || project === USER_PROJECT) {
    throw new Error(
      `A test ran \`kp ${args.join(' ')}\` on the Compose project "${USER_PROJECT}", a user's stack: pass a project of the test's own (KP_COMPOSE_PROJECT or --project-name).`,
    );
  }
}

/** Variables from the developer's shell that would steer kp under test (their stack, cluster, engine context). */
const STEERING =
  /^(KP_|XDG_|COMPOSE_|KUBECONFIG$|DOCKER_CONTEXT$|DOCKER_CONFIG$|HOST_BIND_ADDRESS$|KAMERPLANTER_VERSION$)|_HOST_PORT$|_IMAGE$|_IMAGE_REPOSITORY$/;

let isolatedHome: string | undefined;
/** One throwaway HOME (and XDG dirs, kubeconfig) per test process, removed when it exits. */
function isolatedDefaults(): Record<string, string> {
  if (!isolatedHome) {
    isolatedHome = mkdtempSync(path.join(tmpdir(), 'kp-test-home-'));
    const home = isolatedHome;
    process.once('exit', () => rmSync(home, {recursive: true, force: true}));
  }
  return {
    HOME: isolatedHome,
    XDG_CONFIG_HOME: path.join(isolatedHome, '.config'),
    XDG_STATE_HOME: path.join(isolatedHome, '.local', 'state'),
    XDG_CACHE_HOME: path.join(isolatedHome, '.cache'),
    KUBECONFIG: path.join(isolatedHome, '.kube', 'config'),
  };
}

/**
 * For a test that spawns kp (or npm) itself: this process's environment with HOME and every XDG dir
 * under `home`, so the run touches nothing of the developer's, plus the test's own values.
 */
export function homeEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_STATE_HOME: path.join(home, 'state'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    NO_COLOR: '1',
    ...extra,
  };
}

/**
 * The environment of a kp run under test: the developer's shell without what would steer kp at their
 * own stack, cluster or files, a throwaway HOME/XDG/KUBECONFIG, then the test's own values.
 */
export function testEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !STEERING.test(key)));
  return {...base, ...isolatedDefaults(), NO_COLOR: '1', CI: 'true', ...extra};
}

/** Run `kp ...args` to completion; with `--json`, a stdout that breaks its schema fails the test. */
export function runKp(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const started = Date.now();
  const env = testEnv(options.env);
  refuseUserProject(args, env);
  return new Promise((resolve, reject) => {
    // `--` as bin/kp.cjs passes it: Node reads none of kp's arguments (`--env-file` among them).
    const child = spawn(process.execPath, ['--', kpBin, ...args], {
      cwd: options.cwd ?? projectRoot,
      env,
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
      const result = {exitCode, signal, stdout, stderr, durationMs: Date.now() - started};
      try {
        assertJsonContract(args, result);
      } catch (error) {
        reject(error as Error);
        return;
      }
      resolve(result);
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    options.onSpawn?.(child);
  });
}
