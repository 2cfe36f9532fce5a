import {Args, Flags} from '@oclif/core';
import {KpCommand} from '../../base-command.js';
import {composeLogs} from '../../workflows/compose-status.js';
import {stackFlags} from '../../flags.js';

export default class ComposeLogs extends KpCommand<typeof ComposeLogs, {exitCode: number}> {
  static override summary = 'Show the logs of some or all services.';
  static override examples = ['<%= config.bin %> compose logs backend --tail 50', '<%= config.bin %> compose logs -f'];
  static override strict = false;
  static override args = {service: Args.string({description: 'Service names (default: all).'})};
  static override flags = {
    ...stackFlags,
    follow: Flags.boolean({char: 'f', description: 'Keep following new log lines.'}),
    tail: Flags.integer({char: 'n', description: 'Only the last N lines per service.', min: 0}),
  };

  protected async execute(): Promise<{exitCode: number}> {
    const services = this.positionals;
    const exitCode = await composeLogs(this.ctx, {
      file: this.flags.file,
      envFile: this.flags['env-file'],
      services,
      follow: this.flags.follow,
      tail: this.flags.tail,
    });
    return {exitCode};
  }

  protected render(): void {
    // The logs themselves were streamed to stdout.
  }
}
