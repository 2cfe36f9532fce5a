/**
 * The real engine as the e2e layer's helpers and assertions use it (kp itself is always run as a
 * process through test/helpers/cli.ts). No function here ever pulls an image, and every removal
 * names exactly the objects it removes.
 */
import {execFileSync} from 'node:child_process';
import {createServer} from 'node:net';

/** The Compose labels every container, network and volume of a project carries. */
export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';

/** Run docker, return trimmed stdout; a failure throws with docker's stderr. */
export function docker(...args: string[]): string {
  return execFileSync('docker', args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']}).trim();
}

/** docker's stdout split into non-empty lines. */
export function dockerLines(...args: string[]): string[] {
  return docker(...args)
    .split('\n')
    .filter(Boolean);
}

/** The Compose CLI on this machine: the v2 plugin, else the standalone v1 (as kp detects it). */
export function composeCommand(): string[] {
  try {
    execFileSync('docker', ['compose', 'version', '--short'], {stdio: 'ignore'});
    return ['docker', 'compose'];
  } catch {
    return ['docker-compose'];
  }
}

/** Fail with a clear message when no engine answers (the e2e layer never skips). */
export function assertEngine(): string {
  try {
    return docker('version', '--format', '{{.Server.Version}}');
  } catch (error) {
    throw new Error(`The e2e layer needs a running Docker engine and none answers (${(error as Error).message.trim()}). Start dockerd, or run .ci/run.`, {
      cause: error,
    });
  }
}

/** Remove containers (with their anonymous volumes) by ID or name. */
export function removeContainers(ids: readonly string[]): void {
  if (ids.length > 0) docker('rm', '-f', '-v', ...ids);
}

/** Remove named volumes. */
export function removeVolumes(names: readonly string[]): void {
  if (names.length > 0) docker('volume', 'rm', '-f', ...names);
}

/** Remove networks. */
export function removeNetworks(ids: readonly string[]): void {
  if (ids.length > 0) docker('network', 'rm', ...ids);
}

/** Remove image tags that exist (a tag already gone is fine). */
export function removeImages(tags: readonly string[]): void {
  const present = tags.filter((tag) => docker('images', '-q', tag) !== '');
  if (present.length > 0) docker('rmi', ...present);
}

/**
 * Remove everything of one Compose project, found by its label: containers, volumes, networks.
 * Used for the tests' own projects only (see stack.ts: their names start with kp-e2e-).
 */
export function removeProjectByLabel(project: string): void {
  const label = `label=${PROJECT_LABEL}=${project}`;
  removeContainers(dockerLines('ps', '-aq', '--filter', label));
  removeVolumes(dockerLines('volume', 'ls', '-q', '--filter', label));
  removeNetworks(dockerLines('network', 'ls', '-q', '--filter', label));
}

/**
 * Remove every container, volume, network and image tag whose name starts with `prefix`: what one
 * e2e run created and a failed test left behind (all of it is named kp-e2e-<run id>...).
 */
export function removeByNamePrefix(prefix: string): void {
  const starts = (name: string) => name.startsWith(prefix);
  const steps = [
    () => removeContainers(dockerLines('ps', '-a', '--filter', `name=${prefix}`, '--format', '{{.Names}}').filter(starts)),
    () => removeVolumes(dockerLines('volume', 'ls', '--filter', `name=${prefix}`, '--format', '{{.Name}}').filter(starts)),
    () => removeNetworks(dockerLines('network', 'ls', '--filter', `name=${prefix}`, '--format', '{{.Name}}').filter(starts)),
    () => removeImages(dockerLines('images', '--format', '{{.Repository}}:{{.Tag}}').filter((ref) => ref.split(':')[1]?.startsWith(prefix))),
  ];
  // Every step runs even when one fails (what it can remove, it removes); the failures are reported together.
  const failures: string[] = [];
  for (const step of steps) {
    try {
      step();
    } catch (error) {
      failures.push((error as Error).message.trim());
    }
  }
  if (failures.length > 0) throw new Error(`Could not remove everything named ${prefix}...:\n${failures.join('\n')}`);
}

/** Is TCP `port` free on 127.0.0.1 right now? */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `count` distinct free host ports below the kernel's ephemeral range (32768+), so that no
 * outgoing connection is handed one of them while the stack that owns them is down; `exclude`
 * keeps those another stack owns.
 */
export async function freePorts(count: number, exclude: readonly number[] = []): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!ports.includes(port) && !exclude.includes(port) && (await portIsFree(port))) ports.push(port);
  }
  return ports;
}
