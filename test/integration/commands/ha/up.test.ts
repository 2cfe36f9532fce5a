/**
 * `kp ha up` / `kp ha down` on Kubernetes through the real CLI against the stateful fakes: the
 * manifest kp ships applied with `--context kind-<name>`, idempotent, the config volume kept, and the
 * context fence before any call.
 */
import {execFileSync} from 'node:child_process';
import {readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {startFakeHaApi, type FakeHaApi} from '../../../fakes/ha-api.js';
import {pointKindContextAt, useFakeWorlds, type FakeWorld} from '../../../fakes/harness.js';
import {projectRoot, runKp} from '../../../helpers/cli.js';

const worlds = useFakeWorlds();
/** HA's API (a fake: HA in the fake cluster has no HTTP), reached through KP_HA_URL. */
let ha: FakeHaApi;
beforeEach(async () => {
  ha = await startFakeHaApi();
});
afterEach(() => ha.close());
const world = (...args: Parameters<typeof worlds>) => {
  const w = worlds(...args);
  w.env.KP_HA_URL = ha.url;
  return w;
};
const fakeKubectl = (w: FakeWorld, ...args: string[]) =>
  execFileSync(path.join(projectRoot, 'test', 'fakes', 'bin', 'kubectl'), ['--context', 'kind-kamerplanter', ...args], {
    env: w.env as NodeJS.ProcessEnv,
    encoding: 'utf8',
  });

async function devCluster(w: FakeWorld): Promise<void> {
  const result = await runKp(['dev', 'up', '--detach'], {env: w.env, cwd: w.workspace});
  expect(result.exitCode, result.stderr).toBe(0);
  w.resetLogs();
}

describe('kp ha up / down on the dev cluster', () => {
  it("Given the dev cluster and no component here, When kp ha up runs, Then kp's manifest is applied with --context, HA rolls out, and the sync is skipped with a reason", async () => {
    // Given
    const w = world();
    await devCluster(w);
    // When
    const result = await runKp(['ha', 'up', '--json'], {env: w.env, cwd: w.root});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    const up = JSON.parse(result.stdout);
    expect(up).toMatchObject({
      target: 'kubernetes',
      where: 'kind-kamerplanter',
      url: 'http://homeassistant.localhost/',
      changed: true,
      sync: {skipped: expect.stringContaining('no component')},
    });
    expect(up.applied.map((l: {resource: string; verb: string}) => `${l.resource} ${l.verb}`)).toEqual([
      'configmap/homeassistant-seed created',
      'statefulset.apps/homeassistant created',
      'service/homeassistant created',
      'ingress.networking.k8s.io/homeassistant created',
    ]);
    const kubectl = w.calls().filter((c) => c.tool === 'kubectl');
    // Onboarded (no backend Service in the cluster: one lookup, no config entry). The companion's sync
    // looks at the pod and tries one exec, which this fake cluster does not run: kp says so and goes on.
    expect(kubectl.map((c) => c.argv.slice(2, 4).join(' ')).filter((call) => !call.startsWith('exec') && call !== 'get pod')).toEqual([
      'apply -f',
      'rollout status',
      'get service',
    ]);
    expect(up.companion).toMatchObject({outcome: 'failed', reason: expect.stringContaining('Listing the component')});
    expect(result.stderr).toContain('Could not install the kp_reload companion');
    expect(up.onboarding).toMatchObject({outcome: 'onboarded', owner: 'kp-dev', completed: ['user', 'core_config', 'analytics', 'integration']});
    expect(up.wiring).toMatchObject({outcome: 'no-backend'});
    expect([...ha.state.done].sort()).toEqual(['analytics', 'core_config', 'integration', 'user']);
    for (const call of kubectl) expect(call.argv.slice(0, 2)).toEqual(['--context', 'kind-kamerplanter']);
    // The Ingress and the seeded configuration, as the cluster holds them.
    const ingress = JSON.parse(fakeKubectl(w, 'get', 'ingress', 'homeassistant', '-n', 'default', '-o', 'json'));
    expect(ingress.spec).toMatchObject({ingressClassName: 'nginx', rules: [{host: 'homeassistant.localhost'}]});
    const seed = JSON.parse(fakeKubectl(w, 'get', 'configmap', 'homeassistant-seed', '-n', 'default', '-o', 'json'));
    expect(YAML.parse(seed.data['configuration.yaml'])).toMatchObject({http: {use_x_forwarded_for: true, trusted_proxies: ['10.244.0.0/16']}});
    const pod = JSON.parse(fakeKubectl(w, 'get', 'pod', 'homeassistant-0', '-n', 'default', '-o', 'json'));
    expect(pod.spec.containers[0]).toMatchObject({name: 'homeassistant', image: 'ghcr.io/home-assistant/home-assistant:2026.3.0'});
    expect(pod.spec.initContainers.map((c: {name: string}) => c.name)).toEqual(['seed-config']);
  });

  it('Given HA up, When kp ha up runs again, Then every object is unchanged and nothing else happens', async () => {
    const w = world();
    await devCluster(w);
    expect((await runKp(['ha', 'up', '--json'], {env: w.env, cwd: w.root})).exitCode).toBe(0);
    ha.restart(); // as the first sync does: onboarding complete, the restarted HA registers no onboarding views (404)
    const again = await runKp(['ha', 'up', '--json'], {env: w.env, cwd: w.root});
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.durationMs).toBeLessThan(10_000);
    const up = JSON.parse(again.stdout);
    expect(up.changed).toBe(false);
    expect(new Set(up.applied.map((l: {verb: string}) => l.verb))).toEqual(new Set(['unchanged']));
    // Nothing else happened: the second run's cluster calls are the apply, the rollout check and the backend lookup.
    const second = w
      .calls()
      .filter((c) => c.tool === 'kubectl' && c.argv[2] !== 'exec' && c.argv.slice(2, 4).join(' ') !== 'get pod')
      .slice(-3);
    expect(second.map((c) => c.argv.slice(2, 4).join(' '))).toEqual(['apply -f', 'rollout status', 'get service']);
    // Onboarded once: the second run only reads the steps and refreshes kp's token, and creates no owner.
    expect(up.onboarding).toMatchObject({outcome: 'already', owner: 'kp-dev', completed: []});
    expect(ha.state.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/api/onboarding'))).toHaveLength(4);
    expect(w.calls().filter((c) => c.tool === 'kubectl' && c.argv.includes('delete'))).toEqual([]);
  });

  it('Given HA_IMAGE, When kp ha up runs, Then the StatefulSet runs that image; a value that is no image reference is exit 2 before any call', async () => {
    const w = world();
    await devCluster(w);
    const ok = await runKp(['ha', 'up', '--json'], {env: {...w.env, HA_IMAGE: 'kp-ha-standin:test'}, cwd: w.root});
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(JSON.parse(fakeKubectl(w, 'get', 'pod', 'homeassistant-0', '-n', 'default', '-o', 'json')).spec.containers[0].image).toBe('kp-ha-standin:test');
    w.resetLogs();
    const bad = await runKp(['ha', 'up'], {env: {...w.env, HA_IMAGE: '--privileged'}, cwd: w.root});
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^error: HA_IMAGE "--privileged" is not an image reference/m);
    expect(w.calls()).toEqual([]);
  });

  it('Given HA up, When kp ha down runs, Then HA goes and its PVC stays; --volumes needs --yes without a terminal, then the PVC goes', async () => {
    const w = world();
    await devCluster(w);
    expect((await runKp(['ha', 'up'], {env: w.env, cwd: w.root})).exitCode).toBe(0);
    // When
    const down = await runKp(['ha', 'down', '--json'], {env: w.env, cwd: w.root});
    // Then
    expect(down.exitCode, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({
      removed: expect.arrayContaining([expect.stringContaining('statefulset.apps "homeassistant" deleted')]),
      volumeRemoved: false,
    });
    expect(fakeKubectl(w, 'get', 'pvc', '-n', 'default', '-o', 'name')).toContain('config-homeassistant-0');
    // A second down has nothing left to remove and still succeeds.
    const again = await runKp(['ha', 'down', '--json'], {env: w.env, cwd: w.root});
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).removed).toEqual([]);
    // --volumes without a terminal and without --yes: refused, nothing removed.
    w.resetLogs();
    const refused = await runKp(['ha', 'down', '--volumes'], {env: w.env, cwd: w.root});
    expect(refused.exitCode).toBe(2);
    expect(w.calls().filter((c) => c.tool === 'kubectl')).toEqual([]);
    const confirmed = await runKp(['ha', 'down', '--volumes', '--yes', '--json'], {env: w.env, cwd: w.root});
    expect(confirmed.exitCode, confirmed.stderr).toBe(0);
    expect(JSON.parse(confirmed.stdout).volumeRemoved).toBe(true);
    expect(fakeKubectl(w, 'get', 'pvc', '-n', 'default', '-o', 'name')).not.toContain('config-homeassistant-0');
  });

  it('Given a kind-kamerplanter context whose API server is not on this machine, When kp ha up --target kubernetes runs, Then exit 3 before any call', async () => {
    const w = world();
    pointKindContextAt(w, 'https://10.1.2.3:6443');
    const result = await runKp(['ha', 'up', '--target', 'kubernetes'], {env: w.env, cwd: w.root});
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/^error: The kube context kind-kamerplanter points at https:\/\/10\.1\.2\.3:6443, which is not on this machine/m);
    expect(w.calls().filter((c) => c.tool === 'kubectl')).toEqual([]);
  });

  it('Given HA up, When kp ha up --dry-run runs, Then the apply is printed, not run, and the cluster is unchanged', async () => {
    const w = world();
    await devCluster(w);
    const result = await runKp(['ha', 'up', '--dry-run', '--json'], {env: w.env, cwd: w.root});
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({dryRun: true, sync: {skipped: 'dry run'}});
    expect(result.stderr).toContain('[dry-run] kubectl --context kind-kamerplanter apply -f -');
    expect(w.calls().filter((c) => c.tool === 'kubectl')).toEqual([]);
  });

  it('Given a fresh HA, When kp ha up --verbose runs, Then it onboards it, keeps the login in a 0600 file of its state dir that no output shows, and kp ha credentials prints it', async () => {
    // Given
    const w = world();
    await devCluster(w);
    // When
    const up = await runKp(['ha', 'up', '--verbose'], {env: w.env, cwd: w.root});
    const login = await runKp(['ha', 'credentials', '--json'], {env: w.env, cwd: w.root});
    // Then
    expect(up.exitCode, up.stderr).toBe(0);
    expect(login.exitCode, login.stderr).toBe(0);
    const credentials = JSON.parse(login.stdout);
    expect(credentials).toMatchObject({url: `${ha.url}/`, username: 'kp-dev', state: 'onboarded'});
    expect(credentials.password).toMatch(/^[\w-]{32}$/);
    expect(statSync(credentials.file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(credentials.file)).mode & 0o777).toBe(0o700);
    expect(credentials.file.startsWith(`${w.env.XDG_STATE_HOME}/kp/`)).toBe(true); // kp's state dir, never the checkout
    const kept = JSON.parse(readFileSync(credentials.file, 'utf8'));
    expect(ha.state.refresh.has(kept.refreshToken)).toBe(true);
    expect(credentials).not.toHaveProperty('refreshToken');
    // --verbose names each API call, never a password, code or token.
    expect(up.stderr).toContain(`$ POST ${ha.url}/api/onboarding/users (body redacted)`);
    for (const secret of [kept.password, kept.refreshToken, ...ha.state.access]) {
      expect(up.stdout + up.stderr).not.toContain(secret);
    }
    // The human form of the login, for the browser.
    const human = await runKp(['ha', 'credentials'], {env: w.env, cwd: w.root});
    expect(human.stdout).toContain(`password  ${kept.password}`);
  });

  it('Given an HA someone else onboarded (and restarted since: no onboarding views), When kp ha up runs, Then it is left as it is: no owner created, one line says kp holds no token, no wiring, exit 0', async () => {
    // Given
    const w = world();
    await devCluster(w);
    for (const step of ['user', 'core_config', 'analytics', 'integration']) ha.state.done.add(step);
    ha.restart();
    // When
    const result = await runKp(['ha', 'up', '--json'], {env: w.env, cwd: w.root});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    const up = JSON.parse(result.stdout);
    expect(up.onboarding).toMatchObject({outcome: 'foreign', reason: expect.stringContaining('someone else onboarded it')});
    expect(up.wiring).toBeUndefined();
    expect(result.stderr).toMatch(/already onboarded and someone else onboarded it, so kp holds no token for it/);
    expect(ha.state.requests.filter((r) => r.method === 'POST')).toEqual([]);
    const login = await runKp(['ha', 'credentials'], {env: w.env, cwd: w.root});
    expect(login.exitCode).toBe(3);
    expect(login.stderr).toMatch(/^error: kp keeps no login for pod default\/homeassistant-0/m);
  });

  it('Given an HA whose onboarding fails (HTTP 500 on the user step), When kp ha up runs, Then it exits non-zero with the reason and scales HA to 0 rather than leaving it unowned; the next run starts it again', async () => {
    // Given
    const w = world();
    await devCluster(w);
    ha.state.failures.set('POST /api/onboarding/users', 500);
    // When
    const result = await runKp(['ha', 'up'], {env: w.env, cwd: w.root});
    // Then
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(
      /^error: Could not onboard Home Assistant \(Home Assistant answered POST \/api\/onboarding\/users with HTTP 500 \(Internal Server Error\)\); it is stopped\.$/m,
    );
    expect(result.stderr).toMatch(/^hint: /m);
    expect(
      w
        .calls()
        .filter((c) => c.tool === 'kubectl')
        .at(-1)!.argv,
    ).toEqual(['--context', 'kind-kamerplanter', 'scale', 'statefulset/homeassistant', '-n', 'default', '--replicas=0']);
    expect(JSON.parse(fakeKubectl(w, 'get', 'statefulset', 'homeassistant', '-n', 'default', '-o', 'json')).spec.replicas).toBe(0);
    // With HA stopped, kp ha credentials still shows the one login kept, saying it may open nothing.
    const login = await runKp(['ha', 'credentials'], {env: w.env, cwd: w.root});
    expect(login.exitCode, login.stderr).toBe(0);
    expect(login.stderr).toMatch(/No running Home Assistant found .*showing the one login kp keeps/);
    expect(login.stdout).toContain('state     creating-owner (onboarding not finished; kp may not have created this owner');
    // When HA works again, Then the next kp ha up brings it back and onboards it.
    ha.state.failures.clear();
    const again = await runKp(['ha', 'up', '--json'], {env: w.env, cwd: w.root});
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).onboarding.outcome).toBe('onboarded');
    expect(JSON.parse(fakeKubectl(w, 'get', 'statefulset', 'homeassistant', '-n', 'default', '-o', 'json')).spec.replicas).toBe(1);
  });

  it('Given the backend Service in the dev cluster, When kp ha up runs twice, Then the first creates the kamerplanter entry with the cluster DNS URL and the second keeps it', async () => {
    // Given
    const w = world();
    await devCluster(w);
    const service = path.join(w.root, 'backend-service.yaml');
    writeFileSync(
      service,
      YAML.stringify({apiVersion: 'v1', kind: 'Service', metadata: {name: 'kamerplanter-backend', namespace: 'default'}, spec: {ports: [{port: 8000}]}}),
    );
    fakeKubectl(w, 'apply', '-f', service);
    // When
    const first = await runKp(['ha', 'up', '--json'], {env: w.env, cwd: w.root});
    const second = await runKp(['ha', 'up', '--json'], {env: w.env, cwd: w.root});
    // Then
    expect(first.exitCode, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).wiring).toMatchObject({
      outcome: 'created',
      url: 'http://kamerplanter-backend.default.svc.cluster.local:8000',
      state: 'loaded',
    });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).wiring).toMatchObject({outcome: 'kept'});
    expect(ha.state.entries.map((e) => e.url)).toEqual(['http://kamerplanter-backend.default.svc.cluster.local:8000']);
  });

  it("Given someone creating the owner between kp's look and its request (HA answers 403), When kp ha up runs, Then HA is theirs: kp keeps no login, does not stop HA, exit 0", async () => {
    // Given
    const w = world();
    await devCluster(w);
    ha.state.failures.set('POST /api/onboarding/users', 403);
    // When
    const result = await runKp(['ha', 'up', '--json'], {env: w.env, cwd: w.root});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).onboarding).toMatchObject({outcome: 'foreign', reason: expect.stringContaining('someone else created the owner first')});
    expect(w.calls().filter((c) => c.tool === 'kubectl' && c.argv.includes('scale'))).toEqual([]);
    expect((await runKp(['ha', 'credentials'], {env: w.env, cwd: w.root})).exitCode).toBe(3);
  });

  it('Given the token exchange failing once after kp created the owner, When kp ha up runs twice, Then the first fails without stopping the owned HA and the second logs in with the kept password and completes onboarding', async () => {
    // Given
    const w = world();
    await devCluster(w);
    ha.state.failures.set('POST /auth/token', 500);
    // When
    const first = await runKp(['ha', 'up'], {env: w.env, cwd: w.root});
    // Then
    expect(first.exitCode).toBe(4);
    expect(first.stderr).toMatch(/^error: Could not complete Home Assistant's onboarding \(Home Assistant answered POST \/auth\/token with HTTP 500/m);
    expect(w.calls().filter((c) => c.tool === 'kubectl' && c.argv.includes('scale'))).toEqual([]);
    expect(ha.state.owner).toBe('kp-dev');
    // When HA answers again
    ha.state.failures.clear();
    const second = await runKp(['ha', 'up', '--json'], {env: w.env, cwd: w.root});
    // Then
    expect(second.exitCode, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).onboarding).toMatchObject({outcome: 'resumed', owner: 'kp-dev', completed: ['core_config', 'analytics', 'integration']});
    expect(ha.state.requests.filter((r) => r.path === '/auth/login_flow')).toHaveLength(1);
  });

  it("Given HA refusing kp's kept refresh token (its token store re-created), When kp ha up runs, Then kp logs in with the kept password, keeps the new token, and changes nothing else", async () => {
    // Given
    const w = world();
    await devCluster(w);
    expect((await runKp(['ha', 'up'], {env: w.env, cwd: w.root})).exitCode).toBe(0);
    ha.state.refresh.clear();
    // When
    const result = await runKp(['ha', 'up', '--json'], {env: w.env, cwd: w.root});
    // Then
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).onboarding).toMatchObject({outcome: 'already', owner: 'kp-dev'});
    const kept = JSON.parse(readFileSync(JSON.parse((await runKp(['ha', 'credentials', '--json'], {env: w.env, cwd: w.root})).stdout).file, 'utf8'));
    expect(ha.state.refresh.has(kept.refreshToken)).toBe(true);
  });

  it('Given KP_HA_URL that is not a plain http URL, When kp ha up runs, Then exit 2 before any cluster call', async () => {
    const w = world();
    await devCluster(w);
    for (const bad of ['https://homeassistant.localhost', 'not a url', 'http://user:pw@127.0.0.1:8123']) {
      const result = await runKp(['ha', 'up'], {env: {...w.env, KP_HA_URL: bad}, cwd: w.root});
      expect(result.exitCode, bad).toBe(2);
      expect(result.stderr).toMatch(/^error: KP_HA_URL /m);
      expect(result.stderr).toMatch(/^hint: /m);
    }
    expect(w.calls().filter((c) => c.tool === 'kubectl')).toEqual([]);
  });

  it('Given HA that does not become ready, When kp ha up times out, Then a fresh HA is scaled to 0 (it would come up un-onboarded), but one kp onboarded before is left running', async () => {
    // Given a fresh HA that never gets ready
    const w = world();
    await devCluster(w);
    const notReady = {...w.env, KP_FAKE_KUBECTL_NOT_READY: 'homeassistant'};
    // When
    const fresh = await runKp(['ha', 'up', '--timeout', '5'], {env: notReady, cwd: w.root});
    // Then
    expect(fresh.exitCode).toBe(5);
    expect(fresh.stderr).toMatch(/^error: Home Assistant did not become ready in kind-kamerplanter within 5s; it is stopped\.$/m);
    expect(JSON.parse(fakeKubectl(w, 'get', 'statefulset', 'homeassistant', '-n', 'default', '-o', 'json')).spec.replicas).toBe(0);
    // Given the same HA onboarded by kp (a ready run), then slow again
    expect((await runKp(['ha', 'up'], {env: w.env, cwd: w.root})).exitCode).toBe(0);
    w.resetLogs();
    // When
    const owned = await runKp(['ha', 'up', '--timeout', '5'], {env: notReady, cwd: w.root});
    // Then: it has an owner, so a slow start is no reason to stop it
    expect(owned.exitCode).toBe(5);
    expect(owned.stderr).toMatch(/^error: Home Assistant did not become ready in kind-kamerplanter within 5s\.$/m);
    expect(w.calls().filter((c) => c.tool === 'kubectl' && c.argv.includes('scale'))).toEqual([]);
  });
});
