import {KpCommand} from '../../base-command.js';
import {composeStop, type ComposeStopResult} from '../../workflows/compose-teardown.js';
import {stackFlags} from '../../flags.js';

export default class ComposeStop extends KpCommand<typeof ComposeStop, ComposeStopResult> {
  static override summary = 'Stop the stack; containers and volumes (your data) are kept.';
  static override examples = ['<%= config.bin %> compose stop'];
  static override flags = {...stackFlags};

  protected execute(): Promise<ComposeStopResult> {
    return composeStop(this.ctx, {file: this.flags.file, envFile: this.flags['env-file']});
  }

  protected render(result: ComposeStopResult): void {
    this.ctx.out.result(result.alreadyStopped ? 'Nothing was running.' : `Stopped: ${result.stopped.join(', ')}. Data kept.`);
  }
}
