import {KpCommand} from '../../cli/base-command.js';
import {composeStackFlags, projectLockFlag, stackOptions} from '../../cli/flags.js';
import {renderComposeStop} from '../../cli/render/compose.js';
import {composeStop, type ComposeStopResult} from '../../workflows/compose/teardown.js';

export default class ComposeStop extends KpCommand<typeof ComposeStop, ComposeStopResult> {
  static override summary = 'Stop the stack; containers and volumes (your data) are kept.';
  static override examples = ['<%= config.bin %> compose stop'];
  static override flags = {...composeStackFlags, ...projectLockFlag};

  protected execute(): Promise<ComposeStopResult> {
    return composeStop(this.ctx, stackOptions(this.flags));
  }

  protected render(result: ComposeStopResult): void {
    this.ctx.out.result(renderComposeStop(result));
  }
}
