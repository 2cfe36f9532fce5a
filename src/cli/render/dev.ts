/**
 * What `kp dev ...` prints for a human (stdout); `--json` prints the result objects instead.
 */
import type {ChalkInstance} from 'chalk';
import type {DevDownResult} from '../../workflows/dev/down.js';
import type {DevInitResult} from '../../workflows/dev/init.js';
import type {DevStatusResult} from '../../workflows/dev/status.js';
import type {DevUpResult} from '../../workflows/dev/up.js';

/** Cluster, ingress and Skaffold after `kp dev up`. */
export function renderDevUp(result: DevUpResult): string {
  return [
    `cluster  ${result.cluster.name} (${result.cluster.context} -> ${result.cluster.server})` +
      `${result.cluster.actions.length > 0 ? `: ${result.cluster.actions.join(', ')}` : ': unchanged'}`,
    `ingress  ingress-nginx ${result.ingress.version}: ${result.ingress.action === 'none' ? 'unchanged' : result.ingress.action}`,
    `skaffold ${result.skaffold.mode} exited ${result.skaffold.exitCode}`,
  ].join('\n');
}

/** What `kp dev down` deleted. */
export function renderDevDown(result: DevDownResult): string {
  if (result.deleted) return `Deleted kind cluster ${result.name}${result.cleaned ? ' and its labelled docker resources' : ''}.`;
  return `No kind cluster ${result.name}; nothing deleted${result.cleaned ? ' (labelled docker resources cleaned)' : ''}.`;
}

/** What `kp dev init` wrote and kept. */
export function renderDevInit(result: DevInitResult): string {
  const lines = [...result.written.map((f) => `wrote ${f}`), ...result.kept.map((f) => `kept  ${f} (exists; not overwritten)`)];
  return lines.join('\n') || 'nothing to do';
}

/** The dev cluster, one line per aspect. */
export function renderDevStatus(r: DevStatusResult, color: ChalkInstance): string {
  const yes = (ok: boolean | undefined, text: string) => (ok ? color.green(text) : color.yellow(text));
  return [
    `cluster    ${r.cluster.name}: ${yes(r.cluster.state === 'running', r.cluster.state)}` +
      (r.cluster.nodes.length > 0 ? ` (${r.cluster.nodes.map((n) => `${n.name} ${n.container}`).join(', ')})` : ''),
    `context    ${r.context.name}: ${r.context.exists ? `${r.context.server}${r.context.local ? '' : color.red(' (NOT on this machine: not queried)')}` : 'missing'}` +
      `${r.context.isCurrent ? ' (current)' : ''}`,
    `api        ${yes(r.api === 'ready', r.api)}${r.nodesReady ? `, nodes Ready ${r.nodesReady}` : ''}`,
    `ingress    ${r.ingress ? `${r.ingress.installed ? `ingress-nginx ${r.ingress.version ?? '?'}` : 'not installed'}${r.ingress.ready ? ' ready' : ''} (kp pins ${r.ingress.pinned})` : '-'}`,
    `helm       ${r.helmReleases.length > 0 ? r.helmReleases.map((h) => `${h.name} (${h.namespace}, ${h.status}, ${h.chart})`).join('; ') : '-'}`,
    `pods       ${r.podsNotReady.length === 0 ? 'all ready' : `not ready: ${r.podsNotReady.map((p) => `${p.namespace}/${p.name} ${p.reason ?? p.phase}`).join(', ')}`}`,
    ...r.endpoints.map((e) => `endpoint   ${e.url} ${yes(e.ok, e.detail)}`),
    r.ready ? color.green('Ready.') : color.yellow('Not ready: `kp dev up` brings it up.'),
  ].join('\n');
}
