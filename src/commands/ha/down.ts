import * as Flags from '@oclif/core/flags';
import {KpCommand} from '../../cli/base-command.js';
import {clusterNameFlag, composeStackFlags, haLifecycleTargetFlag} from '../../cli/flags.js';
import {renderHaDown} from '../../cli/render/ha.js';
import {haDown, type HaDownResult, type HaLifecycleTarget} from '../../workflows/ha/up.js';

export default class HaDown extends KpCommand<typeof HaDown, HaDownResult> {
  static override summary = 'Remove the dev Home Assistant; its config volume is kept unless --volumes.';

  static override description = `--volumes deletes HA's configuration (users, integrations, history): it asks for confirmation,
or needs --yes. Without a terminal and without --yes it refuses (exit 2) and removes nothing.`;

  static override examples = ['<%= config.bin %> ha down', '<%= config.bin %> ha down --target docker --volumes --yes'];

  static override flags = {
    ...haLifecycleTargetFlag,
    ...clusterNameFlag,
    'project-name': composeStackFlags['project-name'],
    volumes: Flags.boolean({char: 'v', description: "Also delete HA's config volume."}),
    yes: Flags.boolean({char: 'y', description: 'Confirm --volumes without asking.'}),
  };

  protected execute(): Promise<HaDownResult> {
    const {flags} = this;
    return haDown(this.ctx, {
      target: flags.target as HaLifecycleTarget | undefined,
      clusterName: flags.name,
      projectName: flags['project-name'],
      volumes: flags.volumes ?? false,
      yes: flags.yes ?? false,
    });
  }

  protected render(result: HaDownResult): void {
    this.ctx.out.result(renderHaDown(result));
  }
}
