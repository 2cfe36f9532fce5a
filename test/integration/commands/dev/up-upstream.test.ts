/**
 * `kp dev up --detach` in a copy of the real app repo (../shared/upstream/kamerplanter/: its
 * skaffold.yaml, kind-config.yaml and chart metadata), against the stateful fakes: the Helm
 * repositories the chart needs, the cluster created without the host ports Skaffold forwards to,
 * the genuine ingress manifest downloaded once (served by a local HTTP server), module kp by
 * default; and the second run adding, downloading and applying nothing.
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import YAML from 'yaml';
import {ExitCode} from '../../../../src/core/errors.js';
import {GENUINE_INGRESS_MANIFEST, useFakeWorlds, type FakeCall} from '../../../fakes/harness.js';
import {runKp} from '../../../helpers/cli.js';

const world = useFakeWorlds();
const line = (c: FakeCall) => `${c.tool} ${c.argv.join(' ')}`;
const genuine = readFileSync(GENUINE_INGRESS_MANIFEST);

let server: Server;
let served: Buffer = genuine;
let downloads = 0;
let manifestUrl = '';
beforeEach(async () => {
  served = genuine;
  downloads = 0;
  server = createServer((_request, response) => {
    downloads += 1;
    response.end(served);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  manifestUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/deploy.yaml`;
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A world holding a copy of the app repo, with kp's ingress cache cold and the manifest served locally. */
function upstreamWorld(env: Record<string, string> = {}) {
  return world({workspace: 'upstream', ingressCache: false, env: {KP_TEST_INGRESS_MANIFEST_URL: manifestUrl, ...env}});
}

