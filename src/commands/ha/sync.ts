import * as Flags from '@oclif/core/flags';
import {KpCommand} from '../../cli/base-command.js';
import {haTargetFlags, haTargetOptions} from '../../cli/flags.js';
import {renderSyncReport, renderWatchEnd, renderWatchRound, watchSummaryLine} from '../../cli/render/ha.js';
import {haSync, haSyncExitCode, type HaSyncResult} from '../../workflows/ha/sync.js';
import type {RestartMethod} from '../../workflows/ha/targets/target.js';
import {exitWhenDone} from '../../core/interruption.js';

/** How long an ended watch may take to exit on its own before kp ends the process itself. */
const WATCH_EXIT_GRACE_MS = 2_000;

export default class HaSync extends KpCommand<typeof HaSync, HaSyncResult> {
  static override description =
    "Put the local custom component into the running Home Assistant: only changed files, atomic swap, cache clear, restart, and HA's own verdict (its config entry's state, else its log).";

  static override examples = [
    '<%= config.bin %> ha sync',
    '<%= config.bin %> ha sync --source custom_components/kamerplanter --watch',
    '<%= config.bin %> ha sync --target docker --container homeassistant',
    '<%= config.bin %> ha sync --target docker --project-name kamerplanter --json',
    '<%= config.bin %> ha sync --context kind-kamerplanter -n default --pod homeassistant-0 --restart none',
    '<%= config.bin %> ha sync --no-lint --lock-timeout 10',
  ];

  static override flags = {
    ...haTargetFlags,
    restart: Flags.string({
      description:
        "How HA takes a change. auto: no restart when only existing www/ files or images changed (HA serves them from disk); else the code is reloaded in the running HA through kp's kp_reload companion where `kp ha up` installed it (no restart; what only a restart loads falls back to one), else HA restarts in place (SIGHUP to HA's process, which its supervisor starts again inside the same container: no crash back-off) where the target runs HA that way, else the container (docker restart, or kill 1 in a pod); reload: reload through the companion or fail (exit 3); inplace: in place or refuse; kill: kill 1 in the container (initContainers do not re-run); pod: pod deletion; none.",
      options: ['auto', 'reload', 'inplace', 'kill', 'pod', 'none'],
      default: 'auto',
    }),
    lint: Flags.boolean({
      allowNo: true,
      description:
        "Run ruff check and ruff format --check on the changed Python files (default): the ruff on PATH, else kp's in-process ruff (Ruff's WebAssembly build). --lint requires a ruff; --no-lint skips.",
    }),
    'lock-timeout': Flags.integer({description: 'Seconds to wait for another sync into the same target to finish.', default: 120, min: 0}),
    force: Flags.boolean({description: 'Rebuild the remote tree (caches cleared) and restart even when nothing changed.'}),
    timeout: Flags.integer({description: 'Seconds to wait for the restart, readiness and the load verdict.', default: 120, min: 1}),
    settle: Flags.integer({
      description:
        "Seconds to keep reading HA's log after HA answers and the load was seen, for setup errors that come later (HA answers before it has set up custom integrations). A failure ends the wait at once.",
      default: 2,
      min: 0,
    }),
    watch: Flags.boolean({char: 'w', description: 'Keep running and sync again after every burst of local changes (Ctrl-C stops).'}),
    debounce: Flags.integer({description: 'With --watch: milliseconds of quiet before a burst of saves is synced.', default: 200, min: 0}),
    ignore: Flags.string({
      description:
        'A glob (relative to the component folder, e.g. "www/dev-*.js" or "**/*.bak") of files never sent, never deleted in HA, and never a reason for a round. Repeatable.',
      multiple: true,
    }),
  };

  protected execute(): Promise<HaSyncResult> {
    const {flags} = this;
    const {out, json} = this.ctx;
    return haSync(this.ctx, {
      target: haTargetOptions(flags),
      cwd: process.cwd(),
      source: flags.source,
      configDir: flags['config-dir'],
      restart: flags.restart as RestartMethod,
      force: flags.force,
      timeoutMs: flags.timeout * 1000,
      lockTimeoutMs: flags['lock-timeout'] * 1000,
      lintMode: flags.lint === undefined ? 'auto' : flags.lint ? 'required' : 'off',
      settleMs: flags.settle * 1000,
      watch: flags.watch,
      debounceMs: flags.debounce,
      ignore: flags.ignore ?? [],
      // Progress (stderr) in every mode; on stdout a table per round for humans, one JSON line per
      // round with --json (newline-delimited, so an editor task can follow the loop).
      onRound: (round) => {
        const {table} = renderWatchRound(round, out.resultColor);
        const {progress} = renderWatchRound(round, out.color);
        if (json) process.stdout.write(`${JSON.stringify(round)}\n`);
        else if (table) out.result(table);
        for (const line of progress) out.info(line);
      },
    });
  }

  override async run(): Promise<HaSyncResult> {
    const result = await super.run();
    // A watch that printed its summary has ended: no leaked handle may keep kp running after it.
    if ('watch' in result)
      exitWhenDone(
        WATCH_EXIT_GRACE_MS,
        () => this.ctx.out.verbose && this.ctx.out.info('kp: something still held the process open after the watch ended; exiting.'),
      );
    return result;
  }

  /** With --watch, stdout is NDJSON: an error before or instead of the rounds is one line too. */
  protected override streamsJson(): boolean {
    return this.flags?.watch ?? (this.argv.includes('--watch') || this.argv.includes('-w'));
  }

  /** With --watch the rounds are already on stdout, one line each: the end adds one summary line. */
  protected override jsonText(result: HaSyncResult): string {
    return 'watch' in result ? watchSummaryLine(result) : super.jsonText(result);
  }

  protected override exitCodeFor(result: HaSyncResult): number {
    return haSyncExitCode(result);
  }

  protected render(result: HaSyncResult): void {
    this.ctx.out.result('watch' in result ? renderWatchEnd(result) : renderSyncReport(result, this.ctx.out.resultColor));
  }
}
