/**
 * The sentinel: proof that the e2e layer never touches a user's real Compose project
 * `kamerplanter` (the one `kp compose start` runs by default, holding their ArangoDB data).
 *
 * Before the suite (global-setup.ts) a stand-in of that project is created: a container labelled
 * as service `kp-sentinel` of project `kamerplanter`, with a named volume of that project holding
 * a marker file. After every test file (sentinel-check.ts) and after the suite, the project must be
 * exactly as it was: same containers (ID, name, state), same volumes and networks, same marker.
 * A test that removed or changed anything of that project fails the run (the sentinel check).
 *
 * When a real `kamerplanter` project exists on this machine, nothing is created or removed: its
 * containers, volumes and networks are recorded and must be unchanged afterwards.
 *
 * No vitest import here: global-setup.ts runs outside the test workers.
 */
import {randomBytes} from 'node:crypto';
import {buildStandinImage} from '../../helpers/standin-image.js';
import {PROJECT_LABEL, SERVICE_LABEL, docker, dockerLines, removeContainers, removeImages, removeVolumes} from './docker.js';

/** The project a user's stack runs as (kp's default): the one the e2e layer must never touch. */
const USER_PROJECT = 'kamerplanter';
/** Marks what a sentinel setup created, so a run killed before its teardown can be recognised. */
const OWNER_LABEL = 'kp.e2e.sentinel';

const SENTINEL = {
  service: 'kp-sentinel',
  container: `${USER_PROJECT}-kp-sentinel`,
  volumeKey: 'kp-sentinel-data',
  volume: `${USER_PROJECT}_kp-sentinel-data`,
  marker: '/data/marker',
};

/** What the engine holds of the project `kamerplanter`. */
export interface ProjectSnapshot {
  containers: string[];
  volumes: string[];
  networks: string[];
}

/** What the setup did, handed to the checks (it crosses into the workers: plain JSON). */
export interface SentinelState {
  /** `sentinel`: we created the stand-in project; `observe`: a real one exists and was only recorded. */
  mode: 'sentinel' | 'observe';
  snapshot: ProjectSnapshot;
  marker?: string;
  image?: string;
}

/** The project's containers (`id name state`), volumes and networks, sorted. */
export function snapshotProject(project = USER_PROJECT): ProjectSnapshot {
  const label = `label=${PROJECT_LABEL}=${project}`;
  const containers = dockerLines('ps', '-a', '--no-trunc', '--filter', label, '--format', '{{.ID}} {{.Names}} {{.State}}');
  const labelled = dockerLines('volume', 'ls', '-q', '--filter', label);
  // Compose names a project's volumes <project>_<key>: count those even without labels.
  const named = dockerLines('volume', 'ls', '--filter', `name=${project}_`, '--format', '{{.Name}}').filter((v) => v.startsWith(`${project}_`));
  const networks = dockerLines('network', 'ls', '--no-trunc', '--filter', label, '--format', '{{.ID}} {{.Name}}');
  return {containers: containers.sort(), volumes: [...new Set([...labelled, ...named])].sort(), networks: networks.sort()};
}

/** Does this container or volume carry the sentinel's owner label (so a sentinel setup created it)? */
function ownedBySentinel(kind: 'container' | 'volume', name: string): boolean {
  try {
    const owner =
      kind === 'container'
        ? docker('inspect', '--type', 'container', '--format', `{{index .Config.Labels "${OWNER_LABEL}"}}`, name)
        : docker('volume', 'inspect', '--format', `{{index .Labels "${OWNER_LABEL}"}}`, name);
    return owner !== '' && owner !== '<no value>';
  } catch {
    return false; // no such object
  }
}

/**
 * Remove what an earlier, killed run's sentinel left (recognised by its owner label), when the
 * project holds nothing else. Returns whether the project is empty now.
 */
function clearSentinelLeftovers(before: ProjectSnapshot): boolean {
  const containerNames = before.containers.map((row) => row.split(' ')[1]!);
  const onlyLeftovers =
    before.networks.length === 0 &&
    containerNames.every((name) => ownedBySentinel('container', name)) &&
    before.volumes.every((name) => ownedBySentinel('volume', name));
  if (!onlyLeftovers) return false;
  const images = containerNames.map((name) => docker('inspect', '--type', 'container', '--format', '{{.Config.Image}}', name));
  removeContainers(containerNames); // only sentinel leftovers: checked just above
  removeVolumes(before.volumes); // only sentinel leftovers: checked just above
  removeImages(images.filter((image) => image.startsWith('kp-sentinel:')));
  return true;
}

