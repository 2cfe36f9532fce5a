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
  const {cluster, ingress, helm, skaffold, modules} = result;
  return [
    `cluster  ${cluster.name} (${cluster.context} -> ${cluster.server})${cluster.actions.length > 0 ? `: ${cluster.actions.join(', ')}` : ': unchanged'}` +
      (cluster.kindConfig.derived && cluster.actions.includes('create-cluster') && cluster.kindConfig.removedHostPorts.length > 0
        ? ` (without host ports ${cluster.kindConfig.removedHostPorts.join(', ')})`
        : '') +
      (cluster.actions.includes('create-cluster') && cluster.kindConfig.listenAddress.ports.length > 0
        ? ` (host ports ${cluster.kindConfig.listenAddress.ports.join(', ')} on ${cluster.kindConfig.listenAddress.address})`
        : ''),
    `ingress  ${ingress.controller} ${ingress.version}: ${ingress.action === 'none' ? 'unchanged' : ingress.action}${ingress.manifest ? ` (manifest from ${ingress.manifest})` : ''}`,
    `helm     ${helm.reposAdded.length > 0 ? `added ${helm.reposAdded.map((r) => `${r.name} (${r.url})`).join(', ')}` : 'repositories already known'}`,
    `skaffold ${skaffold.mode} -m ${modules.selected.length > 0 ? modules.selected.join(',') : '(all)'} exited ${skaffold.exitCode}`,
  ].join('\n');
}

/** What `kp dev down` deleted. */
export function renderDevDown(result: DevDownResult): string {
  if (result.dryRun) return `Dry run: nothing was deleted${result.nodes.length > 0 ? ` (kind cluster ${result.name} has ${result.nodes.join(', ')})` : ''}.`;
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
    // Pods are only known when the API answered: an absent or unreachable cluster has no "all ready".
    `pods       ${r.api === 'ready' || r.api === 'nodes-not-ready' ? (r.podsNotReady.length === 0 ? 'all ready' : `not ready: ${r.podsNotReady.map((p) => `${p.namespace}/${p.name} ${p.reason ?? p.phase}`).join(', ')}`) : '-'}`,
    ...r.endpoints.map((e) => `endpoint   ${e.url} ${yes(e.ok, e.detail)}`),
    ...r.portCollisions.map(
      (c) =>
        color.red(`collision  port ${c.port} is published by ${c.heldBy}, so Skaffold cannot forward ${c.forward} there`) +
        (c.skaffoldListensOn.length > 0 ? ` (Skaffold listens on ${c.skaffoldListensOn.join(', ')} instead)` : '') +
        color.dim(' -> kp dev up --recreate creates the cluster without it'),
    ),
    ...r.exposedPorts.map(
      (e) =>
        color.red(`exposed    port ${e.port} (${e.service}) of ${e.node} is published on ${e.address}: reachable from other machines`) +
        color.dim(' -> kp dev up --recreate publishes it on 127.0.0.1'),
    ),
    r.ready ? color.green('Ready.') : color.yellow('Not ready: `kp dev up` brings it up.'),
  ].join('\n');
}
