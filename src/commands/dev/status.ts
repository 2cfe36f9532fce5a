import {KpCommand} from '../../cli/base-command.js';
import {clusterNameFlag, workspaceFlag} from '../../cli/flags.js';
import {renderDevStatus} from '../../cli/render/dev.js';
import type {DevStatusResult} from '../../workflows/dev/status.js';

export default class DevStatus extends KpCommand<typeof DevStatus, DevStatusResult> {
  static override summary = 'Show the dev cluster: nodes, context, Helm releases, pods not ready, endpoints.';
  static override examples = ['<%= config.bin %> dev status', '<%= config.bin %> dev status --json'];

  static override flags = {...clusterNameFlag, ...workspaceFlag};

  protected async execute(): Promise<DevStatusResult> {
    const {devStatus} = await import('../../workflows/dev/status.js');
    return devStatus(this.ctx, {name: this.flags.name, workspace: this.flags.workspace});
  }

  protected render(result: DevStatusResult): void {
    this.ctx.out.result(renderDevStatus(result, this.ctx.out.resultColor));
  }
}
