/**
 * The real Kamerplanter component (../shared/upstream/kamerplanter-ha) as the real-HA tests and the
 * bench use it: copied into a checkout of their own, never edited in place.
 */
import {cpSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** The snapshot's component folder. */
export const upstreamComponent = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'shared',
  'upstream',
  'kamerplanter-ha',
  'custom_components',
  'kamerplanter',
);

/** Copy the snapshot's component to `dest`. */
export function copyUpstreamComponent(dest: string): void {
  cpSync(upstreamComponent, dest, {recursive: true});
}

/**
 * The fix a developer makes first: the snapshot's config_flow.py imports ZeroconfServiceInfo from
 * homeassistant.components.zeroconf, which HA 2026.3 no longer has (HA answers "Invalid handler specified").
 */
export function fixZeroconfImport(componentDir: string): void {
  const flow = path.join(componentDir, 'config_flow.py');
  writeFileSync(
    flow,
    readFileSync(flow, 'utf8').replace(
      'from homeassistant.components.zeroconf import ZeroconfServiceInfo',
      'from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo',
    ),
  );
}
