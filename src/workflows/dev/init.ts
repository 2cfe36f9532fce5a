/**
 * `kp dev init`: copy kp's skaffold.yaml and kind-config.yaml into a checkout that lacks them.
 * Never overwrites (the copy itself refuses an existing target).
 */
import {constants, copyFileSync, existsSync} from 'node:fs';
import path from 'node:path';
import type {KpContext} from '../context.js';
import {resolveWorkspaceRoot, SHIPPED_FILES, workspaceInputs} from './workspace.js';

/** The documented JSON of `kp dev init --json`. */
export interface DevInitResult {
  workspace: string;
  /** Files kp wrote (absolute paths). */
  written: string[];
  /** Files that already existed and were left alone. */
  kept: string[];
}

/** Run `kp dev init`. */
export function devInit(ctx: KpContext, options: {workspace: string | undefined}): DevInitResult {
  const {root} = resolveWorkspaceRoot(workspaceInputs(options.workspace));
  const result: DevInitResult = {workspace: root, written: [], kept: []};
  for (const source of [SHIPPED_FILES.skaffold, SHIPPED_FILES.kindConfig]) {
    const target = path.join(root, path.basename(source));
    if (existsSync(target)) {
      result.kept.push(target);
      continue;
    }
    if (ctx.dryRun) {
      ctx.out.info(`[dry-run] would write ${target}`);
      continue;
    }
    try {
      copyFileSync(source, target, constants.COPYFILE_EXCL);
      result.written.push(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      result.kept.push(target); // created meanwhile by someone else: still not ours to overwrite
    }
  }
  return result;
}
