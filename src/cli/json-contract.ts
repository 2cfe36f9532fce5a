/**
 * kp's `--json` contract: what each command prints on stdout with `--json`, as TypeScript types.
 * `npm run schemas` (scripts/schemas.mjs) generates schemas/*.json from this module, and a unit test
 * fails when a type here changes without its schema. Types only: nothing of it reaches the bundle.
 */
import type {AutocompleteResult} from './autocomplete.js';
import type {ExitCodeValue} from '../core/errors.js';
import type {ComposeLogsResult} from '../workflows/compose/logs.js';
import type {ImagePullDetails} from '../workflows/compose/images.js';
import type {PortConflictDetails} from '../workflows/compose/ports.js';
import type {ComposeStartResult} from '../workflows/compose/start.js';
import type {ComposeStatusResult} from '../workflows/compose/status.js';
import type {ComposeDownResult, ComposeStopResult} from '../workflows/compose/teardown.js';
import type {NotReadyDetails} from '../workflows/compose/wait.js';
import type {DevDownResult} from '../workflows/dev/down.js';
import type {DevInitResult} from '../workflows/dev/init.js';
import type {MissingToolsDetails} from '../workflows/dev/preflight.js';
import type {DevStatusResult} from '../workflows/dev/status.js';
import type {DevUpResult} from '../workflows/dev/up.js';
import type {DoctorResult} from '../workflows/doctor/doctor.js';
import type {HaCredentialsResult} from '../workflows/ha/credentials.js';
import type {LintResult} from '../workflows/ha/lint.js';
import type {HaStatusReport, HaSyncReport} from '../workflows/ha/report.js';
import type {HaDownResult, HaUpResult} from '../workflows/ha/up.js';
import type {HaWatchSummaryLine, WatchRound} from '../workflows/ha/watch.js';

/**
 * The result object each command prints with `--json`, keyed by oclif command id (each doc comment
 * becomes its schema's description). A failure prints a JsonError instead.
 */
export interface JsonResults {
  /** `kp autocomplete --json`: the shell whose completion cache was rebuilt, and where it is. */
  autocomplete: AutocompleteResult;
  /** `kp compose down --json`: what was removed (exit 0). */
  'compose:down': ComposeDownResult;
  /**
   * `kp compose logs --json`: Compose's exit code once the logs were shown; the log lines go to
   * stderr (exit 0, 4 when Compose failed, 130 after Ctrl-C).
   */
  'compose:logs': ComposeLogsResult;
  /** `kp compose start --json`: the stack, what kp did to it, each service's state and the URLs (exit 0). */
  'compose:start': ComposeStartResult;
  /** `kp compose status --json`: each service's state, health, ports and image (exit 0). */
  'compose:status': ComposeStatusResult;
  /** `kp compose stop --json`: what was stopped (exit 0). */
  'compose:stop': ComposeStopResult;
  /** `kp dev down --json`: what was deleted (exit 0). */
  'dev:down': DevDownResult;
  /** `kp dev init --json`: the files written and those kept (exit 0). */
  'dev:init': DevInitResult;
  /** `kp dev status --json`: the cluster, its Helm releases, pods not ready and endpoints (exit 0). */
  'dev:status': DevStatusResult;
  /**
   * `kp dev up --json`: the cluster, ingress, Helm and Skaffold steps; printed when Skaffold ends
   * (with --detach after `skaffold run`). Skaffold's exit code is kp's.
   */
  'dev:up': DevUpResult;
  /** `kp doctor --json`: every check (exit 0, or 3 when a required check failed). */
  doctor: DoctorResult;
  /** `kp ha credentials --json`: the login kp created when it onboarded the dev Home Assistant (exit 0). */
  'ha:credentials': HaCredentialsResult;
  /** `kp ha down --json`: what was removed (exit 0). */
  'ha:down': HaDownResult;
  /** `kp ha status --json`: the target, the installed and local component, HA's verdict and config entries (exit 0). */
  'ha:status': HaStatusReport;
  /**
   * `kp ha sync --json` (without --watch: see ha-sync-watch-line.json): the round's report; its
   * `exitCode` is kp's (0; 3 when HA stopped, 5 on a timeout, 6 when the integration did not load).
   */
  'ha:sync': HaSyncReport;
  /** `kp ha up --json`: where HA runs, its onboarding, wiring, companion and first sync (the sync's exit code is kp's). */
  'ha:up': HaUpResult;
}

/**
 * The commands that print no JSON, each with why: `--json` is refused (exit 2, as a JsonError).
 * The value types are unused; only the keys and doc comments count.
 */
export interface CommandsWithoutJson {
  /** Prints the line a shell's rc file sources (`printf "$(kp autocomplete script bash)"`): shell code, never JSON. */
  'autocomplete:script': true;
}

/** Structured detail some failures add to their error object (each type is declared where it is thrown). */
export type JsonErrorDetails = Partial<NotReadyDetails & PortConflictDetails & ImagePullDetails & MissingToolsDetails & {lint: LintResult}>;

/** What every command prints with `--json` when it fails: one object, `error`, on stdout. */
export interface JsonError {
  error: JsonErrorBody;
}

/** The failure: what happened, what to do, kp's exit code, and the detail some failures add. */
export interface JsonErrorBody extends JsonErrorDetails {
  message: string;
  hint: string;
  exitCode: ExitCodeValue;
}

/**
 * One line of `kp ha sync --watch --json` (newline-delimited JSON): a round as it ends, the summary
 * once Ctrl-C ended the watch, or a failure that ended it before or between rounds.
 */
export type HaSyncWatchLine = WatchRound | HaWatchSummaryLine | JsonError;
