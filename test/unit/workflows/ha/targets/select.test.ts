/**
 * Choosing the HA target: every name and the config dir checked, and the context fence decided from
 * the kubeconfig, all before any process.
 */
import {writeFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {ExitCode} from '../../../../../src/core/errors.js';
import {Kubectl} from '../../../../../src/tools/kubectl.js';
import {resolveTarget, selectTarget, validateConfigDir, type TargetOptions} from '../../../../../src/workflows/ha/targets/select.js';
import {PodTarget} from '../../../../../src/workflows/ha/targets/pod.js';
import {useSandbox} from '../../../../helpers/scripted-runner.js';

const sandbox = useSandbox();

function kubeconfig(contexts: Record<string, string>): void {
  const names = Object.keys(contexts);
  writeFileSync(
    sandbox.kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'contexts:',
      ...names.map((n) => `- name: ${n}\n  context: {cluster: ${n}, user: u}`),
      'clusters:',
      ...names.map((n) => `- name: ${n}\n  cluster: {server: "${contexts[n]}"}`),
      '',
    ].join('\n'),
  );
}

function refusal(options: TargetOptions): {exitCode?: number; message: string} {
  const {runner} = sandbox.context();
  try {
    selectTarget(runner, options);
  } catch (error) {
    expect(runner.calls).toEqual([]);
    return error as {exitCode?: number; message: string};
  }
  throw new Error('expected a refusal');
}

describe('target names', () => {
  it.each([
    [{target: 'kubernetes', namespace: 'Bad NS!'}, '--namespace'],
    [{target: 'kubernetes', pod: '-A'}, '--pod'],
    [{target: 'kubernetes', container: 'Home Assistant'}, '--container'],
    [{target: 'docker', container: '--rm'}, '--container'],
    [{target: 'docker', composeProject: 'kamerplanter', service: '-x'}, '--service'],
  ] as const)('Given %j, When the target is chosen, Then exit 2 names the flag, before any process', (options, flag) => {
    const error = refusal(options as TargetOptions);
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toContain(`${flag} `);
  });
});

describe('the config dir', () => {
  it.each(['/config/..', 'config', '/', '/config/./x', '//config', '/config//custom'])('Given --config-dir %j, When checked, Then exit 2', (dir) => {
    expect(() => validateConfigDir(dir)).toThrow(expect.objectContaining({exitCode: ExitCode.Usage}));
  });

  it('Given /config/ (a trailing slash), When checked, Then it is /config', () => {
    expect(validateConfigDir('/config/')).toBe('/config');
    expect(validateConfigDir('/srv/ha/config')).toBe('/srv/ha/config');
  });
});

describe('the context fence for the pod target', () => {
  it('Given kind-kamerplanter pointing off this machine, When the default target is chosen, Then exit 3 before any process', () => {
    kubeconfig({'kind-kamerplanter': 'https://203.0.113.7:6443'});
    const error = refusal({target: 'kubernetes'});
    expect(error.exitCode).toBe(ExitCode.Prerequisite);
    expect(error.message).toContain('points at https://203.0.113.7:6443, which is not on this machine');
  });

  it('Given a kind-* context named explicitly but off this machine, When chosen, Then it is still refused (kind clusters are local)', () => {
    kubeconfig({'kind-other': 'https://203.0.113.7:6443'});
    expect(refusal({target: 'kubernetes', context: 'kind-other'}).exitCode).toBe(ExitCode.Prerequisite);
  });

  it('Given a non-kind remote context named explicitly with --context, When chosen, Then it is honoured', () => {
    kubeconfig({staging: 'https://203.0.113.7:6443'});
    const {runner} = sandbox.context();
    const target = selectTarget(runner, {target: 'kubernetes', context: 'staging'});
    expect(target.describe()).toMatchObject({kind: 'pod', context: 'staging'});
  });

  it('Given no such context, When chosen, Then exit 3 says so', () => {
    kubeconfig({'kind-kamerplanter': 'https://127.0.0.1:41234'});
    const error = refusal({target: 'kubernetes', context: 'kind-missing'});
    expect(error.exitCode).toBe(ExitCode.Prerequisite);
    expect(error.message).toContain('kind-missing does not exist');
  });

  it('Given kubectl is not installed, When the pod is asked for, Then exit 3 with the install hint (not a tool failure)', async () => {
    const {runner} = sandbox.context([{match: ['kubectl'], reply: {notFound: true}}]);
    const error = await new Kubectl(runner, 'kind-kamerplanter').getJson('pod', 'homeassistant-0', 'default').catch((e: unknown) => e);
    expect(error).toMatchObject({exitCode: ExitCode.Prerequisite});
    expect((error as {hint?: string}).hint).toContain('Install kubectl');
  });
});

