/**
 * HA running in a Kubernetes pod: `kubectl exec` is the transport, `kubectl get pod -o json`
 * the observation. Every call carries the explicit `--context` (the Kubectl adapter's fence).
 */
import {fail, InterruptedError} from '../../../core/errors.js';
import {Engine} from '../../../tools/docker.js';
import {KIND_CLUSTER_LABEL} from '../../../tools/kind.js';
import type {Kubectl, PodJson} from '../../../tools/kubectl.js';
import type {HaEndpoint} from '../../../tools/ha-api.js';
import type {RunResult} from '../../../tools/runner.js';
import {HA_MANIFEST_NAMES} from '../manifest.js';
import {coveringMount, execRefusedWhileRestarting, notRunningReason, parseGoDuration, type HaTarget, type TargetState, type VolumeInfo} from './target.js';

/** How to find the HA pod. */
export type PodSelector = {pod: string; namespace: string; container: string} | {selector: string; namespace: string; container: string};

/**
 * Map a Pod object to the target-neutral state of one container. A container in CrashLoopBackOff
 * carries kubelet's delay in its waiting message (`back-off 40s restarting failed container=...`,
 * kuberuntime_manager.go) and its last run's end in lastState: the remaining wait is their sum
 * minus now.
 */
export function podState(pod: PodJson, container: string, now = Date.now()): TargetState {
  const status = pod.status?.containerStatuses?.find((c) => c.name === container);
  const podReady = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const running = Boolean(status?.state?.running) && !pod.metadata?.deletionTimestamp;
  const waiting = status?.state?.waiting?.reason ?? status?.state?.terminated?.reason;
  const last = status?.state?.terminated ?? status?.lastState?.terminated;
  const state: TargetState = {
    running,
    ready: running && podReady && Boolean(status?.ready),
    restartCount: status?.restartCount ?? 0,
    startedAt: status?.state?.running?.startedAt,
    instance: pod.metadata?.uid ?? '',
    status: `${pod.status?.phase ?? 'Unknown'}${waiting ? ` (${waiting})` : ''}`,
  };
  const coming = status?.state?.waiting?.reason;
  if (pod.metadata?.deletionTimestamp) state.transitional = 'terminating';
  else if (pod.status?.phase === 'Pending' || coming === 'ContainerCreating' || coming === 'PodInitializing') state.transitional = coming ?? 'pending';
  if (!running && last) {
    state.ended = {exitCode: last.exitCode, oomKilled: last.reason === 'OOMKilled', finishedAt: last.finishedAt, reason: last.reason};
  }
  if (status?.state?.waiting?.reason === 'CrashLoopBackOff') {
    const delay = /back-off (\S+) restarting/i.exec(status.state.waiting.message ?? '')?.[1];
    const delayMs = delay ? parseGoDuration(delay) : undefined;
    const finished = last?.finishedAt ? Date.parse(last.finishedAt) : Number.NaN;
    state.backoff = {
      by: 'kubelet',
      delayMs,
      remainingMs: delayMs !== undefined && !Number.isNaN(finished) ? Math.max(0, finished + delayMs - now) : undefined,
    };
  }
  return state;
}

const READ_ONLY_SOURCES = ['configMap', 'secret', 'projected', 'downwardAPI'];

