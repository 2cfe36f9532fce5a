/**
 * The scripts kp runs in the HA container, run for real on this machine: with the system `sh` and
 * GNU tools, and with busybox (as in the HA image) when it is installed. A temp folder plays the
 * container's filesystem; an "outside" folder beside it must never change.
 */
import {spawn, spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {
  APPLY_SCRIPT,
  expectedListingDigest,
  FAST_APPLY_SCRIPT,
  LIST_SCRIPT,
  parseApply,
  parseListing,
  UNLOCK_SCRIPT,
} from '../../../../src/workflows/ha/remote.js';
import {buildTar, parentDirectories, type TarEntry} from '../../../../src/workflows/ha/tar.js';
import {useTempDirs} from '../../../helpers/temp-dirs.js';

const tempDir = useTempDirs();
const fileTempDir = useTempDirs({scope: 'file'});

/** A PATH holding only busybox applets, when busybox is installed (CI installs busybox-static). */
function busyboxPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v busybox'], {encoding: 'utf8'}).stdout.trim();
  // CI installs busybox-static: there, a missing busybox is a failure, not a skip.
  if (!found && process.env.CI) throw new Error('busybox is not installed: the HA image flavour of the remote scripts cannot be tested');
  if (!found) return undefined;
  const dir = fileTempDir('kp-busybox-');
  for (const applet of [
    'sh',
    'cat',
    'echo',
    'printf',
    'mkdir',
    'rm',
    'rmdir',
    'mv',
    'cp',
    'find',
    'tar',
    'sha256sum',
    'md5sum',
    'dirname',
    'stat',
    'wc',
    'head',
    'kill',
    'test',
    '[',
    'tr',
    'sort',
    'sleep',
  ]) {
    symlinkSync(found, path.join(dir, applet));
  }
  return dir;
}

const flavours: Array<{name: string; env: () => NodeJS.ProcessEnv | undefined}> = [
  {name: 'sh + GNU tools', env: () => process.env},
  {
    name: 'busybox',
    env: () => {
      const dir = busyboxPath();
      return dir ? {PATH: dir} : undefined;
    },
  },
];

function run(env: NodeJS.ProcessEnv, script: string, args: string[], input?: Buffer): string {
  const result = spawnSync('sh', ['-c', script, 'sh', ...args], {env, input, encoding: 'buffer'});
  if (result.error) throw result.error;
  return result.stdout.toString();
}

/** A config dir with an outside folder beside it holding one file that must never change. */
function world() {
  const root = tempDir('kp-remote-');
  const config = path.join(root, 'config');
  const outside = path.join(root, 'outside');
  mkdirSync(path.join(config, 'custom_components'), {recursive: true});
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'keep.txt'), 'outside\n');
  return {
    config,
    outside,
    dir: path.join(config, 'custom_components', 'kamerplanter'),
    staging: path.join(config, '.kp-staging'),
    outsideUnchanged: () => expect(readdirSync(outside).sort()).toEqual(['keep.txt']),
  };
}

function archive(files: Record<string, string>, runId: string): Buffer {
  const entries: TarEntry[] = parentDirectories(Object.keys(files)).map((p) => ({path: p, type: 'directory' as const}));
  for (const [file, content] of Object.entries(files)) entries.push({path: file, type: 'file', content: Buffer.from(content), mode: 0o644, mtime: 0});
  entries.push({path: `.kp-complete-${runId}`, type: 'file', content: Buffer.from(runId)});
  return buildTar(entries);
}

/** A process that runs until ended, as the scripts record one: `<pid> <start time>` (field 22 of /proc/PID/stat). */
function liveProcess(): {line: string; end: () => Promise<void>} {
  const child = spawn('sleep', ['30']);
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return {
    line: `${child.pid} ${start}\n`,
    end: async () => {
      child.kill();
      await new Promise((resolve) => child.on('exit', resolve));
    },
  };
}

const OWNER_A = 'kp host=a machine=- pid=1 start=- at=2026-11-25T00:00:00.000Z';
const OWNER_B = 'kp host=b machine=- pid=2 start=- at=2026-11-25T00:00:01.000Z';

