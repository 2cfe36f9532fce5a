import {Flags} from '@oclif/core';
import {KpCommand} from '../../base-command.js';
import {targetFlags, targetOptions} from '../../ha/flags.js';
import {renderStatusReport, type HaStatusReport} from '../../ha/report.js';
import {selectTarget} from '../../ha/select-target.js';
import {runHaStatus} from '../../workflows/ha-status.js';

export default class HaStatus extends KpCommand<typeof HaStatus, HaStatusReport> {
  static override description =
    'Show the HA target (state, uptime, restarts), installed vs local component version and whether the files match, and the latest load verdict.';

  static override examples = ['<%= config.bin %> ha status', '<%= config.bin %> ha status --target docker --container homeassistant --json'];

  static override flags = {
    ...targetFlags,
    domain: Flags.string({description: 'Component domain to inspect when there is no local source (default kamerplanter).'}),
  };

  protected async execute(): Promise<HaStatusReport> {
    const {flags} = this;
    const target = selectTarget(this.ctx.runner, targetOptions(flags));
    return runHaStatus(this.ctx, target, {cwd: process.cwd(), source: flags.source, configDir: flags['config-dir'], domain: flags.domain});
  }

  protected render(result: HaStatusReport): void {
    this.ctx.out.result(renderStatusReport(result, this.ctx.out.color));
  }
}
