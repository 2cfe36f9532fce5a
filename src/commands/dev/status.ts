import {Flags} from '@oclif/core';
import {KpCommand} from '../../base-command.js';
import type {DevStatusResult} from '../../workflows/dev-status.js';

export default class DevStatus extends KpCommand<typeof DevStatus, DevStatusResult> {
  static override summary = 'Show the dev cluster: nodes, context, Helm releases, pods not ready, endpoints.';
  static override examples = ['<%= config.bin %> dev status', '<%= config.bin %> dev status --json'];

  static override flags = {
    name: Flags.string({description: 'kind cluster name.', default: 'kamerplanter'}),
    workspace: Flags.string({description: 'Kamerplanter checkout whose port-forwards to probe.'}),
  };

  protected async execute(): Promise<DevStatusResult> {
    const {devStatus} = await import('../../workflows/dev-status.js');
    return devStatus(this.ctx, {name: this.flags.name, workspace: this.flags.workspace});
  }

  protected render(r: DevStatusResult): void {
    const {color} = this.ctx.out;
    const yes = (ok: boolean | undefined, text: string) => (ok ? color.green(text) : color.yellow(text));
    const lines = [
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
    ];
    this.ctx.out.result(lines.join('\n'));
  }
}
