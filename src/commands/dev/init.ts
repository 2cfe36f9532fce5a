import {Flags} from '@oclif/core';
import {KpCommand} from '../../base-command.js';
import type {DevInitResult} from '../../workflows/dev-init.js';

export default class DevInit extends KpCommand<typeof DevInit, DevInitResult> {
  static override summary = "Write kp's skaffold.yaml and kind-config.yaml into a checkout that lacks them.";
  static override description = 'Existing files are never overwritten.';
  static override examples = ['<%= config.bin %> dev init', '<%= config.bin %> dev init --workspace ~/src/kamerplanter'];

  static override flags = {
    workspace: Flags.string({description: 'Kamerplanter checkout (default: KP_WORKSPACE, else the nearest parent with skaffold.yaml or helm/kamerplanter).'}),
  };

  protected async execute(): Promise<DevInitResult> {
    const {devInit} = await import('../../workflows/dev-init.js');
    return devInit(this.ctx, {workspace: this.flags.workspace});
  }

  protected render(result: DevInitResult): void {
    const lines = [
      ...result.written.map((f) => `wrote ${f}`),
      ...result.kept.map((f) => `kept  ${f} (exists; not overwritten)`),
    ];
    this.ctx.out.result(lines.join('\n') || 'nothing to do');
  }
}