describe('picking the target when no target flag is given', () => {
  const isGetPod = (command: string, args: readonly string[]) => command === 'kubectl' && args.includes('get') && args.includes('pod');
  const isPs = (command: string, args: readonly string[]) => command === 'docker' && args[0] === 'ps';
  const isInspect = (command: string, args: readonly string[]) => command === 'docker' && args[0] === 'inspect';
  const haContainer = {
    Id: 'c0ffee',
    Name: '/kamerplanter-homeassistant-1',
    State: {Status: 'running', Running: true, Restarting: false, StartedAt: '2026-11-25T10:00:00Z'},
    RestartCount: 0,
    Config: {Labels: {'com.docker.compose.project': 'kamerplanter', 'com.docker.compose.service': 'homeassistant'}, Image: 'ha'},
    Mounts: [],
    HostConfig: {RestartPolicy: {Name: 'unless-stopped'}},
    NetworkSettings: {Ports: {}},
  };

  it('Given the dev cluster on this machine with homeassistant-0, When sync picks, Then the pod in kind-kamerplanter is chosen', async () => {
    kubeconfig({'kind-kamerplanter': 'https://127.0.0.1:6443'});
    const {ctx, runner} = sandbox.context([{match: isGetPod, reply: {stdout: JSON.stringify({metadata: {name: 'homeassistant-0'}})}}]);
    const target = await resolveTarget(ctx, {target: undefined}, 'kamerplanter');
    expect(target.kind).toBe('pod');
    expect(target.describe()).toMatchObject({context: 'kind-kamerplanter', pod: 'homeassistant-0'});
    expect(runner.calls.map((c) => c.command)).toEqual(['kubectl']);
    expect(runner.calls[0]!.args.slice(0, 2)).toEqual(['--context', 'kind-kamerplanter']);
  });

  it('Given no homeassistant-0 but a running compose homeassistant service, When sync picks, Then the compose service is chosen', async () => {
    kubeconfig({'kind-kamerplanter': 'https://127.0.0.1:6443'});
    const {ctx} = sandbox.context([
      {match: isGetPod, reply: {exitCode: 1, stderr: 'Error from server (NotFound): pods "homeassistant-0" not found\n'}},
      {
        match: isPs,
        reply: {
          stdout: `${JSON.stringify({ID: 'c0ffee', Names: 'kamerplanter-homeassistant-1', Labels: 'com.docker.compose.project=kamerplanter,com.docker.compose.service=homeassistant', State: 'running'})}\n`,
        },
      },
      {match: isInspect, reply: {stdout: JSON.stringify([haContainer])}},
    ]);
    const target = await resolveTarget(ctx, {target: undefined}, 'kamerplanter');
    expect(target.kind).toBe('container');
    expect(target.describe()).toMatchObject({composeProject: 'kamerplanter', service: 'homeassistant'});
  });

  it('Given a kind context off this machine and no compose HA, When sync picks, Then that cluster is never called and exit 3 says kp ha up', async () => {
    kubeconfig({'kind-kamerplanter': 'https://10.1.2.3:6443'});
    const {ctx, runner} = sandbox.context([{match: isPs, reply: {stdout: ''}}]);
    const error = await resolveTarget(ctx, {target: undefined}, 'kamerplanter').catch((e: unknown) => e);
    expect(error).toMatchObject({exitCode: ExitCode.Prerequisite, hint: expect.stringContaining('kp ha up')});
    expect((error as Error).message).toContain('points off this machine');
    expect(runner.calls.filter((c) => c.command === 'kubectl')).toEqual([]);
  });

  it('Given a bad pod name and no target flag, When sync picks, Then exit 2 before any process', async () => {
    const {ctx, runner} = sandbox.context();
    const error = await resolveTarget(ctx, {target: undefined, pod: '-A'}, 'kamerplanter').catch((e: unknown) => e);
    expect(error).toMatchObject({exitCode: ExitCode.Usage});
    expect(runner.calls).toEqual([]);
  });
});

