/**
 * The real Kamerplanter component (../shared/upstream/kamerplanter-ha) as the real-HA tests and the
 * bench use it: copied into a checkout of their own, never edited in place.
 */
import {cpSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
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

/**
 * The other first step: `ruff format` (the snapshot's config_flow.py is not formatted as ruff's
 * defaults want, and kp's lint gate, which runs with or without ruff on PATH, stops its sync). Done
 * with the WebAssembly build kp itself lints with, at the same pinned version.
 */
export function formatLikeRuff(componentDir: string): void {
  const ruff = createRequire(import.meta.url)('@astral-sh/ruff-wasm-nodejs') as {
    Workspace: new (options: object, encoding: number) => {format(source: string): string};
    PositionEncoding: {Utf32: number};
  };
  const workspace = new ruff.Workspace({}, ruff.PositionEncoding.Utf32);
  for (const entry of readdirSync(componentDir, {withFileTypes: true, recursive: true})) {
    if (!entry.isFile() || !entry.name.endsWith('.py')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const source = readFileSync(file, 'utf8');
    const formatted = workspace.format(source);
    if (formatted !== source) writeFileSync(file, formatted);
  }
}
