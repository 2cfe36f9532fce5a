import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import path from 'node:path';
import {KpCommand} from '../../cli/base-command.js';
import {fail} from '../../core/errors.js';
import {COMPLETION_SHELLS, runAutocomplete, type AutocompleteResult} from '../../cli/autocomplete.js';

export default class Autocomplete extends KpCommand<typeof Autocomplete, AutocompleteResult> {
  static override summary = 'Set up shell completion for kp (bash, zsh, powershell).';
  static override examples = ['<%= config.bin %> autocomplete bash', '<%= config.bin %> autocomplete zsh', '<%= config.bin %> autocomplete --refresh-cache'];
  static override args = {
    shell: Args.string({description: 'The shell to set up (default: $SHELL).', options: [...COMPLETION_SHELLS], required: false}),
  };
  static override flags = {
    'refresh-cache': Flags.boolean({char: 'r', description: 'Only rebuild the completion cache (after an upgrade), print no instructions.'}),
  };

  protected async execute(): Promise<AutocompleteResult> {
    // The plugin checks a shell only when it is named; from $SHELL it would print empty instructions.
    const shell = this.args.shell ?? path.basename(process.env.SHELL ?? '');
    if (!(COMPLETION_SHELLS as readonly string[]).includes(shell)) {
      throw fail.usage(
        `kp has completion for ${COMPLETION_SHELLS.join(', ')}; your shell ${shell ? `is ${shell}` : 'is unknown ($SHELL is not set)'}.`,
        `Name one: \`kp autocomplete ${COMPLETION_SHELLS.join('|')}\`.`,
      );
    }
    const argv = [shell, ...(this.flags['refresh-cache'] || this.ctx.json ? ['--refresh-cache'] : [])];
    await runAutocomplete(argv, this.config);
    return {shell, cacheDir: path.join(this.config.cacheDir, 'autocomplete')};
  }

  protected render(): void {
    // the plugin printed its instructions itself
  }
}
