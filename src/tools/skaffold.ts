/**
 * Adapter for Skaffold v2. `skaffold version` prints `v2.16.1`; v1 cannot read the v4beta
 * schemas. Every verb carries `--kube-context` so Skaffold never follows the current context.
 */
import type {Runner, RunResult} from './runner.js';
import {readToolVersion} from './version.js';

/** The oldest Skaffold kp supports (v2 reads skaffold/v4beta13 and v4beta14). */
export const SKAFFOLD_MIN_VERSION = '2.10.0';

/** Parse `skaffold version` (`v2.16.1`) into `2.16.1`. */
export function parseSkaffoldVersion(stdout: string): string | undefined {
  return /^v?(\d+\.\d+\.\d+)/.exec(stdout.trim())?.[1];
}

/** What every Skaffold verb needs: the file, the context and the selection. */
export interface SkaffoldTarget {
  /** The skaffold.yaml to use (passed as --filename). */
  file: string;
  /** The workspace root: Skaffold resolves the root config's relative paths from its cwd. */
  cwd: string;
  kubeContext: string;
  profiles: readonly string[];
  modules: readonly string[];
  /** Arguments given after `--`, passed to Skaffold unchanged (last, so they win). */
  extraArgs?: readonly string[];
}

/** The foreground loop: `dev`, or `debug` (dev with debugging; activates profiles declaring `activation: [{command: debug}]`). */
export type SkaffoldLoop = 'dev' | 'debug';

/** Options of the foreground dev loop. */
export interface SkaffoldDevOptions {
  autoBuild: boolean;
  autoDeploy: boolean;
  /** Hand the terminal to Skaffold (stdout + stdin); otherwise its output goes to stderr. */
  inheritTerminal: boolean;
}

/** The selection flags shared by every verb (after the verb). */
export function targetArgs(target: SkaffoldTarget): string[] {
  const args = ['--kube-context', target.kubeContext, '--filename', target.file];
  if (target.profiles.length > 0) args.push('--profile', target.profiles.join(','));
  if (target.modules.length > 0) args.push('--module', target.modules.join(','));
  return args;
}

/** The argv of `skaffold run` (deploy once). */
export function runArgs(target: SkaffoldTarget): string[] {
  return ['run', ...targetArgs(target), ...(target.extraArgs ?? [])];
}

/**
 * The argv of the foreground loop. Port-forwards: the user-defined ones (as the upstream wrapper
 * gets by default), plus the debugger ports for `debug` (debugpy 5678). Skaffold's own
 * `--port-forward` without a value would also forward every service.
 */
export function loopArgs(loop: SkaffoldLoop, target: SkaffoldTarget, options: Omit<SkaffoldDevOptions, 'inheritTerminal'>): string[] {
  const args = [loop, ...targetArgs(target), `--port-forward=${loop === 'debug' ? 'user,debug' : 'user'}`];
  // Sync stays on; rebuild/redeploy wait for the user, like the upstream wrapper.
  args.push(`--auto-build=${options.autoBuild}`, `--auto-deploy=${options.autoDeploy}`);
  return [...args, ...(target.extraArgs ?? [])];
}

/** The argv of Skaffold's own validation of the selected configs (no cluster, no build). */
export function diagnoseArgs(target: Omit<SkaffoldTarget, 'kubeContext'>): string[] {
  const args = ['diagnose', '--yaml-only', '--filename', target.file];
  if (target.profiles.length > 0) args.push('--profile', target.profiles.join(','));
  if (target.modules.length > 0) args.push('--module', target.modules.join(','));
  return args;
}

/** Skaffold CLI. */
export class Skaffold {
  constructor(
    private readonly runner: Runner,
    readonly bin = 'skaffold',
  ) {}

  /** Installed version (`2.16.1`), undefined when not on PATH. */
  static version(runner: Runner, bin = 'skaffold'): Promise<string | undefined> {
    return readToolVersion(runner, bin, ['version'], parseSkaffoldVersion);
  }

  /** `skaffold diagnose --yaml-only`: the configs as Skaffold reads them; a non-zero exit is returned, not thrown. */
  diagnose(target: Omit<SkaffoldTarget, 'kubeContext'>): Promise<RunResult> {
    return this.runner.run(this.bin, diagnoseArgs(target), {cwd: target.cwd, allowFailure: true, timeoutMs: 60_000});
  }

  /** `skaffold run`: build and deploy once, then return (progress on stderr). */
  run(target: SkaffoldTarget): Promise<RunResult> {
    return this.runner.run(this.bin, runArgs(target), {
      mutating: true,
      output: 'stderr',
      cwd: target.cwd,
      hint: 'Skaffold printed the reason above; `kp dev status` shows what is running.',
    });
  }

  /** The foreground loop: Ctrl-C goes to Skaffold, which cleans up; its exit code is returned. */
  async loop(loop: SkaffoldLoop, target: SkaffoldTarget, options: SkaffoldDevOptions): Promise<number> {
    const result = await this.runner.run(this.bin, loopArgs(loop, target, options), {
      mutating: true,
      foreground: true,
      allowFailure: true,
      output: options.inheritTerminal ? 'inherit' : 'stderr',
      cwd: target.cwd,
    });
    return result.exitCode;
  }
}
