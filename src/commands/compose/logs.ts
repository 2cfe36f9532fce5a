import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import {KpCommand} from '../../cli/base-command.js';
import {ExitCode} from '../../core/errors.js';
import {composeStackFlags, stackOptions} from '../../cli/flags.js';
import {composeLogs, type ComposeLogsResult} from '../../workflows/compose/logs.js';

export default class ComposeLogs extends KpCommand<typeof ComposeLogs, ComposeLogsResult> {
  static override summary = 'Show the logs of some or all services.';
  static override examples = ['<%= config.bin %> compose logs backend --tail 50', '<%= config.bin %> compose logs -f'];
  static override strict = false;
  static override args = {service: Args.string({description: 'Service names (default: all).'})};
  static override flags = {
    ...composeStackFlags,
    follow: Flags.boolean({char: 'f', description: 'Keep following new log lines.'}),
    tail: Flags.integer({char: 'n', description: 'Only the last N lines per service.', min: 0}),
  };

  protected execute(): Promise<ComposeLogsResult> {
    return composeLogs(this.ctx, {...stackOptions(this.flags), services: this.positionals, follow: this.flags.follow, tail: this.flags.tail});
  }

  // Compose's failure is a tool failure (4); Ctrl-C while following is 130, whatever Compose's own
  // exit code after the signal (v1 and v2 differ).
  protected override exitCodeFor(result: ComposeLogsResult): number {
    if (result.interrupted) return ExitCode.Interrupted;
    if (result.exitCode === 0 || result.exitCode === ExitCode.Interrupted) return result.exitCode;
    return ExitCode.ToolFailed;
  }

  protected render(): void {
    // The logs themselves were streamed to stdout.
  }
}
