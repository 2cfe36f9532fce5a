import * as Flags from '@oclif/core/flags';
import {KpCommand} from '../../cli/base-command.js';
import {composeStackFlags, stackOptions} from '../../cli/flags.js';
import {renderComposeStatus} from '../../cli/render/compose.js';
import {composeStatus, type ComposeStatusResult} from '../../workflows/compose/status.js';

export default class ComposeStatus extends KpCommand<typeof ComposeStatus, ComposeStatusResult> {
  static override summary = "Show each service's state, health, ports and image.";
  static override examples = ['<%= config.bin %> compose status', '<%= config.bin %> compose status --json'];
  static override flags = {
    ...composeStackFlags,
    profile: Flags.string({char: 'p', description: 'Include the services of a Compose profile (repeatable).', multiple: true}),
  };

  protected execute(): Promise<ComposeStatusResult> {
    return composeStatus(this.ctx, {...stackOptions(this.flags), profiles: this.flags.profile ?? []});
  }

  protected render(result: ComposeStatusResult): void {
    this.ctx.out.result(renderComposeStatus(result));
  }
}