/** Check that `componentDir` lies on a writable volume of `container` (PVC, emptyDir, hostPath, ...). */
export function podVolume(pod: PodJson, container: string, componentDir: string): VolumeInfo {
  const spec = pod.spec?.containers?.find((c) => c.name === container);
  if (!spec) {
    const names = (pod.spec?.containers ?? []).map((c) => c.name).join(', ');
    throw fail.usage(`Pod ${pod.metadata?.name} has no container ${container} (it has: ${names}).`, 'Pick one with --container.');
  }
  const mounts = (spec.volumeMounts ?? []).map((m) => ({...m, destination: m.mountPath}));
  const mount = coveringMount(mounts, componentDir);
  const volume = mount ? pod.spec?.volumes?.find((v) => v.name === mount.name) : undefined;
  const source = volume ? Object.keys(volume).find((key) => key !== 'name') : undefined;
  if (!mount || !volume || !source) {
    throw fail.prerequisite(
      `${componentDir} is not on a volume in pod ${pod.metadata?.name}: a container restart would wipe what kp syncs.`,
      'Mount /config from a PersistentVolumeClaim (the dev StatefulSet does) and sync again.',
    );
  }
  if (mount.readOnly || READ_ONLY_SOURCES.includes(source)) {
    throw fail.prerequisite(`${componentDir} is on a read-only ${source} volume in pod ${pod.metadata?.name}.`, 'Mount /config from a PersistentVolumeClaim.');
  }
  const claim = (volume.persistentVolumeClaim as {claimName?: string} | undefined)?.claimName;
  return {
    mountPoint: mount.mountPath,
    description: claim ? `persistentVolumeClaim ${claim}` : `${source} ${volume.name}`,
    survivesRecreate: source !== 'emptyDir',
  };
}

/** HA in a pod of the dev cluster. */
export class PodTarget implements HaTarget {
  readonly kind = 'pod' as const;
  readonly needsOutsideRestart = false;
  private podName: string | undefined;
  private lastPod: PodJson | undefined;

  constructor(
    private readonly kubectl: Kubectl,
    private readonly selector: PodSelector,
  ) {
    if ('pod' in selector) this.podName = selector.pod;
  }

  get label(): string {
    return `pod ${this.selector.namespace}/${this.podName ?? `-l ${'selector' in this.selector ? this.selector.selector : ''}`} (container ${this.selector.container}, context ${this.kubectl.context})`;
  }

  get credentialsKey(): string {
    return `kube-${this.kubectl.context}-${this.selector.namespace}-${'pod' in this.selector ? this.selector.pod : this.selector.selector}`;
  }

  async apiEndpoint(): Promise<HaEndpoint | {unreachable: string}> {
    // kp reaches only its own HA in the cluster: through the Ingress its manifest creates.
    const own =
      this.selector.namespace === HA_MANIFEST_NAMES.namespace &&
      'pod' in this.selector &&
      this.selector.pod === HA_MANIFEST_NAMES.pod &&
      this.selector.container === HA_MANIFEST_NAMES.container;
    if (!own)
      return {
        unreachable: `kp reaches HA's API only for its own HA (${HA_MANIFEST_NAMES.namespace}/${HA_MANIFEST_NAMES.pod}, through http://${HA_MANIFEST_NAMES.host}/)`,
      };
    // The Ingress answers on the host port kind published for the node's port 80: read it from the
    // node container rather than assume 80 (kp's login must never go to whatever else holds port 80).
    const port = await this.ingressHostPort();
    if (port === null) return {unreachable: `the kind node of ${this.kubectl.context} publishes no host port for the Ingress (port 80)`};
    return {url: `http://${HA_MANIFEST_NAMES.host}${port === undefined || port === 80 ? '' : `:${port}`}`};
  }

  /** The host port of the kind control-plane node's port 80; undefined when there is no kind node to ask (assume 80), null when it publishes none. */
  private async ingressHostPort(): Promise<number | null | undefined> {
    if (!this.kubectl.context.startsWith('kind-')) return undefined;
    const cluster = this.kubectl.context.slice('kind-'.length);
    try {
      const nodes = await new Engine(this.kubectl.runner).findContainers([`${KIND_CLUSTER_LABEL}=${cluster}`, 'io.x-k8s.kind.role=control-plane']);
      if (nodes.length === 0) return undefined;
      return nodes.flatMap((n) => n.ports).find((p) => p.containerPort === '80/tcp' && p.hostPort > 0)?.hostPort ?? null;
    } catch (error) {
      if (error instanceof InterruptedError) throw error;
      return undefined;
    }
  }

  describe(): Record<string, string> {
    return {
      kind: 'pod',
      context: this.kubectl.context,
      namespace: this.selector.namespace,
      pod: this.podName ?? '',
      container: this.selector.container,
      ...('selector' in this.selector ? {selector: this.selector.selector} : {}),
    };
  }

