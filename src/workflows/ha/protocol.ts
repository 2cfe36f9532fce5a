/**
 * The remote protocol of the HA features, spoken through a target's exec: where kp stages
 * (on the component's volume), the one listing exec and its refusals, and the upload archive.
 * Used by `kp ha sync` and `kp ha status`.
 */
import {readFileSync} from 'node:fs';
import {fail, unlessInterrupted} from '../../core/errors.js';
import type {SyncPlan} from './plan.js';
import {scriptCommand, SCRIPTS, type RemoteLayout, type RemoteListing} from './remote.js';
import {buildTar, parentDirectories, type TarEntry} from './tar.js';
import type {HaTarget, VolumeInfo} from './targets/target.js';

/** Staging root on the component's volume but outside custom_components/ (HA scans every folder there). */
export function stagingParent(volume: VolumeInfo, configDir: string): string {
  const customComponents = `${configDir.replace(/\/+$/, '')}/custom_components`;
  const mount = volume.mountPoint.replace(/\/+$/, '') || '/';
  if (mount === customComponents || mount.startsWith(`${customComponents}/`)) {
    throw fail.prerequisite(
      `The volume is mounted at ${mount}, inside custom_components/: kp cannot stage outside custom_components/ on the same volume, and a staging folder inside it could be loaded by HA.`,
      `Mount the volume at ${configDir} (HA's config dir) instead.`,
    );
  }
  // Staging sits next to HA's config (same volume) so the final rename is atomic.
  return mount === '/' ? configDir : mount;
}

/** Release the target's sync lock if `owner` still holds it (best effort: a lock left behind is taken over by the next run here). */
export async function releaseRemoteLock(target: HaTarget, layout: RemoteLayout, owner: string): Promise<boolean> {
  const result = await target.exec(scriptCommand(SCRIPTS.unlock, {layout, owner}), {mutating: true}).catch(unlessInterrupted(undefined));
  return result !== undefined && result.exitCode === 0 && SCRIPTS.unlock.parse(result.stdout);
}

/**
 * Run the listing exec and turn transport failures into clear prerequisite errors. With `lock`,
 * the same exec first takes the target's sync lock for `lock.owner` (see sh/list.sh); a lock held
 * by another run comes back as `listing.lock` with nothing listed.
 */
export async function listRemote(
  target: HaTarget,
  layout: RemoteLayout,
  lock?: {owner: string; takeover?: string; expectDigest?: string},
): Promise<RemoteListing> {
  const result = await target.exec(scriptCommand(SCRIPTS.list, {layout, ...lock}), {
    mutating: lock !== undefined,
  });
  if (result.exitCode !== 0 || !result.stdout.includes('KP_SH ok')) {
    const text = `${result.stderr}${result.stdout}`.trim();
    if (/executable file not found|no such file or directory|not found/i.test(text) && !/NotFound/.test(text)) {
      throw fail.prerequisite(
        `${target.label} has no usable sh: ${text.split('\n').at(-1)}`,
        'kp needs sh and tar in the HA container (the official HA image has both).',
      );
    }
    throw fail.toolFailed(`Listing the component in ${target.label} failed (exit ${result.exitCode}): ${text.split('\n').slice(-3).join(' ')}`);
  }
  const listing = SCRIPTS.list.parse(result.stdout);
  if (listing.parentLink) {
    throw fail.prerequisite(
      `${listing.parentLink} in ${target.label} is a symlink: kp does not write through a link it did not create.`,
      `Make ${listing.parentLink} a real folder (move what it points to there), then sync again.`,
    );
  }
  if (lock && listing.lock.state !== 'acquired' && listing.lock.state !== 'released') return listing;
  try {
    const missing = ['tar', 'find', 'cp', 'mv'].filter((tool) => !listing.tools[tool]);
    if (missing.length > 0) throw fail.prerequisite(`${target.label} lacks ${missing.join(', ')}: kp cannot upload without them.`);
    if (!listing.hashAlgorithm) throw fail.prerequisite(`${target.label} has neither sha256sum nor md5sum: kp cannot compare files.`);
    if (listing.listingFailed) throw fail.toolFailed(`Hashing the files in ${layout.componentDir} failed.`);
  } catch (error) {
    // The exec took the lock before it found the target unusable: give it back before failing.
    if (lock && listing.lock.state === 'acquired') await releaseRemoteLock(target, layout, lock.owner);
    throw error;
  }
  return listing;
}

/** The upload archive: parent dirs, changed files, and the end marker as the very last entry. */
export function uploadArchive(plan: SyncPlan, runId: string): Buffer {
  const entries: TarEntry[] = parentDirectories(plan.upload.map((f) => f.path)).map((path) => ({path, type: 'directory' as const}));
  for (const file of plan.upload) {
    entries.push({path: file.path, type: 'file', content: readFileSync(file.absolutePath), mode: file.mode, mtime: file.mtime});
  }
  entries.push({path: `.kp-complete-${runId}`, type: 'file', content: Buffer.from(runId)});
  return buildTar(entries);
}
