import * as Flags from '@oclif/core/flags';
import {KpCommand} from '../../cli/base-command.js';
import {haTargetFlags, haTargetOptions} from '../../cli/flags.js';
import {renderStatusReport} from '../../cli/render/ha.js';
import type {HaStatusReport} from '../../workflows/ha/report.js';
import {haStatus} from '../../workflows/ha/status.js';

export default class HaStatus extends KpCommand<typeof HaStatus, HaStatusReport> {
  static override description =
    "Show the HA target (state, uptime, restarts), installed vs local component version and whether the files match, the config entries, and what HA's log says since it started.";

  static override examples = ['<%= config.bin %> ha status', '<%= config.bin %> ha status --target docker --container homeassistant --json'];

  static override flags = {
    ...haTargetFlags,
    domain: Flags.string({description: 'Component domain to inspect when there is no local source (default kamerplanter).'}),
  };

  protected execute(): Promise<HaStatusReport> {
    const {flags} = this;
    return haStatus(this.ctx, {
      target: haTargetOptions(flags),
      cwd: process.cwd(),
      source: flags.source,
      configDir: flags['config-dir'],
      domain: flags.domain,
    });
  }

  protected render(result: HaStatusReport): void {
    this.ctx.out.result(renderStatusReport(result, this.ctx.out.resultColor));
  }
}
