/**
 * Images before `up`: whatever the engine does not hold yet is pulled first, one progress line per
 * image, so a pull that fails is named (which image, and why) and nothing has been created that
 * could get in the next attempt's way.
 */
import {fail} from '../../core/errors.js';
import type {Engine} from '../../tools/docker.js';
import type {KpContext} from '../context.js';

/** `repository:tag` as the engine lists images: an untagged reference means `:latest`, Docker Hub's prefixes dropped. */
export function normaliseImageRef(ref: string): string {
  const withoutHub = ref.replace(/^(docker\.io|index\.docker\.io)\/(library\/)?/, '');
  if (withoutHub.includes('@')) return withoutHub;
  const lastSlash = withoutHub.lastIndexOf('/');
  return withoutHub.slice(lastSlash + 1).includes(':') ? withoutHub : `${withoutHub}:latest`;
}

/** Why a pull failed, in words, from the engine's message. */
export function pullFailureReason(message: string): string {
  if (/pull access denied|requested access to the resource is denied/i.test(message)) return 'not found, or the registry wants a login';
  if (/manifest unknown|manifest for .* not found|not found: manifest|repository .* not found|name unknown|no such image/i.test(message))
    return 'not found: no such image or tag';
  if (/unauthorized|authentication required|denied/i.test(message)) return 'unauthorized: the registry wants a login';
  if (
    /dial tcp|no such host|i\/o timeout|connection refused|network is unreachable|temporary failure in name resolution|tls handshake timeout|client\.timeout|context deadline exceeded/i.test(
      message,
    )
  ) {
    return 'no network: the registry is not reachable';
  }
  return message.trim().split('\n').at(-1) ?? 'unknown error';
}

/** What an image kp could not pull adds to the `--json` error object of `kp compose start`. */
export interface ImagePullDetails {
  image: string;
  /** The pull's failure in a few words (`no network: ...`, or Compose's last line). */
  reason: string;
}

/** Pull every image of `refs` the engine does not hold; the first failure stops with exit 4. */
export async function pullMissingImages(ctx: KpContext, engine: Engine, refs: readonly string[], envFile: string): Promise<string[]> {
  const wanted = [...new Set(refs)];
  if (wanted.length === 0) return [];
  const local = await engine.localImages();
  const missing = wanted.filter((ref) => !local.has(normaliseImageRef(ref)));
  for (const ref of missing) {
    ctx.out.step(`Pulling ${ref}`);
    const result = await engine.pull(ref);
    if (result.skipped || result.exitCode === 0) continue;
    const reason = pullFailureReason(`${result.stderr}\n${result.stdout}`);
    throw fail.toolFailed(
      `Could not pull ${ref}: ${reason}.`,
      `Nothing was started. Check the tag (KAMERPLANTER_VERSION in ${envFile}), log in if the registry needs it ` +
        '(`docker login ghcr.io`), or point the *_IMAGE / *_IMAGE_REPOSITORY variables at an image you have.',
      {details: {image: ref, reason} satisfies ImagePullDetails},
    );
  }
  return missing;
}
