import {Flags} from '@oclif/core';
import {KpCommand} from '../../base-command.js';
import {composeDown, type ComposeDownResult} from '../../workflows/compose-teardown.js';
import {stackFlags} from '../../flags.js';

export default class ComposeDown extends KpCommand<typeof ComposeDown, ComposeDownResult> {
  static override summary = 'Remove the stack\'s containers and network; named volumes are kept unless --volumes.';
  static override description = `--volumes deletes the ArangoDB and Valkey data: it asks for confirmation, or needs --yes.
Without a terminal and without --yes it refuses (exit 2) and removes nothing.`;
  static override examples = ['<%= config.bin %> compose down', '<%= config.bin %> compose down --volumes --yes'];
  static override flags = {
    ...stackFlags,
    volumes: Flags.boolean({char: 'v', description: 'Also delete the named volumes (all data).'}),
    yes: Flags.boolean({char: 'y', description: 'Confirm --volumes without asking.'}),
  };

  protected execute(): Promise<ComposeDownResult> {
    return composeDown(this.ctx, {file: this.flags.file, envFile: this.flags['env-file'], volumes: this.flags.volumes, yes: this.flags.yes});
  }

  protected render(result: ComposeDownResult): void {
    const removed = result.nothingToRemove ? 'No containers to remove.' : `Removed ${result.removedContainers.length} containers.`;
    this.ctx.out.result(`${removed} ${result.volumesRemoved ? 'Volumes deleted.' : 'Volumes (data) kept.'}`);
  }
}
