import * as Args from '@oclif/core/args';
import {KpCommand} from '../../cli/base-command.js';
import {fail} from '../../core/errors.js';
import {COMPLETION_SHELLS, runAutocompleteScript} from '../../cli/autocomplete.js';

export default class AutocompleteScript extends KpCommand<typeof AutocompleteScript, {shell: string}> {
  static override summary = "Print the line your shell's rc file needs for kp's completion.";
  static override hidden = true;
  static override examples = ['printf "$(<%= config.bin %> autocomplete script bash)" >> ~/.bashrc'];
  static override args = {
    shell: Args.string({description: 'The shell.', options: [...COMPLETION_SHELLS], required: true}),
  };

  protected async execute(): Promise<{shell: string}> {
    // Its output is shell code for an rc file: a JSON object would break the line printf writes.
    if (this.ctx.json) {
      throw fail.usage('kp autocomplete script prints shell code, not JSON.', `Run it without --json: \`kp autocomplete script ${this.args.shell}\`.`);
    }
    await runAutocompleteScript([this.args.shell], this.config);
    return {shell: this.args.shell};
  }

  protected render(): void {
    // the plugin printed the script itself
  }
}
