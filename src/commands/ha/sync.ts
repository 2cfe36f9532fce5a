import {Flags} from '@oclif/core';
import {KpCommand} from '../../base-command.js';
import {targetFlags, targetOptions} from '../../ha/flags.js';
import {renderSyncReport, type HaSyncReport} from '../../ha/report.js';
import {selectTarget} from '../../ha/select-target.js';
import type {RestartMethod} from '../../ha/target.js';
import {runHaSync, type HaSyncOptions} from '../../workflows/ha-sync.js';
import {runHaWatch, type HaWatchResult} from '../../workflows/ha-watch.js';

/** What `kp ha sync` returns: one round's report, or every round of a watch session. */
type SyncResult = HaSyncReport | HaWatchResult;

export default class HaSync extends KpCommand<typeof HaSync, SyncResult> {
  static override description =
    'Put the local custom component into the running Home Assistant: only changed files, atomic swap, cache clear, restart, and a verdict from HA\'s log.';

  static override examples = [
    '<%= config.bin %> ha sync',
    '<%= config.bin %> ha sync --source custom_components/kamerplanter --watch',
    '<%= config.bin %> ha sync --target docker --container homeassistant',
    '<%= config.bin %> ha sync --target docker --compose-project kamerplanter --json',
    '<%= config.bin %> ha sync --context kind-kamerplanter -n default --pod homeassistant-0 --restart none',
  ];

  static override flags = {
    ...targetFlags,
    restart: Flags.string({
      description: 'How HA restarts after a change: kill 1 in the container (initContainers do not re-run), pod deletion (re-runs them), or none.',
      options: ['kill', 'pod', 'none'],
      default: 'kill',
    }),
    force: Flags.boolean({description: 'Rebuild the remote tree (caches cleared) and restart even when nothing changed.'}),
    timeout: Flags.integer({description: 'Seconds to wait for the restart, readiness and the load verdict.', default: 120, min: 1}),
    settle: Flags.integer({description: 'Seconds to keep reading the log after a clean load, for late setup errors.', default: 2, min: 0}),
    watch: Flags.boolean({char: 'w', description: 'Keep running and sync again after every burst of local changes (Ctrl-C stops).'}),
    debounce: Flags.integer({description: 'With --watch: milliseconds of quiet before a burst of saves is synced.', default: 400, min: 0}),
  };

  protected async execute(): Promise<SyncResult> {
    const {flags} = this;
    const target = selectTarget(this.ctx.runner, targetOptions(flags));
    const options: HaSyncOptions = {
      cwd: process.cwd(),
      source: flags.source,
      configDir: flags['config-dir'],
      restart: flags.restart as RestartMethod,
      force: flags.force,
      timeoutMs: flags.timeout * 1000,
      settleMs: flags.settle * 1000,
    };
    if (!flags.watch) {
      const report = await runHaSync(this.ctx, target, options);
      process.exitCode = report.exitCode;
      return report;
    }
    return runHaWatch(this.ctx, target, options, flags.debounce, (round) => {
      // Progress (stderr) in every mode; the tables (stdout) only for humans: --json prints one result at the end.
      if (round.ok) {
        if (!this.ctx.json) this.ctx.out.result(renderSyncReport(round.report, this.ctx.out.color));
        this.ctx.out.info(`round ${round.report.outcome}; waiting for changes.`);
      } else {
        this.ctx.out.info(`${this.ctx.out.color.red('round failed:')} ${round.error.message}`);
        if (round.error.hint) this.ctx.out.info(`${this.ctx.out.color.dim('hint:')} ${round.error.hint}`);
        this.ctx.out.info('Waiting for the next change to try again.');
      }
    });
  }

  protected render(result: SyncResult): void {
    if ('watch' in result) {
      this.ctx.out.result(`Stopped watching after ${result.rounds.length} rounds (${result.failedRounds} failed).`);
      return;
    }
    this.ctx.out.result(renderSyncReport(result, this.ctx.out.color));
  }
}