  private async fetchPod(): Promise<PodJson> {
    const {namespace} = this.selector;
    if (this.podName === undefined && 'selector' in this.selector) {
      const result = await this.kubectl.run(['get', 'pods', '-n', namespace, '-l', this.selector.selector, '-o', 'json']);
      const items = (JSON.parse(result.stdout) as {items?: PodJson[]}).items ?? [];
      const chosen = items.find((p) => p.status?.phase === 'Running') ?? items[0];
      if (!chosen?.metadata?.name) {
        throw fail.prerequisite(
          `No pod matches -l ${this.selector.selector} in namespace ${namespace} (context ${this.kubectl.context}).`,
          'Check --selector/--namespace, or deploy Home Assistant to the dev cluster.',
        );
      }
      this.podName = chosen.metadata.name;
      this.lastPod = chosen;
      return chosen;
    }
    const pod = await this.kubectl.getJson<PodJson>('pod', this.podName!, namespace);
    if (!pod && 'selector' in this.selector) {
      // A pod found by selector may have been replaced under another name (a Deployment's new pod): look again.
      this.podName = undefined;
      return this.fetchPod();
    }
    if (!pod) {
      throw fail.prerequisite(
        `Pod ${namespace}/${this.podName} not found in context ${this.kubectl.context}.`,
        'Is Home Assistant deployed in the dev cluster? Check --pod/--namespace/--context, or use --target docker for a container.',
      );
    }
    this.lastPod = pod;
    return pod;
  }

  async preflight(componentDir: string): Promise<{state: TargetState; volume: VolumeInfo}> {
    const pod = await this.fetchPod();
    const volume = podVolume(pod, this.selector.container, componentDir);
    const state = podState(pod, this.selector.container);
    if (!state.running) {
      throw fail.prerequisite(`${this.label} is not running: ${notRunningReason(state)}.`, '`kubectl describe pod` shows why; sync once it runs.');
    }
    return {state, volume};
  }

  async state(): Promise<TargetState> {
    return podState(await this.fetchPod(), this.selector.container);
  }

  async isReady(state: TargetState): Promise<boolean> {
    return Boolean(state.ready);
  }

  isRestarting(error: unknown): boolean {
    return execRefusedWhileRestarting(error);
  }

  async logsSince(startedAt: string | undefined): Promise<string> {
    const result = await this.kubectl.run(
      ['logs', this.podName!, '-n', this.selector.namespace, '-c', this.selector.container, ...(startedAt ? [`--since-time=${startedAt}`] : [])],
      {allowFailure: true},
    );
    return result.stdout;
  }

  exec(command: readonly string[], options: {input?: Uint8Array; mutating?: boolean} = {}): Promise<RunResult> {
    return this.kubectl.exec(this.podName!, this.selector.namespace, this.selector.container, command, {
      input: options.input,
      mutating: options.mutating,
      allowFailure: true,
    });
  }

  async restartFromOutside(): Promise<void> {
    await this.kubectl.run(['delete', 'pod', this.podName!, '-n', this.selector.namespace, '--wait=false'], {mutating: true});
  }

  followChanges(onChange: (what: string) => void, signal: AbortSignal): Promise<{exitCode: number | undefined; stderr: string}> {
    // By name: a StatefulSet re-creates its pod under the same name (with a new UID). Before any
    // round found the pod (a selector that matched nothing yet) there is nothing to follow.
    if (this.podName === undefined) return Promise.resolve({exitCode: undefined, stderr: 'no pod found yet'});
    return this.kubectl.watchPod(this.podName, this.selector.namespace, () => onChange('changed'), signal);
  }

  outsideRestartWarning(): string | undefined {
    const inits = (this.lastPod?.spec?.initContainers ?? []).map((c) => c.name);
    return (
      `Deleting pod ${this.podName} re-creates it and re-runs its initContainers${inits.length ? ` (${inits.join(', ')})` : ''}: ` +
      'an init step that copies the component from an image into /config silently overwrites what kp just synced. ' +
      'kp re-checks the files after the restart; the default `--restart auto` restarts HA in place (or only its container) and avoids this.'
    );
  }
}