/** Create the sentinel project (or, when a real `kamerplanter` project exists, only record it). */
export function createSentinel(runId: string): SentinelState {
  const before = snapshotProject();
  const empty = before.containers.length + before.volumes.length + before.networks.length === 0;
  if (!empty && !clearSentinelLeftovers(before)) return {mode: 'observe', snapshot: before};

  const image = `kp-sentinel:run-${runId}`; // not kp-e2e-...: the run's sweep must leave it to removeSentinel
  buildStandinImage(
    image,
    {'/usr/local/bin/sentinel': {content: '#!/bin/sh\ntrap "exit 0" TERM INT\nwhile :; do sleep 3600 & wait $!; done\n', mode: 0o755}},
    {cmd: ['sentinel']},
  );
  const labels = (extra: Record<string, string>) =>
    Object.entries({[PROJECT_LABEL]: USER_PROJECT, [OWNER_LABEL]: runId, ...extra}).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
  docker('volume', 'create', ...labels({'com.docker.compose.volume': SENTINEL.volumeKey}), SENTINEL.volume);
  // Labelled as Compose labels a service's container, so Compose (down --remove-orphans, ...) sees it as one.
  const service = {[SERVICE_LABEL]: SENTINEL.service, 'com.docker.compose.oneoff': 'False', 'com.docker.compose.container-number': '1'};
  docker('run', '-d', '--name', SENTINEL.container, ...labels(service), '-v', `${SENTINEL.volume}:/data`, image);
  const marker = `kp e2e sentinel ${runId} ${randomBytes(8).toString('hex')}`;
  docker('exec', SENTINEL.container, 'sh', '-c', `printf '%s' "$1" > ${SENTINEL.marker}`, 'sh', marker);
  return {mode: 'sentinel', snapshot: snapshotProject(), marker, image};
}

/** What differs between two lists of `key rest...` rows (key: a container or network ID, a volume name). */
function difference(label: string, before: readonly string[], after: readonly string[]): string[] {
  const key = (row: string) => row.split(' ')[0]!;
  const problems: string[] = [];
  for (const row of before) {
    const now = after.find((other) => key(other) === key(row));
    if (now === undefined) problems.push(`${label} gone: ${row}`);
    else if (now !== row) problems.push(`${label} changed: ${row} -> ${now}`);
  }
  for (const row of after) if (!before.some((other) => key(other) === key(row))) problems.push(`${label} appeared: ${row}`);
  return problems;
}

/** Everything about project `kamerplanter` that differs from the setup's record (empty: untouched). */
export function sentinelViolations(state: SentinelState): string[] {
  const now = snapshotProject();
  const problems = [
    ...difference('container', state.snapshot.containers, now.containers),
    ...difference('volume', state.snapshot.volumes, now.volumes),
    ...difference('network', state.snapshot.networks, now.networks),
  ];
  if (state.mode === 'sentinel') {
    let marker: string;
    try {
      marker = docker('exec', SENTINEL.container, 'cat', SENTINEL.marker);
    } catch (error) {
      marker = `<unreadable: ${(error as Error).message.trim()}>`;
    }
    if (marker !== state.marker) problems.push(`marker in volume ${SENTINEL.volume} is ${JSON.stringify(marker)}, expected ${JSON.stringify(state.marker)}`);
  }
  return problems;
}

/** A violation as one message naming the project and every difference. */
export function describeViolations(problems: readonly string[]): string {
  return `A test touched the Compose project "${USER_PROJECT}" (a user's stack and data):\n- ${problems.join('\n- ')}`;
}

/** Remove what createSentinel created, and nothing else (nothing at all in observe mode). */
export function removeSentinel(state: SentinelState): void {
  if (state.mode !== 'sentinel') return;
  if (ownedBySentinel('container', SENTINEL.container)) removeContainers([SENTINEL.container]); // the sentinel's own container
  if (ownedBySentinel('volume', SENTINEL.volume)) removeVolumes([SENTINEL.volume]); // the sentinel's own volume
  if (state.image) removeImages([state.image]);
}