describe('kp dev up --detach on the real Kamerplanter checkout', () => {
  it('Given a fresh machine, When run twice, Then the first adds the two https repos, creates the cluster without 8000/3000/8529, downloads and applies the genuine ingress once and runs skaffold run -m kp; the second changes nothing in at most 6 processes', async () => {
    // Given
    const w = upstreamWorld();

    // When
    const first = await runKp(['dev', 'up', '--detach', '--json'], {env: w.env, cwd: w.workspace});

    // Then: the Helm repositories the chart's https dependencies need, under kp's own names
    expect(first.exitCode, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout);
    const calls = w.calls().map(line);
    expect(calls.filter((c) => c.startsWith('helm repo add'))).toEqual([
      'helm repo add kp-bjw-s-labs-github-io-helm-charts https://bjw-s-labs.github.io/helm-charts/',
      'helm repo add kp-otwld-github-io-ollama-helm https://otwld.github.io/ollama-helm/',
    ]);
    expect(result.helm.reposAdded.map((r: {name: string}) => r.name)).toEqual(['kp-bjw-s-labs-github-io-helm-charts', 'kp-otwld-github-io-ollama-helm']);
    // And the cluster came from an effective config without the colliding host ports; the checkout's file is untouched
    expect(result.cluster.kindConfig).toMatchObject({derived: true, removedHostPorts: [8000, 3000, 8529]});
    const create = calls.find((c) => c.startsWith('kind create cluster'))!;
    expect(create).toContain(`--config ${result.cluster.kindConfig.file}`);
    expect(result.cluster.kindConfig.file).toBe(path.join(w.env.XDG_STATE_HOME!, 'kp', 'kind-kamerplanter-config.yaml'));
    const effective = YAML.parse(readFileSync(result.cluster.kindConfig.file, 'utf8'));
    expect(effective.nodes[0].extraPortMappings.map((m: {hostPort: number}) => m.hostPort)).toEqual([80, 443]);
    expect(effective.nodes.map((n: {role: string}) => n.role)).toEqual(['control-plane', 'worker', 'worker']);
    expect(readFileSync(path.join(w.workspace, 'kind-config.yaml'), 'utf8')).toContain('hostPort: 8000');
    expect(first.stderr).toMatch(/Creating the cluster without host ports 8000, 3000, 8529 of .*kind-config\.yaml/);
    // And what it publishes is on localhost only: the upstream file names no listenAddress (kind would use 0.0.0.0)
    expect(effective.nodes[0].extraPortMappings.map((m: {listenAddress: string}) => m.listenAddress)).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(result.cluster.kindConfig.listenAddress).toEqual({address: '127.0.0.1', ports: [80, 443]});
    expect(first.stderr).toMatch(/Publishing host ports 80, 443 on 127\.0\.0\.1 only: .*kind-config\.yaml names no listenAddress/);
    // And the genuine ingress manifest: downloaded once, applied once
    expect(downloads).toBe(1);
    expect(result.ingress).toMatchObject({version: '1.15.1', action: 'apply', manifest: 'download'});
    expect(calls.filter((c) => c.includes(' apply -f '))).toHaveLength(1);
    // And Skaffold ran module kp (the upstream wrapper's default), with its deploy's `helm dep build` passing
    expect(result.modules).toEqual({selected: ['kp'], how: 'default'});
    expect(calls.filter((c) => c.startsWith('skaffold run'))).toEqual([
      `skaffold run --kube-context kind-kamerplanter --filename ${w.workspace}/skaffold.yaml --module kp`,
    ]);
    expect(w.clusters().kamerplanter!.helmReleases.map((r) => (r as {name: string}).name)).toEqual(['kamerplanter']);

    // When it runs again
    w.resetLogs();
    const second = await runKp(['dev', 'up', '--detach', '--json'], {env: w.env, cwd: w.workspace});

    // Then nothing is added, downloaded, created or applied, within the process budget
    expect(second.exitCode, second.stderr).toBe(0);
    const again = w.calls().map(line);
    expect(
      again.filter((c) => c.startsWith('helm repo add') || c.startsWith('kind ') || c.includes(' apply -f ') || c.startsWith('skaffold diagnose')),
    ).toEqual([]);
    expect(downloads).toBe(1);
    expect(JSON.parse(second.stdout)).toMatchObject({helm: {reposAdded: []}, ingress: {action: 'none'}, skaffold: {validated: 'cached'}});
    expect(w.spawns().length).toBeGreaterThan(0);
    expect(w.spawns().length, JSON.stringify(w.spawns())).toBeLessThanOrEqual(6);
  });

  it('Given --keep-host-ports, When the cluster is created, Then every host port of the checkout file is kept (each on 127.0.0.1, which the file does not name) and the collision is warned about', async () => {
    const w = upstreamWorld();
    const result = await runKp(['dev', 'up', '--detach', '--keep-host-ports', '--json'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode, result.stderr).toBe(0);
    const kindConfig = JSON.parse(result.stdout).cluster.kindConfig;
    expect(kindConfig).toEqual({
      file: path.join(w.env.XDG_STATE_HOME!, 'kp', 'kind-kamerplanter-config.yaml'),
      derived: true,
      removedHostPorts: [],
      listenAddress: {address: '127.0.0.1', ports: [80, 443, 8000, 3000, 8529]},
    });
    const effective = YAML.parse(readFileSync(kindConfig.file, 'utf8'));
    expect(effective.nodes[0].extraPortMappings.map((m: {hostPort: number; listenAddress: string}) => `${m.listenAddress}:${m.hostPort}`)).toEqual([
      '127.0.0.1:80',
      '127.0.0.1:443',
      '127.0.0.1:8000',
      '127.0.0.1:3000',
      '127.0.0.1:8529',
    ]);
    expect(result.stderr).toMatch(/host port 8000: kind hostPort at .* kept \(--keep-host-ports\)/);
  });

  it('Given --bind-address 0.0.0.0, When the cluster is created, Then the ports go to every interface with a warning naming them; an address that is none is exit 2 before any process', async () => {
    const w = upstreamWorld();
    const open = await runKp(['dev', 'up', '--detach', '--bind-address', '0.0.0.0', '--json'], {env: w.env, cwd: w.workspace});
    expect(open.exitCode, open.stderr).toBe(0);
    expect(JSON.parse(open.stdout).cluster.kindConfig.listenAddress).toEqual({address: '0.0.0.0', ports: [80, 443]});
    expect(open.stderr).toMatch(/warning: host ports 80, 443 of the dev cluster .* will be reachable from other machines on 0\.0\.0\.0/);
    w.resetLogs();
    const bad = await runKp(['dev', 'up', '--detach', '--bind-address', 'everywhere'], {env: w.env, cwd: w.workspace});
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^error: --bind-address "everywhere" is not an IP address\.\nhint: /);
    expect(w.calls()).toEqual([]);
  });

  it('Given a cluster created with --keep-host-ports, When dev status runs, Then it names each collision and the node container holding the port, and is not ready', async () => {
    // Given
    const w = upstreamWorld();
    expect((await runKp(['dev', 'up', '--detach', '--keep-host-ports'], {env: w.env, cwd: w.workspace})).exitCode).toBe(0);
    // When
    const status = await runKp(['dev', 'status', '--json'], {env: w.env, cwd: w.workspace});
    // Then
    expect(status.exitCode, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout);
    expect(report.portCollisions.map((c: {port: number; heldBy: string}) => [c.port, c.heldBy])).toEqual([
      [8000, 'kind node container kamerplanter-control-plane'],
      [3000, 'kind node container kamerplanter-control-plane'],
      [8529, 'kind node container kamerplanter-control-plane'],
    ]);
    expect(report.ready).toBe(false);
    // And the databases are probed over TCP, not HTTP
    expect(report.endpoints.find((e: {url: string}) => e.url.endsWith(':5432'))).toMatchObject({probe: 'tcp'});
  });

  it('Given a Chart.lock out of sync with Chart.yaml, When dev up runs, Then exit 2 names the lock and the fix, and nothing was called', async () => {
    // Given
    const w = upstreamWorld();
    const chartFile = path.join(w.workspace, 'helm', 'kamerplanter', 'Chart.yaml');
    writeFileSync(chartFile, readFileSync(chartFile, 'utf8').replace('version: 1.54.0', 'version: 1.55.0'));
    // When
    const result = await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode).toBe(ExitCode.Usage);
    expect(result.stderr).toContain('Chart.lock is out of sync with');
    expect(result.stderr).toContain('helm dependency update helm/kamerplanter');
    expect(w.calls()).toEqual([]);
  });

  it('Given a schema error in skaffold.yaml (artifacts: 5), When dev up runs, Then Skaffold rejects it, exit 2, before any cluster exists', async () => {
    // Given
    const w = upstreamWorld();
    const file = path.join(w.workspace, 'skaffold.yaml');
    const text = readFileSync(file, 'utf8');
    const broken = text.replace(/( {2}artifacts:\n {4}- image: kamerplanter-backend[\s\S]*?)(\ndeploy:)/, '  artifacts: 5\n$2');
    expect(broken).not.toBe(text);
    writeFileSync(file, broken);
    // When
    const result = await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode, result.stderr).toBe(ExitCode.Usage);
    expect(result.stderr).toMatch(/Skaffold rejects .*skaffold\.yaml \(module kp\)/);
    expect(result.stderr).toContain('cannot unmarshal !!int `5` into []*latest.Artifact');
    expect(w.calls().filter((c) => c.tool === 'kind' && c.argv[0] === 'create')).toEqual([]);
    expect(w.clusters()).toEqual({});
  });

  it('Given a tampered manifest at the download URL, When dev up runs, Then it is refused (exit 4) and nothing is applied', async () => {
    const w = upstreamWorld();
    served = Buffer.concat([genuine, Buffer.from('\n---\nkind: ClusterRoleBinding\n')]);
    const result = await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode).toBe(ExitCode.ToolFailed);
    expect(result.stderr).toContain('not the pinned 2a3ae008c8786431115502644e77ab398fdebfb721a5d1195ed3089cde3299df: refused, nothing applied');
    expect(w.calls().filter((c) => c.tool === 'kubectl' && c.argv.includes('apply'))).toEqual([]);
  });

  it('Given a newer ingress-nginx already installed, When dev up runs, Then it is reported and left alone: no download, no apply', async () => {
    // Given: a cluster from a first run, then its controller upgraded behind kp's back
    const w = upstreamWorld();
    expect((await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace})).exitCode).toBe(0);
    const clustersFile = path.join(w.stateDir, 'clusters.json');
    const clusters = JSON.parse(readFileSync(clustersFile, 'utf8'));
    clusters.kamerplanter.objects['Deployment/ingress-nginx/ingress-nginx-controller'].metadata.labels['app.kubernetes.io/version'] = '1.16.0';
    writeFileSync(clustersFile, JSON.stringify(clusters));
    w.resetLogs();
    // When
    const result = await runKp(['dev', 'up', '--detach', '--json'], {env: w.env, cwd: w.workspace});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).ingress.action).toBe('keep-newer');
    expect(result.stderr).toContain('ingress-nginx 1.16.0 is installed, newer than kp');
    expect(w.calls().filter((c) => c.tool === 'kubectl' && c.argv.includes('apply'))).toEqual([]);
    expect(downloads).toBe(1);
  });

  it('Given -p debug, When dev up runs in the foreground, Then it is `skaffold debug` (profile activated by the command) forwarding user and debug ports', async () => {
    const w = upstreamWorld({KP_FAKE_SKAFFOLD_DEV_EXIT_AFTER_MS: '200', KP_FAKE_SKAFFOLD_DEV_EXIT_CODE: '0'});
    const result = await runKp(['dev', 'up', '-p', 'debug', '--', '--cleanup=false'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode, result.stderr).toBe(0);
    const loops = w.calls().filter((c) => c.tool === 'skaffold' && ['dev', 'debug'].includes(c.argv[0]!));
    expect(loops.map((c) => c.argv)).toEqual([
      [
        'debug',
        '--kube-context',
        'kind-kamerplanter',
        '--filename',
        `${w.workspace}/skaffold.yaml`,
        '--module',
        'kp',
        '--port-forward=user,debug',
        '--auto-build=false',
        '--auto-deploy=false',
        '--cleanup=false',
      ],
    ]);
  });

  it('Given an argument before -- that is not a flag, When dev up runs, Then exit 2 says Skaffold arguments go after --', async () => {
    const w = upstreamWorld();
    const result = await runKp(['dev', 'up', 'tail'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode).toBe(ExitCode.Usage);
    expect(result.stderr).toContain('Arguments for Skaffold go after --');
    expect(w.calls()).toEqual([]);
  });

  it('Given --all-modules, When dev up runs detached, Then every module is run (no -m) and both releases are deployed', async () => {
    const w = upstreamWorld();
    const result = await runKp(['dev', 'up', '--detach', '--all-modules', '--json'], {env: w.env, cwd: w.workspace});
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).modules).toEqual({selected: [], how: 'all'});
    expect(w.clusters().kamerplanter!.helmReleases.map((r) => (r as {name: string}).name)).toEqual(['kamerplanter', 'kamerplanter-ki']);
  });
});