describe("where kp reaches its own HA in the dev cluster (the Ingress through kind's port 80)", () => {
  const isPs = (command: string, args: readonly string[]) => command === 'docker' && args[0] === 'ps';
  const isInspect = (command: string, args: readonly string[]) => command === 'docker' && args[0] === 'inspect';
  const node = (ports: Record<string, Array<{HostIp: string; HostPort: string}> | null>) => ({
    Id: 'n0de',
    Name: '/kamerplanter-control-plane',
    State: {Status: 'running', Running: true, Restarting: false, StartedAt: '2026-11-25T10:00:00Z'},
    RestartCount: 0,
    Config: {Labels: {'io.x-k8s.kind.cluster': 'kamerplanter', 'io.x-k8s.kind.role': 'control-plane'}, Image: 'kindest/node'},
    Mounts: [],
    HostConfig: {RestartPolicy: {Name: 'on-failure'}},
    NetworkSettings: {Ports: ports},
  });
  const psLine = `${JSON.stringify({ID: 'n0de', Names: 'kamerplanter-control-plane', Labels: 'io.x-k8s.kind.cluster=kamerplanter,io.x-k8s.kind.role=control-plane', State: 'running'})}\n`;
  const ownPod = (runner: ConstructorParameters<typeof Kubectl>[0]) =>
    new PodTarget(new Kubectl(runner, 'kind-kamerplanter'), {pod: 'homeassistant-0', namespace: 'default', container: 'homeassistant'});

  it('Given the node publishing port 80 on host port 8080, When the endpoint is asked, Then it is homeassistant.localhost:8080, read from the node container', async () => {
    const {runner} = sandbox.context([
      {match: isPs, reply: {stdout: psLine}},
      {match: isInspect, reply: {stdout: JSON.stringify([node({'80/tcp': [{HostIp: '127.0.0.1', HostPort: '8080'}]})])}},
    ]);
    expect(await ownPod(runner).apiEndpoint()).toEqual({url: 'http://homeassistant.localhost:8080'});
    expect(runner.calls.find((c) => isPs(c.command, c.args))!.args).toEqual(
      expect.arrayContaining(['label=io.x-k8s.kind.cluster=kamerplanter', 'label=io.x-k8s.kind.role=control-plane']),
    );
  });

  it('Given the node publishing no port 80, When the endpoint is asked, Then kp says it cannot reach HA (its login never goes to whatever holds port 80)', async () => {
    const {runner} = sandbox.context([
      {match: isPs, reply: {stdout: psLine}},
      {match: isInspect, reply: {stdout: JSON.stringify([node({'6443/tcp': [{HostIp: '127.0.0.1', HostPort: '41234'}]})])}},
    ]);
    expect(await ownPod(runner).apiEndpoint()).toEqual({unreachable: 'the kind node of kind-kamerplanter publishes no host port for the Ingress (port 80)'});
  });

  it("Given a pod that is not kp's own HA, When the endpoint is asked, Then kp does not guess one and asks no engine", async () => {
    const {runner} = sandbox.context([]);
    const other = new PodTarget(new Kubectl(runner, 'kind-kamerplanter'), {pod: 'ha-7', namespace: 'smart-home', container: 'homeassistant'});
    expect(await other.apiEndpoint()).toMatchObject({unreachable: expect.stringContaining('only for its own HA')});
    expect(runner.calls).toEqual([]);
  });
});
