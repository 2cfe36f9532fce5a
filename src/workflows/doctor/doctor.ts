/**
 * `kp doctor`: every check kp's commands depend on, each with a status and a hint.
 * Probes run in parallel; nothing is changed. The doctor is the one workflow that reads other
 * features' modules: it reports on all of them.
 */
// One function per import: semver's index loads (and compiles regexes for) all of semver at start-up.
import gte from 'semver/functions/gte.js';
import coerce from 'semver/functions/coerce.js';
import major from 'semver/functions/major.js';
import {Engine} from '../../tools/docker.js';
import type {KpContext} from '../context.js';
import type {StackOptions} from '../compose/stack.js';
import type {DoctorCheck} from './check.js';
import {composeCheck, engineChecks, stackPortChecks} from './compose-checks.js';

/** The Node.js lines CI tests kp on and the oldest release of each it tests (a table: semver's ranges cost start-up). */
const TESTED_NODE_LINES: Record<number, string> = {20: '20.20.0', 22: '22.23.0', 24: '24.22.0'};
/** The same as package.json's `engines` says it (a test compares them). */
export const TESTED_NODE = Object.values(TESTED_NODE_LINES)
  .map((oldest) => `^${oldest}`)
  .join(' || ');
/** The oldest Node.js kp runs on; a newer one CI does not test is a warning, not a failure. */
export const MIN_NODE = '20.20.0';

/** The documented JSON of `kp doctor --json`. */
export interface DoctorResult {
  /** False when any required check failed. */
  ok: boolean;
  checks: DoctorCheck[];
}

/** What `kp doctor` looks at: the compose stack and the dev workspace. */
export interface DoctorOptions extends StackOptions {
  workspace?: string;
}

/** Check the Node.js version (pure). */
export function checkNode(version: string): DoctorCheck {
  const found = coerce(version) ?? '0.0.0';
  const check = {name: 'node', required: true, detail: version};
  if (!gte(found, MIN_NODE)) return {...check, status: 'fail', hint: `kp needs Node.js >= ${MIN_NODE}; install a current LTS (22 or 24).`};
  const oldestTested = TESTED_NODE_LINES[major(found)];
  if (oldestTested === undefined || !gte(found, oldestTested))
    return {...check, status: 'warn', hint: `Not a Node.js release kp is tested on (${TESTED_NODE}); a current 22 or 24 LTS is.`};
  return {...check, status: 'ok'};
}

/** Run every check. */
export async function doctor(ctx: KpContext, options: DoctorOptions): Promise<DoctorResult> {
  const engine = new Engine(ctx.runner);
  const [engineAndPorts, compose, dev] = await Promise.all([
    engineChecks(engine).then(async ({checks, version}) => [...checks, ...(await stackPortChecks(engine, Boolean(version?.server), options))]),
    composeCheck(ctx, engine),
    import('./dev-checks.js').then(({devDoctorChecks}) => devDoctorChecks(ctx, options)),
  ]);
  const checks = [checkNode(process.versions.node), ...engineAndPorts, compose, ...dev];
  return {ok: checks.every((c) => !c.required || c.status !== 'fail'), checks};
}
