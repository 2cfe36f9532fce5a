import {Flags} from '@oclif/core';
import {KpCommand} from '../../base-command.js';
import {composeStatus, type ComposeStatusResult} from '../../workflows/compose-status.js';
import {stackFlags} from '../../flags.js';

export default class ComposeStatus extends KpCommand<typeof ComposeStatus, ComposeStatusResult> {
  static override summary = 'Show each service\'s state, health, ports and image.';
  static override examples = ['<%= config.bin %> compose status', '<%= config.bin %> compose status --json'];
  static override flags = {
    ...stackFlags,
    profile: Flags.string({char: 'p', description: 'Include the services of a Compose profile (repeatable).', multiple: true}),
  };

  protected execute(): Promise<ComposeStatusResult> {
    return composeStatus(this.ctx, {file: this.flags.file, envFile: this.flags['env-file'], profiles: this.flags.profile ?? []});
  }

  protected render(result: ComposeStatusResult): void {
    const rows = result.services.map((s) => [
      s.service,
      s.state,
      s.health,
      s.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`).join(',') || '-',
      s.image ?? '-',
    ]);
    const header = ['SERVICE', 'STATE', 'HEALTH', 'PORTS', 'IMAGE'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
    this.ctx.out.result([`Stack ${result.project}: ${result.state}`, line(header), ...rows.map(line)].join('\n'));
  }
}
