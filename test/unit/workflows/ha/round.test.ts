/**
 * One `kp ha sync` round in-process, against a fake HaTarget whose exec goes through a scripted
 * runner (so --dry-run and the process count behave as with a real target). The listing it
 * returns is LIST_SCRIPT's output format, parsed by parseListing.
 */
import {createHash} from 'node:crypto';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ExitCode} from '../../../../src/core/errors.js';
import type {RunResult} from '../../../../src/tools/runner.js';
import {APPLY_SCRIPT, expectedListingDigest, LIST_SCRIPT, UNLOCK_SCRIPT} from '../../../../src/workflows/ha/remote.js';
import {runSyncRound, type HaSyncOptions} from '../../../../src/workflows/ha/round.js';
import {execRefusedWhileRestarting, type HaTarget, type TargetState, type VolumeInfo} from '../../../../src/workflows/ha/targets/target.js';
import {projectRoot} from '../../../helpers/cli.js';
import {startFakeHaApi} from '../../../fakes/ha-api.js';
import {writeCredentials} from '../../../../src/config/ha-credentials.js';
import {useSandbox, type ScriptedRunner, type ScriptRule} from '../../../helpers/scripted-runner.js';

const sandbox = useSandbox();

const LOCAL_FILES: Record<string, string> = {
  'manifest.json': '{"domain": "kamerplanter", "version": "0.4.1"}\n',
  'sensor.py': 'def setup():\n    return True\n',
  'helpers/care.py': 'WATER = 1\n',
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The component checkout: custom_components/kamerplanter/ with LOCAL_FILES. */
function component(): string {
  const cwd = sandbox.dir('checkout');
  for (const [file, content] of Object.entries(LOCAL_FILES)) {
    const full = path.join(cwd, 'custom_components', 'kamerplanter', file);
    mkdirSync(path.dirname(full), {recursive: true});
    writeFileSync(full, content);
  }
  return cwd;
}

/** What LIST_SCRIPT prints for an installed component with these files (busybox, sha256sum). */
function listing(remote: Record<string, string>): string {
  return [
    'KP_SH ok',
    'KP_LOCK acquired',
    ...['tar', 'find', 'cp', 'mv'].map((tool) => `KP_TOOL ${tool} yes`),
    'KP_HASH sha256',
    'KP_DIR present',
    'KP_PYCACHE 1',
    'KP_MANIFEST_BEGIN',
    remote['manifest.json'] ?? '{}',
    '',
    'KP_MANIFEST_END',
    'KP_FILES_BEGIN',
    ...Object.entries(remote).map(([file, content]) => `${sha256(content)}  ./${file}`),
    'KP_FILES_END',
    '',
  ].join('\n');
}

/** A container target whose exec runs `docker exec [-i] ha ...` through the scripted runner. */
class FakeTarget implements HaTarget {
  readonly kind = 'container' as const;
  readonly label = 'container ha';
  readonly needsOutsideRestart = false;
  readonly credentialsKey = 'unit-fake-ha';
  restarted = false;
  outsideRestarts = 0;

  constructor(
    private readonly runner: ScriptedRunner,
    private readonly volume: VolumeInfo,
  ) {}

  describe(): Record<string, string> {
    return {kind: 'container', container: 'ha'};
  }
  /** HA's API (a fake server), or none: then no config-entry verdict is possible. */
  endpoint: string | undefined;
  async apiEndpoint(): Promise<{url: string} | {unreachable: string}> {
    return this.endpoint ? {url: this.endpoint} : {unreachable: 'no HTTP in unit tests'};
  }
  private current(): TargetState {
    return this.restarted
      ? {running: true, ready: true, restartCount: 1, startedAt: new Date().toISOString(), instance: 'ha-id', status: 'running'}
      : {running: true, ready: true, restartCount: 0, startedAt: '2026-03-04T10:00:00.000Z', instance: 'ha-id', status: 'running'};
  }
  async preflight(): Promise<{state: TargetState; volume: VolumeInfo}> {
    return {state: this.current(), volume: this.volume};
  }
  async state(): Promise<TargetState> {
    return this.current();
  }
  async isReady(state: TargetState): Promise<boolean> {
    return state.running;
  }
  async logsSince(): Promise<string> {
    return readFileSync(path.join(projectRoot, 'test/fixtures/ha/logs/loaded.log'), 'utf8');
  }
  exec(command: readonly string[], options: {input?: Uint8Array; mutating?: boolean} = {}): Promise<RunResult> {
    const args = ['exec', ...(options.input ? ['-i'] : []), 'ha', ...command];
    return this.runner.run('docker', args, {input: options.input, mutating: options.mutating, allowFailure: true});
  }
  isRestarting(error: unknown): boolean {
    return execRefusedWhileRestarting(error);
  }
  async restartFromOutside(): Promise<void> {
    this.outsideRestarts += 1;
  }
  outsideRestartWarning(): string | undefined {
    return undefined;
  }
}

const onVolume: VolumeInfo = {mountPoint: '/config', description: 'volume ha-config', survivesRecreate: true};
const onEmptyDir: VolumeInfo = {mountPoint: '/config', description: 'emptyDir config', survivesRecreate: false};
const isList = (_: string, args: readonly string[]) => args[0] === 'exec' && args.includes(LIST_SCRIPT);
const isApply = (_: string, args: readonly string[]) => args[0] === 'exec' && args.includes(APPLY_SCRIPT);
const isUnlock = (_: string, args: readonly string[]) => args[0] === 'exec' && args.includes(UNLOCK_SCRIPT);
/** The listing exec (which takes the target's lock) and the unlock exec. */
const listed = (remote: Record<string, string>): ScriptRule => ({
  match: (command, args) => isList(command, args) || isUnlock(command, args),
  reply: (_command, args) => ({stdout: args.includes(UNLOCK_SCRIPT) ? 'KP_UNLOCKED\n' : listing(remote)}),
});
const syncOptions = (cwd: string, over: Partial<HaSyncOptions> = {}): HaSyncOptions => ({
  cwd,
  source: undefined,
  configDir: '/config',
  restart: 'kill',
  force: false,
  timeoutMs: 5_000,
  settleMs: 0,
  pollMs: 5,
  lockTimeoutMs: 1_000,
  ...over,
});
/** The target holds an older sensor.py and a file deleted locally since. */
const outdated = {...LOCAL_FILES, 'sensor.py': 'def setup():\n    return False\n', 'old.py': 'x = 1\n'};

describe('ha sync round', () => {
  it('Given the target holds exactly the local files, When a round runs, Then it is up-to-date after the locked listing and the unlock, nothing sent', async () => {
    // Given
    const cwd = component();
    const {ctx, runner} = sandbox.context([listed(LOCAL_FILES)]);
    const target = new FakeTarget(runner, onVolume);

    // When
    const report = await runSyncRound(ctx, target, syncOptions(cwd));

    // Then
    expect(report).toMatchObject({outcome: 'up-to-date', exitCode: ExitCode.Ok, processes: 2, lock: {taken: true}});
    expect(report.changes).toEqual({added: [], modified: [], deleted: [], replaced: [], unchanged: 3});
    expect(runner.calls).toHaveLength(2);
    expect(runner.calls[0]!.args.slice(0, 5)).toEqual(['exec', 'ha', 'sh', '-c', LIST_SCRIPT]);
    const owner = runner.calls[0]!.args[9]!;
    expect(owner).toMatch(new RegExp(`^kp host=\\S+ machine=\\S+ pid=${process.pid} start=\\S+ at=\\S+$`));
    // The same owner releases the lock; nothing else mutates.
    expect(runner.calls[1]!.args).toEqual(['exec', 'ha', 'sh', '-c', UNLOCK_SCRIPT, 'sh', '/config/.kp-staging', 'kamerplanter', owner]);
    expect(runner.mutatingCalls().filter((c) => isApply(c.command, c.args))).toEqual([]);
    expect(target.restarted).toBe(false);
  });

  it('Given the listing exec finds the tree up to date and releases the lock itself, When a round runs, Then it is one exec in all, carrying the local digest', async () => {
    // Given
    const cwd = component();
    const {ctx, runner} = sandbox.context([{match: isList, reply: {stdout: listing(LOCAL_FILES).replace('KP_LOCK acquired', 'KP_LOCK released')}}]);
    const target = new FakeTarget(runner, onVolume);
    // When
    const report = await runSyncRound(ctx, target, syncOptions(cwd));
    // Then
    expect(report).toMatchObject({outcome: 'up-to-date', processes: 1, lock: {taken: true}});
    expect(runner.calls).toHaveLength(1);
    const local = Object.entries(LOCAL_FILES).map(([file, content]) => ({path: file, hash: sha256(content)}));
    expect(runner.calls[0]!.args.at(-1)).toBe(expectedListingDigest(local));
  });

  it('Given the listing exec killed by the container restarting under it (exit 137), When a round runs, Then it waits and lists again', async () => {
    const cwd = component();
    const {ctx, runner} = sandbox.context([{match: isList, reply: {exitCode: 137, stdout: ''}, times: 1}, listed(LOCAL_FILES)]);
    const target = new FakeTarget(runner, onVolume);
    const report = await runSyncRound(ctx, target, syncOptions(cwd));
    expect(report.outcome).toBe('up-to-date');
    expect(runner.calls.filter((c) => isList(c.command, c.args))).toHaveLength(2);
  });

  it('Given the listing exec refused by runc in the instant the container restarts (exit 126, broken pipe), When a round runs, Then it waits and lists again', async () => {
    // Given: the words runc prints when the container's init dies while the exec starts (seen in CI)
    const cwd = component();
    const brokenPipe =
      'OCI runtime exec failed: exec failed: unable to start container process: error writing config to pipe: write init-p: broken pipe: unknown';
    const {ctx, runner} = sandbox.context([{match: isList, reply: {exitCode: 126, stderr: brokenPipe}, times: 1}, listed(LOCAL_FILES)]);
    const target = new FakeTarget(runner, onVolume);
    // When
    const report = await runSyncRound(ctx, target, syncOptions(cwd));
    // Then
    expect(report.outcome).toBe('up-to-date');
    expect(runner.calls.filter((c) => isList(c.command, c.args))).toHaveLength(2);
  });

  it('Given an image without sh (exit 126, executable file not found), When a round runs, Then it fails at once instead of waiting for a restart that never comes', async () => {
    const cwd = component();
    const noShell = 'OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown';
    const {ctx, runner} = sandbox.context([{match: isList, reply: {exitCode: 126, stderr: noShell}}]);
    const target = new FakeTarget(runner, onVolume);
    await expect(runSyncRound(ctx, target, syncOptions(cwd))).rejects.toThrow(/executable file not found/);
    expect(runner.calls.filter((c) => isList(c.command, c.args))).toHaveLength(1);
  });

  it('Given --restart pod on a volume that does not survive recreate, When a round with changes runs, Then a usage error comes before the target is locked or anything is sent', async () => {
    // Given
    const cwd = component();
    const {ctx, runner} = sandbox.context([listed(outdated), {match: isApply, reply: {stdout: 'KP_SWAPPED\nKP_DONE\n'}}]);
    const target = new FakeTarget(runner, onEmptyDir);

    // When
    const error = await runSyncRound(ctx, target, syncOptions(cwd, {restart: 'pod'})).catch((e: unknown) => e);

    // Then
    expect(error).toMatchObject({exitCode: ExitCode.Usage});
    expect((error as Error).message).toContain('--restart pod would wipe emptyDir config');
    // Refused right after the preflight: nothing listed, locked or sent.
    expect(runner.calls).toEqual([]);
    expect(target.outsideRestarts).toBe(0);
  });

  it('Given a changed and a locally deleted file, When a round runs with kill, Then one apply exec sends them, the restart is observed and the log verdict is found', async () => {
    // Given: the apply exec swaps the tree and kills PID 1, which restarts the container
    const cwd = component();
    const {ctx, runner} = sandbox.context([
      listed(outdated),
      {
        match: isApply,
        reply: () => {
          target.restarted = true;
          return {stdout: 'KP_PYCACHE_REMOVED 1\nKP_SWAPPED\nKP_RESTARTING\nKP_DONE\n'};
        },
      },
    ]);
    const target = new FakeTarget(runner, onVolume);

    // When
    const report = await runSyncRound(ctx, target, syncOptions(cwd));

    // Then
    expect(report).toMatchObject({outcome: 'synced', exitCode: ExitCode.Ok, cacheClear: {removed: 1}});
    expect(report.changes).toEqual({added: [], modified: ['sensor.py'], deleted: ['old.py'], replaced: [], unchanged: 2});
    expect(report.restart).toMatchObject({method: 'kill', performed: true, observed: true});
    expect(report.verdict.status).toBe('found');
    const apply = runner.calls.filter((c) => isApply(c.command, c.args));
    expect(apply).toHaveLength(1);
    const runId = apply[0]!.args[10]!;
    const owner = runner.calls[0]!.args[9]!;
    expect(apply[0]!.args).toEqual([
      'exec',
      '-i',
      'ha',
      'sh',
      '-c',
      APPLY_SCRIPT,
      'sh',
      '/config/custom_components/kamerplanter',
      '/config/.kp-staging',
      'kamerplanter',
      runId,
      'kill',
      owner,
      'no',
      'old.py',
    ]);
    // The lock is released last, after the restart and the verdict, by the owner that took it.
    expect(runner.calls.at(-1)!.args).toEqual(['exec', 'ha', 'sh', '-c', UNLOCK_SCRIPT, 'sh', '/config/.kp-staging', 'kamerplanter', owner]);
    expect(apply[0]!.options.input).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(apply[0]!.options.input as Uint8Array).includes(Buffer.from(LOCAL_FILES['sensor.py']!))).toBe(true);
    expect(target.outsideRestarts).toBe(0);
  });

  it('Given changes and --dry-run, When a round runs, Then the apply exec is recorded as skipped and nothing restarts', async () => {
    // Given
    const cwd = component();
    const {ctx, runner} = sandbox.context([listed(outdated)], {dryRun: true});
    const target = new FakeTarget(runner, onVolume);
    // When
    const report = await runSyncRound(ctx, target, syncOptions(cwd));
    // Then
    expect(report).toMatchObject({outcome: 'dry-run', dryRun: true, restart: {performed: false}});
    expect(runner.calls.map((c) => [c.skipped, isApply(c.command, c.args)])).toEqual([
      [false, false],
      [true, true],
    ]);
    expect(target.restarted).toBe(false);
  });

  describe("HA's own verdict (config entries)", () => {
    /** An outdated target whose apply exec restarts it; HA's API is the fake, kp holds a token for it. */
    async function restartingTarget(entry: {state: string; reason: string | null} | undefined, options: {token?: boolean} = {}) {
      const ha = await startFakeHaApi();
      ha.state.refresh.add('kept-refresh-token');
      if (entry) {
        ha.state.entries.push({entry_id: 'e1', domain: 'kamerplanter', title: 'Kamerplanter', url: 'http://backend:8000'});
        ha.state.entryState = entry;
      }
      if (options.token !== false) {
        writeCredentials('unit-fake-ha', {
          url: ha.url,
          name: 'kp',
          username: 'kp-dev',
          password: 'pw-unit-test',
          refreshToken: 'kept-refresh-token',
          state: 'onboarded',
          createdAt: new Date().toISOString(),
        });
      }
      const cwd = component();
      const {ctx, runner} = sandbox.context([
        listed(outdated),
        {
          match: isApply,
          reply: () => {
            target.restarted = true;
            return {stdout: 'KP_PYCACHE_REMOVED 0\nKP_SWAPPED\nKP_RESTARTING\nKP_DONE\n'};
          },
        },
      ]);
      const target = new FakeTarget(runner, onVolume);
      target.endpoint = ha.url;
      return {ha, ctx, target, cwd};
    }

    it("Given kp holds a token and the entry ends setup_error, When a round restarts HA, Then the entry decides: exit 6 with HA's reason, at once (no settle)", async () => {
      // Given
      const {ha, ctx, target, cwd} = await restartingTarget({state: 'setup_error', reason: 'Cannot connect to the backend'});
      try {
        // When
        const started = Date.now();
        const report = await runSyncRound(ctx, target, syncOptions(cwd, {settleMs: 30_000}));
        // Then
        expect(report).toMatchObject({
          outcome: 'failed',
          exitCode: ExitCode.VerificationFailed,
          verdictSource: {used: 'config-entry'},
          configEntry: {state: 'setup_error', reason: 'Cannot connect to the backend', final: true},
        });
        expect(report.summary.find((r) => r.step === 'loaded')).toMatchObject({
          status: 'failed',
          detail: "config entry setup_error: Cannot connect to the backend (HA's verdict)",
        });
        expect(Date.now() - started).toBeLessThan(10_000); // far below the 30 s settle the log verdict would wait
        expect(ha.state.requests.filter((r) => r.path === '/api/config/config_entries/entry').every((r) => r.authorized)).toBe(true);
      } finally {
        await ha.close();
      }
    });

    it('Given the entry ends setup_retry (HA will retry: what it needs is missing), When a round restarts HA, Then exit 3', async () => {
      const {ha, ctx, target, cwd} = await restartingTarget({state: 'setup_retry', reason: 'Backend not ready'});
      try {
        const report = await runSyncRound(ctx, target, syncOptions(cwd));
        expect(report).toMatchObject({outcome: 'failed', exitCode: ExitCode.Prerequisite, configEntry: {state: 'setup_retry', reason: 'Backend not ready'}});
      } finally {
        await ha.close();
      }
    });

    it("Given kp holds a token and the entry is loaded, When a round restarts HA, Then exit 0 by HA's verdict", async () => {
      const {ha, ctx, target, cwd} = await restartingTarget({state: 'loaded', reason: null});
      try {
        const report = await runSyncRound(ctx, target, syncOptions(cwd));
        expect(report).toMatchObject({outcome: 'synced', exitCode: ExitCode.Ok, verdictSource: {used: 'config-entry'}, configEntry: {state: 'loaded'}});
      } finally {
        await ha.close();
      }
    });

    it('Given a token but no kamerplanter entry yet, When a round restarts HA, Then the log decides and the report says why', async () => {
      const {ha, ctx, target, cwd} = await restartingTarget(undefined);
      try {
        const report = await runSyncRound(ctx, target, syncOptions(cwd));
        expect(report).toMatchObject({
          outcome: 'synced',
          verdict: {status: 'found'},
          verdictSource: {used: 'log', why: 'kamerplanter has no config entry in HA yet'},
        });
        expect(report.configEntry).toBeUndefined();
        // The loader's line comes from reading the manifest: the summary never claims the code loaded.
        expect(report.summary.find((r) => r.step === 'loaded')?.detail).toMatch(
          /found by HA, no failure logged; no config entry, so HA has not imported its code$/,
        );
      } finally {
        await ha.close();
      }
    });

    it('Given a loaded entry beside one the user disabled and an ignored discovery (both not_loaded by intent), When a round restarts HA, Then only the loaded one decides: exit 0', async () => {
      const {ha, ctx, target, cwd} = await restartingTarget({state: 'loaded', reason: null});
      ha.state.entries.push({entry_id: 'e2', domain: 'kamerplanter', title: 'old', url: 'x', disabled_by: 'user', state: 'not_loaded'});
      ha.state.entries.push({entry_id: 'e3', domain: 'kamerplanter', title: 'found', url: 'y', source: 'ignore', state: 'not_loaded'});
      try {
        const report = await runSyncRound(ctx, target, syncOptions(cwd));
        expect(report).toMatchObject({exitCode: ExitCode.Ok, configEntry: {state: 'loaded', entries: [{entryId: 'e1'}]}});
      } finally {
        await ha.close();
      }
    });

    it("Given HA's entries endpoint refusing kp (401), When a round restarts HA, Then that is no verdict on the component: the log decides and the report says why", async () => {
      const {ha, ctx, target, cwd} = await restartingTarget({state: 'setup_error', reason: 'x'});
      ha.state.failures.set('GET /api/config/config_entries/entry', 401);
      try {
        const report = await runSyncRound(ctx, target, syncOptions(cwd));
        expect(report).toMatchObject({
          outcome: 'synced',
          verdictSource: {used: 'log', why: 'Home Assistant answered GET /api/config/config_entries/entry with HTTP 401 (Internal Server Error).'},
        });
      } finally {
        await ha.close();
      }
    });

    it('Given a token HA refuses (HA re-created), When a round restarts HA, Then the log decides and the report says HA refused the token', async () => {
      const {ha, ctx, target, cwd} = await restartingTarget({state: 'setup_error', reason: 'x'});
      ha.state.refresh.clear();
      try {
        const report = await runSyncRound(ctx, target, syncOptions(cwd));
        expect(report).toMatchObject({
          outcome: 'synced',
          verdictSource: {used: 'log', why: "HA refused kp's token and password (it was re-created and onboarded by someone else)"},
        });
      } finally {
        await ha.close();
      }
    });
  });
});
