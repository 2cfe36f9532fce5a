import * as Flags from '@oclif/core/flags';
import {KpCommand} from '../../cli/base-command.js';
import {composeStackFlags, projectLockFlag, stackOptions} from '../../cli/flags.js';
import {renderComposeDown} from '../../cli/render/compose.js';
import {composeDown, type ComposeDownResult} from '../../workflows/compose/teardown.js';

export default class ComposeDown extends KpCommand<typeof ComposeDown, ComposeDownResult> {
  static override summary = "Remove the stack's containers and network; named volumes are kept unless --volumes.";
  static override description = `--volumes deletes the ArangoDB and Valkey data: it asks for confirmation, or needs --yes.
Without a terminal and without --yes it refuses (exit 2) and removes nothing.`;
  static override examples = ['<%= config.bin %> compose down', '<%= config.bin %> compose down --volumes --yes'];
  static override flags = {
    ...composeStackFlags,
    ...projectLockFlag,
    volumes: Flags.boolean({char: 'v', description: 'Also delete the named volumes (all data).'}),
    yes: Flags.boolean({char: 'y', description: 'Confirm --volumes without asking.'}),
  };

  protected execute(): Promise<ComposeDownResult> {
    // oclif leaves a boolean flag that was not given undefined (its inferred type says boolean).
    return composeDown(this.ctx, {...stackOptions(this.flags), volumes: Boolean(this.flags.volumes), yes: Boolean(this.flags.yes)});
  }

  protected render(result: ComposeDownResult): void {
    this.ctx.out.result(renderComposeDown(result));
  }
}