for (const flavour of flavours) {
  const env = flavour.env();
  describe.skipIf(env === undefined)(`remote scripts (${flavour.name})`, () => {
    it('Given the component path is a symlink to a folder outside, When listed and applied, Then it is reported as an entry to replace and nothing is written outside', () => {
      // Given
      const w = world();
      symlinkSync(w.outside, w.dir);
      // When
      const listing = parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '']));
      const applied = parseApply(
        run(env!, APPLY_SCRIPT, [w.dir, w.staging, 'kamerplanter', 'r1', 'none', OWNER_A, 'no'], archive({'manifest.json': '{}', 'www/card.js': 'new'}, 'r1')),
      );
      // Then
      expect(listing).toMatchObject({replaceComponent: true, componentPresent: false, lock: {state: 'acquired'}});
      expect(applied).toMatchObject({swapped: true, failure: undefined});
      // The lock stays until the round releases it (after the restart and the verdict).
      expect(existsSync(path.join(w.staging, 'kamerplanter.lock'))).toBe(true);
      expect(run(env!, UNLOCK_SCRIPT, [w.staging, 'kamerplanter', OWNER_A])).toContain('KP_UNLOCKED');
      expect(lstatSync(w.dir).isDirectory()).toBe(true);
      expect(readFileSync(path.join(w.dir, 'www', 'card.js'), 'utf8')).toBe('new');
      w.outsideUnchanged();
    });

    it('Given www/ inside the component is a symlink to outside, When a file under it is deleted and one uploaded, Then the symlink is replaced by a real folder and outside is untouched', () => {
      // Given
      const w = world();
      mkdirSync(w.dir);
      writeFileSync(path.join(w.dir, 'manifest.json'), '{}');
      symlinkSync(w.outside, path.join(w.dir, 'www'));
      // When
      const listing = parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '']));
      const applied = parseApply(
        run(env!, APPLY_SCRIPT, [w.dir, w.staging, 'kamerplanter', 'r2', 'none', OWNER_A, 'no', 'www/keep.txt'], archive({'www/card.js': 'new'}, 'r2')),
      );
      // Then: the listing saw the link and did not hash through it
      expect(listing.symlinks).toEqual(['www']);
      expect([...listing.files!.keys()]).toEqual(['manifest.json']);
      expect(applied.swapped).toBe(true);
      expect(lstatSync(path.join(w.dir, 'www')).isSymbolicLink()).toBe(false);
      expect(readdirSync(path.join(w.dir, 'www'))).toEqual(['card.js']);
      w.outsideUnchanged();
    });

    it('Given custom_components is a symlink, When applied, Then the script refuses and writes nothing through it', () => {
      // Given
      const w = world();
      const cc = path.join(w.config, 'custom_components');
      spawnSync('rmdir', [cc]);
      symlinkSync(w.outside, cc);
      // When
      const applied = parseApply(run(env!, APPLY_SCRIPT, [w.dir, w.staging, 'kamerplanter', 'r3', 'none', '', 'no'], archive({'a.py': 'x'}, 'r3')));
      // Then
      expect(applied.swapped).toBe(false);
      expect(applied.failure).toContain('is a symlink');
      w.outsideUnchanged();
    });

    it('Given the staging folder is a symlink kp did not create, When listed under a lock and applied, Then the link is replaced by a folder of its own', () => {
      // Given
      const w = world();
      symlinkSync(w.outside, w.staging);
      // When
      const listing = parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '']));
      const applied = parseApply(run(env!, APPLY_SCRIPT, [w.dir, w.staging, 'kamerplanter', 'r4', 'none', OWNER_A, 'no'], archive({'a.py': 'x'}, 'r4')));
      // Then
      expect(listing.lock).toEqual({state: 'acquired'});
      expect(applied.swapped).toBe(true);
      expect(lstatSync(w.staging).isSymbolicLink()).toBe(false);
      w.outsideUnchanged();
    });

    it('Given one run holds the lock, When a second run lists, applies and unlocks, Then it waits (held, named), cannot apply or release, and takes over only the owner it names', () => {
      // Given
      const w = world();
      expect(parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, ''])).lock).toEqual({state: 'acquired'});
      // When / Then: B sees A's lock and lists nothing
      const second = parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_B, '']));
      expect(second.lock).toEqual({state: 'held', owner: OWNER_A});
      expect(second.hashAlgorithm).toBeUndefined();
      // B cannot apply under A's lock, nor release it
      const refused = parseApply(run(env!, APPLY_SCRIPT, [w.dir, w.staging, 'kamerplanter', 'r5', 'none', OWNER_B, 'no'], archive({'a.py': 'x'}, 'r5')));
      expect(refused).toMatchObject({swapped: false, failure: expect.stringContaining('no longer held')});
      expect(existsSync(w.dir)).toBe(false);
      expect(run(env!, UNLOCK_SCRIPT, [w.staging, 'kamerplanter', OWNER_B])).toContain('KP_NOT_OURS');
      // A takeover naming another owner does nothing; naming A takes the lock
      expect(parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_B, OWNER_B])).lock).toEqual({state: 'held', owner: OWNER_A});
      expect(parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_B, OWNER_A])).lock).toEqual({state: 'acquired'});
      expect(run(env!, UNLOCK_SCRIPT, [w.staging, 'kamerplanter', OWNER_A])).toContain('KP_NOT_OURS');
      expect(run(env!, UNLOCK_SCRIPT, [w.staging, 'kamerplanter', OWNER_B])).toContain('KP_UNLOCKED');
      expect(existsSync(path.join(w.staging, 'kamerplanter.lock'))).toBe(false);
    });

    it('Given an installed tree equal to the local files, When listed with their digest, Then the listing releases the lock itself (one exec for a no-op)', () => {
      // Given
      const w = world();
      mkdirSync(path.join(w.dir, 'www'), {recursive: true});
      const files = {'manifest.json': '{}\n', 'www/card.js': 'card\n', 'zz.py': 'x = 1\n'};
      for (const [file, content] of Object.entries(files)) writeFileSync(path.join(w.dir, file), content);
      const local = Object.entries(files).map(([file, content]) => ({path: file, hash: createHash('sha256').update(content).digest('hex')}));
      // When
      const same = parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '', expectedListingDigest(local)]));
      // Then
      expect(same.lock).toEqual({state: 'released'});
      expect(same.files!.size).toBe(3);
      expect(existsSync(path.join(w.staging, 'kamerplanter.lock'))).toBe(false);
      // And a digest that differs keeps the lock (work to do)
      const differs = parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '', expectedListingDigest(local.slice(1))]));
      expect(differs.lock).toEqual({state: 'acquired'});
    });

    it('Given release=yes (no restart follows), When applied, Then the apply exec releases the lock', () => {
      const w = world();
      parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '', '']));
      const applied = parseApply(run(env!, APPLY_SCRIPT, [w.dir, w.staging, 'kamerplanter', 'r6', 'none', OWNER_A, 'yes'], archive({'a.py': 'x'}, 'r6')));
      expect(applied).toMatchObject({swapped: true, unlocked: true});
      expect(existsSync(path.join(w.staging, 'kamerplanter.lock'))).toBe(false);
    });

    it('Given a dangling symlink where the component should be, When applied, Then it is replaced by the new tree', () => {
      const w = world();
      symlinkSync(path.join(w.outside, 'missing'), w.dir);
      expect(parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '', ''])).replaceComponent).toBe(true);
      const applied = parseApply(run(env!, APPLY_SCRIPT, [w.dir, w.staging, 'kamerplanter', 'r7', 'none', OWNER_A, 'no'], archive({'a.py': 'x'}, 'r7')));
      expect(applied).toMatchObject({swapped: true, failure: undefined});
      expect(lstatSync(w.dir).isDirectory()).toBe(true);
      w.outsideUnchanged();
    });

    it('Given custom_components is a symlink, When listed, Then the listing says so and takes no lock', () => {
      const w = world();
      const cc = path.join(w.config, 'custom_components');
      spawnSync('rmdir', [cc]);
      symlinkSync(w.outside, cc);
      const listing = parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '', '']));
      expect(listing.parentLink).toBe(cc);
      expect(listing.lock).toEqual({state: 'none'});
      expect(existsSync(path.join(w.staging, 'kamerplanter.lock'))).toBe(false);
    });

    it('Given a swap interrupted between its two renames, When the next run lists under the lock, Then the new tree is put in place first and listed as it is', () => {
      // Given: the journal of run r8 with its complete new tree; the component folder is gone
      const w = world();
      const work = path.join(w.staging, 'kamerplanter.kp-r8');
      mkdirSync(path.join(work, 'new'), {recursive: true});
      mkdirSync(path.join(work, 'old'), {recursive: true});
      writeFileSync(path.join(work, 'new', 'fresh.py'), 'x = 2\n');
      writeFileSync(path.join(work, 'old', 'stale.py'), 'x = 1\n');
      writeFileSync(path.join(work, 'swapping'), '');
      // When
      const listing = parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '', '']));
      // Then
      expect(listing.recovered).toEqual([work]);
      expect(listing.componentPresent).toBe(true);
      expect([...listing.files!.keys()]).toEqual(['fresh.py']);
      expect(existsSync(work)).toBe(false);
    });

    it('Given a dead owner whose apply still runs in the target, When a run takes over, Then it is refused until that process ends', async () => {
      // Given: A's lock, and A's apply process (a live sleep) recorded in it
      const w = world();
      expect(parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '', ''])).lock).toEqual({state: 'acquired'});
      const apply = liveProcess();
      writeFileSync(path.join(w.staging, 'kamerplanter.lock', 'apply'), apply.line);
      try {
        // When / Then: the takeover naming A is refused while the apply runs
        expect(parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_B, OWNER_A, ''])).lock).toEqual({state: 'held', owner: OWNER_A});
      } finally {
        await apply.end();
      }
      // and goes through once it has ended
      expect(parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_B, OWNER_A, ''])).lock).toEqual({state: 'acquired'});
    });

    it('Given another takeover in progress (its guard held by a live process), When a run takes over the same owner, Then it does not', async () => {
      const w = world();
      run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '', '']);
      const other = liveProcess();
      mkdirSync(path.join(w.staging, 'kamerplanter.lock.takeover'));
      writeFileSync(path.join(w.staging, 'kamerplanter.lock.takeover', 'pid'), other.line);
      try {
        expect(parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_B, OWNER_A, ''])).lock).toEqual({state: 'held', owner: OWNER_A});
      } finally {
        await other.end();
      }
      // A guard whose process is gone is cleared, and the takeover goes through.
      expect(parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_B, OWNER_A, ''])).lock).toEqual({state: 'acquired'});
    });

    it('Given no owner (a dry run), When listed, Then no lock is taken and nothing is created', () => {
      const w = world();
      const listing = parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', '', '']));
      expect(listing.lock).toEqual({state: 'none'});
      expect(listing.componentPresent).toBe(false);
      expect(existsSync(w.staging)).toBe(false);
    });

    it('Given the installed tree exactly as the last round left it, When the fast apply runs with its digest and a deleted path, Then it takes the lock, swaps, and deletes that path', () => {
      // Given
      const w = world();
      run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '', '']);
      run(
        env!,
        APPLY_SCRIPT,
        [w.dir, w.staging, 'kamerplanter', 'f0', 'none', OWNER_A, 'yes'],
        archive({'manifest.json': '{}', 'a.py': 'a', 'old.py': 'o'}, 'f0'),
      );
      const remembered = parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', '', '', ''])).files!;
      const digest = expectedListingDigest([...remembered].map(([p, hash]) => ({path: p, hash})));
      // When
      const out = run(
        env!,
        FAST_APPLY_SCRIPT,
        [digest, w.dir, w.staging, 'kamerplanter', 'f1', 'none', OWNER_A, 'no', 'old.py'],
        archive({'a.py': 'a2'}, 'f1'),
      );
      // Then
      expect(out).toContain('KP_LOCK acquired');
      expect(parseApply(out)).toMatchObject({swapped: true, stale: undefined});
      expect(readdirSync(w.dir).sort()).toEqual(['a.py', 'manifest.json']);
      expect(readFileSync(path.join(w.dir, 'a.py'), 'utf8')).toBe('a2');
      expect(readFileSync(path.join(w.staging, 'kamerplanter.lock', 'owner'), 'utf8').trim()).toBe(OWNER_A);
    });

    it('Given a file changed in the target since the last round, When the fast apply runs with the remembered digest, Then it changes nothing, says stale, and gives the lock back', () => {
      // Given
      const w = world();
      run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '', '']);
      run(env!, APPLY_SCRIPT, [w.dir, w.staging, 'kamerplanter', 'g0', 'none', OWNER_A, 'yes'], archive({'manifest.json': '{}', 'a.py': 'a'}, 'g0'));
      const remembered = parseListing(run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', '', '', ''])).files!;
      const digest = expectedListingDigest([...remembered].map(([p, hash]) => ({path: p, hash})));
      writeFileSync(path.join(w.dir, 'a.py'), 'edited in the container');
      // When
      const out = run(
        env!,
        FAST_APPLY_SCRIPT,
        [digest, w.dir, w.staging, 'kamerplanter', 'g1', 'none', OWNER_A, 'no'],
        archive({'manifest.json': '{"v":2}'}, 'g1'),
      );
      // Then
      expect(parseApply(out)).toMatchObject({swapped: false, stale: 'the installed files changed since the last round'});
      expect(readFileSync(path.join(w.dir, 'a.py'), 'utf8')).toBe('edited in the container');
      expect(readFileSync(path.join(w.dir, 'manifest.json'), 'utf8')).toBe('{}');
      expect(existsSync(path.join(w.staging, 'kamerplanter.lock'))).toBe(false);
    });

    it('Given the lock held by another run, When the fast apply runs, Then it changes nothing and leaves that lock alone', () => {
      const w = world();
      run(env!, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_B, '', '']);
      const out = run(env!, FAST_APPLY_SCRIPT, ['0'.repeat(64), w.dir, w.staging, 'kamerplanter', 'h1', 'none', OWNER_A, 'no'], archive({'a.py': 'x'}, 'h1'));
      expect(parseApply(out)).toMatchObject({swapped: false, stale: `the sync lock is held by ${OWNER_B}`});
      expect(readFileSync(path.join(w.staging, 'kamerplanter.lock', 'owner'), 'utf8').trim()).toBe(OWNER_B);
      expect(existsSync(w.dir)).toBe(false);
    });

    it('Given HA as `python3 -m homeassistant` under a process named s6-supervise, When listed and applied with restart inplace, Then the listing names it as supervised and the apply sends it SIGHUP (HA exits 100)', async () => {
      // Given: a supervisor and an HA whose process names and command line are the official image's
      const w = world();
      const bin = tempDir('kp-ha-proc-');
      writeFileSync(path.join(bin, 'python3'), '#!/bin/sh\ntrap "exit 100" HUP\nwhile :; do sleep 1 & wait $!; done\n', {mode: 0o755});
      writeFileSync(
        path.join(bin, 's6-supervise'),
        `#!/bin/sh\n"${bin}/python3" -m homeassistant --config /config &\nha=$!\necho "$ha"\nwait "$ha"\necho "exit $?"\n`,
        {mode: 0o755},
      );
      const supervisor = spawn(path.join(bin, 's6-supervise'), [], {env});
      let output = '';
      supervisor.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      while (!output.includes('\n')) await new Promise((resolve) => setTimeout(resolve, 20));
      const haPid = Number(output.trim());
      // On this host another HA may run (a developer's container is visible here): never signal it.
      const scoped = {...env, KP_HA_SCOPE_PPID: String(supervisor.pid)};
      try {
        // When
        const listing = parseListing(run(scoped, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '', '']));
        const applied = parseApply(
          run(scoped, APPLY_SCRIPT, [w.dir, w.staging, 'kamerplanter', 'i1', 'inplace', OWNER_A, 'no'], archive({'manifest.json': '{}'}, 'i1')),
        );
        // Then
        expect(listing.ha).toMatchObject({pid: haPid, parent: 's6-supervise', supervised: true});
        expect(applied).toMatchObject({swapped: true, restartSent: true, signalled: {pid: haPid}, noSupervisor: undefined});
        await new Promise((resolve) => supervisor.on('exit', resolve));
        expect(output).toContain('exit 100');
      } finally {
        supervisor.kill('SIGKILL');
        spawnSync('kill', ['-9', String(haPid)]);
      }
    });

    it('Given no HA process apart from PID 1, When applied with restart inplace, Then nothing is signalled and the script says there is no supervisor', () => {
      const w = world();
      // Scoped to the children of a process that has none: another HA on this host is never signalled.
      const childless = liveProcess();
      const scoped = {...env, KP_HA_SCOPE_PPID: childless.line.split(' ')[0]};
      run(scoped, LIST_SCRIPT, [w.dir, w.staging, 'kamerplanter', OWNER_A, '', '']);
      const applied = parseApply(
        run(scoped, APPLY_SCRIPT, [w.dir, w.staging, 'kamerplanter', 'j1', 'inplace', OWNER_A, 'no'], archive({'manifest.json': '{}'}, 'j1')),
      );
      void childless.end();
      expect(applied).toMatchObject({
        swapped: true,
        restartSent: false,
        signalled: undefined,
        noSupervisor: expect.stringContaining('no Home Assistant process found'),
      });
    });
  });
}
