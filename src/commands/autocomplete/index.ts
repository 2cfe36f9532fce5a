import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import path from 'node:path';
import {KpCommand} from '../../cli/base-command.js';
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
    const argv = [...(this.args.shell ? [this.args.shell] : []), ...(this.flags['refresh-cache'] || this.ctx.json ? ['--refresh-cache'] : [])];
    await runAutocomplete(argv, this.config);
    return {shell: this.args.shell, cacheDir: path.join(this.config.cacheDir, 'autocomplete')};
  }

  protected render(): void {
    // the plugin printed its instructions itself
  }
}
