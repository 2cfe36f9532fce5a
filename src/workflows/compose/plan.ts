/**
 * Whether `kp compose start` has to run `up` (pure: fed with the observed state and the last
 * start record).
 */
import type {ServiceStatus} from './services.js';
import type {StartRecord} from './start-record.js';

/** What `kp compose start` decided to do. */
export type StartPlan = {kind: 'already-up'; reason: string} | {kind: 'up'; action: 'created' | 'started' | 'updated'; reason: string};

/** Decide whether `up` must run. */
export function planStart(input: {
  expected: readonly string[];
  statuses: readonly ServiceStatus[];
  fingerprint: string;
  record: StartRecord | undefined;
}): StartPlan {
  const byName = new Map(input.statuses.map((s) => [s.service, s]));
  const present = input.expected.filter((name) => byName.get(name)?.state !== undefined && byName.get(name)?.state !== 'missing');
  if (present.length === 0) return {kind: 'up', action: 'created', reason: 'the stack does not exist yet'};
  const missing = input.expected.filter((name) => !present.includes(name));
  if (missing.length > 0) return {kind: 'up', action: 'created', reason: `services without a container: ${missing.join(', ')}`};
  // A second container of a service runs it twice (celery-beat would schedule every task twice):
  // `up` scales each service back to its one container.
  const doubled = input.expected.filter((name) => (byName.get(name)?.duplicates.length ?? 0) > 0);
  if (doubled.length > 0) {
    return {
      kind: 'up',
      action: 'updated',
      reason: `more than one container for ${doubled.map((name) => `${name} (${byName.get(name)!.duplicates.join(', ')})`).join(', ')}`,
    };
  }
  const stopped = input.expected.filter((name) => byName.get(name)?.state !== 'running');
  if (stopped.length > 0) return {kind: 'up', action: 'started', reason: `services not running: ${stopped.join(', ')}`};
  if (!input.record) return {kind: 'up', action: 'updated', reason: 'no record of a previous kp start: letting Compose compare the configuration'};
  if (input.record.fingerprint !== input.fingerprint) {
    return {kind: 'up', action: 'updated', reason: 'the compose file, env file, profiles or image overrides changed since the last start'};
  }
  const changed = input.expected.filter((name) => input.record!.containerIds[name] !== byName.get(name)?.containerId);
  if (changed.length > 0) return {kind: 'up', action: 'updated', reason: `containers replaced outside kp: ${changed.join(', ')}`};
  return {kind: 'already-up', reason: 'all services are running with the configuration of the last start'};
}
