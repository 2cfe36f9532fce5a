import * as Args from '@oclif/core/args';
import {KpCommand} from '../../cli/base-command.js';
import {COMPLETION_SHELLS, runAutocompleteScript} from '../../cli/autocomplete.js';

export default class AutocompleteScript extends KpCommand<typeof AutocompleteScript, {shell: string}> {
  static override summary = "Print the line your shell's rc file needs for kp's completion.";
  static override hidden = true;
  static override examples = ['printf "$(<%= config.bin %> autocomplete script bash)" >> ~/.bashrc'];
  static override args = {
    shell: Args.string({description: 'The shell.', options: [...COMPLETION_SHELLS], required: true}),
  };

  protected async execute(): Promise<{shell: string}> {
    await runAutocompleteScript([this.args.shell], this.config);
    return {shell: this.args.shell};
  }

  protected render(): void {
    // the plugin printed the script itself
  }
}
