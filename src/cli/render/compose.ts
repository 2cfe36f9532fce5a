/**
 * What `kp compose ...` prints for a human (stdout); `--json` prints the result objects instead.
 */
import type {ChalkInstance} from 'chalk';
import type {ComposeStartResult} from '../../workflows/compose/start.js';
import type {ComposeStatusResult} from '../../workflows/compose/status.js';
import type {ComposeDownResult, ComposeStopResult} from '../../workflows/compose/teardown.js';

/** The headline and URLs after `kp compose start`. */
export function renderComposeStart(result: ComposeStartResult, color: ChalkInstance): string {
  const headline =
    result.action === 'already-up'
      ? `Kamerplanter (${result.project}) was already up.`
      : result.action === 'dry-run'
        ? 'Dry run: nothing was started.'
        : result.waited
          ? `Kamerplanter (${result.project}) is up.`
          : `Kamerplanter (${result.project}) is starting (not waited for).`;
  return [
    color.bold(headline),
    `  Frontend      ${result.urls.frontend}`,
    `  API docs      ${result.urls.apiDocs}`,
    `  ArangoDB UI   ${result.urls.arangodb}  (user root, password ARANGO_ROOT_PASSWORD in ${result.envFile.path})`,
  ].join('\n');
}

/** One row per service: state, health, ports, image. */
export function renderComposeStatus(result: ComposeStatusResult): string {
  const rows = result.services.map((s) => [
    s.service,
    s.state,
    s.health,
    s.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`).join(',') || '-',
    s.image ?? '-',
  ]);
  const header = ['SERVICE', 'STATE', 'HEALTH', 'PORTS', 'IMAGE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const doubled = result.services.filter((s) => s.duplicates.length > 0).map((s) => `  ${s.service}: also ${s.duplicates.join(', ')}`);
  const duplicates = doubled.length > 0 ? ['More than one container for a service (`kp compose start` brings each back to one):', ...doubled] : [];
  return [`Stack ${result.project}: ${result.state}`, line(header), ...rows.map(line), ...duplicates].join('\n');
}

/** What `kp compose stop` did. */
export function renderComposeStop(result: ComposeStopResult): string {
  if (result.alreadyStopped) return `Nothing of ${result.project} was running.`;
  return result.dryRun ? `Dry run: would stop ${result.stopped.join(', ')}; nothing was stopped.` : `Stopped: ${result.stopped.join(', ')}. Data kept.`;
}

/** What `kp compose down` removed. */
export function renderComposeDown(result: ComposeDownResult): string {
  if (result.dryRun) {
    return `Dry run: would remove ${result.removedContainers.length} containers; nothing was removed, volumes (data) kept.`;
  }
  const removed = result.nothingToRemove ? 'No containers to remove.' : `Removed ${result.removedContainers.length} containers.`;
  return `${removed} ${result.volumesRemoved ? 'Volumes deleted.' : 'Volumes (data) kept.'}`;
}
