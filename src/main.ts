/**
 * The CLI bundle's entry (dist/kp.cjs): oclif's `execute`, every command class under its id (oclif's
 * "explicit" command discovery reads `COMMANDS`), and the hooks. One module, so a running kp holds
 * exactly one copy of @oclif/core, the one every command extends.
 */
import Autocomplete from './commands/autocomplete/index.js';
import AutocompleteScript from './commands/autocomplete/script.js';
import ComposeDown from './commands/compose/down.js';
import ComposeLogs from './commands/compose/logs.js';
import ComposeStart from './commands/compose/start.js';
import ComposeStatus from './commands/compose/status.js';
import ComposeStop from './commands/compose/stop.js';
import DevDown from './commands/dev/down.js';
import DevInit from './commands/dev/init.js';
import DevStatus from './commands/dev/status.js';
import DevUp from './commands/dev/up.js';
import Doctor from './commands/doctor.js';
import HaCredentials from './commands/ha/credentials.js';
import HaDown from './commands/ha/down.js';
import HaStatus from './commands/ha/status.js';
import HaSync from './commands/ha/sync.js';
import HaUp from './commands/ha/up.js';
import type {CommandsWithoutJson, JsonResults} from './cli/json-contract.js';

// Subpath imports, not the package index: the index checks Node's version with semver at load
// (~11 ms of every start-up) and pulls in every oclif module.
export {execute} from '@oclif/core/execute';
import {settings} from '@oclif/core/settings';

// kp always runs built: never let oclif look for TypeScript sources (it does when NODE_ENV is
// development or test, which many developers export globally), which costs start-up and warnings.
settings.enableAutoTranspile = false;
export {default as commandNotFound} from './cli/hooks/command-not-found.js';

/** Every kp command, keyed by oclif id (topic and verb joined by `:`). */
export const COMMANDS = {
  autocomplete: Autocomplete,
  'autocomplete:script': AutocompleteScript,
  'compose:down': ComposeDown,
  'compose:logs': ComposeLogs,
  'compose:start': ComposeStart,
  'compose:status': ComposeStatus,
  'compose:stop': ComposeStop,
  'dev:down': DevDown,
  'dev:init': DevInit,
  'dev:status': DevStatus,
  'dev:up': DevUp,
  doctor: Doctor,
  'ha:credentials': HaCredentials,
  'ha:down': HaDown,
  'ha:status': HaStatus,
  'ha:sync': HaSync,
  'ha:up': HaUp,
};

// The --json contract (src/cli/json-contract.ts, from which schemas/ is generated) names each
// command's result type: the build fails, naming the command, when a command's result and its
// contract part ways (ha sync's watch result is not printed as such: its lines have their own type).
type PrintedResultOf<C> = C extends {prototype: {run(): Promise<infer R>}} ? Exclude<R, {watch: true}> : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type ContractBreaks = {
  [K in keyof typeof COMMANDS]: K extends keyof JsonResults
    ? Same<PrintedResultOf<(typeof COMMANDS)[K]>, JsonResults[K]> extends true
      ? never
      : K
    : K extends keyof CommandsWithoutJson
      ? never
      : K;
}[keyof typeof COMMANDS];
type NoContractBreak<T extends never> = T;
export type _EveryCommandKeepsItsContract = NoContractBreak<ContractBreaks | Exclude<keyof JsonResults | keyof CommandsWithoutJson, keyof typeof COMMANDS>>;
