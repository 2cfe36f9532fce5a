import {KpCommand} from '../../cli/base-command.js';
import {workspaceFlag} from '../../cli/flags.js';
import {renderDevInit} from '../../cli/render/dev.js';
import type {DevInitResult} from '../../workflows/dev/init.js';

export default class DevInit extends KpCommand<typeof DevInit, DevInitResult> {
  static override summary = "Write kp's skaffold.yaml and kind-config.yaml into a checkout that lacks them.";
  static override description = 'Existing files are never overwritten.';
  static override examples = ['<%= config.bin %> dev init', '<%= config.bin %> dev init --workspace ~/src/kamerplanter'];

  static override flags = {...workspaceFlag};

  protected async execute(): Promise<DevInitResult> {
    const {devInit} = await import('../../workflows/dev/init.js');
    return devInit(this.ctx, {workspace: this.flags.workspace});
  }

  protected render(result: DevInitResult): void {
    this.ctx.out.result(renderDevInit(result));
  }
}
