/**
 * The diff planner: which files to upload, which to delete remotely, and whether the target is
 * already up to date. Pure, so every decision is unit-tested without a target.
 */

/** One local component file, identified by its relative path and content hash. */
export interface LocalFile {
  /** Relative POSIX path inside the component folder. */
  path: string;
  /** Absolute path on this machine. */
  absolutePath: string;
  size: number;
  /** Content hash in the algorithm the target can compute (sha256 or md5), lowercase hex. */
  hash: string;
  /** Permission bits to give the remote copy. */
  mode: number;
  mtime: number;
}

/** What one sync has to do to make the remote component equal the local one. */
export interface SyncPlan {
  /** Files to send: added plus modified, in path order. */
  upload: LocalFile[];
  /** Paths new on the target. */
  added: string[];
  /** Paths whose content differs. */
  modified: string[];
  /** Remote paths no longer present locally. */
  deleted: string[];
  /** Remote symlinks (`.` = the component folder itself) replaced by real entries: kp never follows them. */
  replaced: string[];
  /** Number of files already identical. */
  unchanged: number;
  /** Bytes of file content to send (the archive adds headers). */
  uploadBytes: number;
  /** True when there is nothing to send, nothing to delete and nothing to replace. */
  upToDate: boolean;
}

/**
 * Compare local files with the remote listing (`undefined` = the component folder does not
 * exist remotely) and the remote symlinks. Remote hashes are compared case-insensitively.
 */
export function planSync(local: readonly LocalFile[], remote: ReadonlyMap<string, string> | undefined, remoteLinks: readonly string[] = []): SyncPlan {
  const remoteFiles = remote ?? new Map<string, string>();
  const localPaths = new Set(local.map((file) => file.path));
  const upload: LocalFile[] = [];
  const added: string[] = [];
  const modified: string[] = [];
  let unchanged = 0;
  for (const file of [...local].sort((a, b) => a.path.localeCompare(b.path))) {
    const remoteHash = remoteFiles.get(file.path);
    if (remoteHash === undefined) {
      added.push(file.path);
      upload.push(file);
    } else if (remoteHash.toLowerCase() !== file.hash.toLowerCase()) {
      modified.push(file.path);
      upload.push(file);
    } else {
      unchanged += 1;
    }
  }
  const deleted = [...remoteFiles.keys()].filter((path) => !localPaths.has(path)).sort();
  const replaced = [...remoteLinks].sort();
  return {
    upload,
    added,
    modified,
    deleted,
    replaced,
    unchanged,
    uploadBytes: upload.reduce((sum, file) => sum + file.size, 0),
    upToDate: upload.length === 0 && deleted.length === 0 && replaced.length === 0,
  };
}
