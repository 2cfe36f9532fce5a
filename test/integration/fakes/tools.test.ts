/**
 * The fake tools themselves (test/fakes): their argv is read by one parser (common.mjs parseArgs),
 * and their answers follow ../shared/spec/tool-behaviour.md. A fake that drifted from the real
 * tool would make every test built on it worthless, so the documented behaviours are pinned here.
 */
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {FAKE_DOCKER, useFakeWorlds, type FakeWorld} from '../../fakes/harness.js';
// @ts-expect-error plain ESM helper without types
import {FAKES_BIN} from '../../fakes/lib/env.mjs';
// @ts-expect-error plain ESM helper without types
import {parseArgs} from '../../fakes/lib/common.mjs';

const world = useFakeWorlds();

/** Run a fake by path in world `w`: exit code, stdout, stderr. */
function fake(w: FakeWorld, tool: string, ...args: string[]) {
  const bin = tool === 'docker' ? FAKE_DOCKER : path.join(FAKES_BIN as string, tool);
  const result = spawnSync(bin, args, {env: {...process.env, ...w.env} as NodeJS.ProcessEnv, encoding: 'utf8'});
  return {exitCode: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim()};
}

describe('Given the one argv parser of the fakes (pflag rules)', () => {
  const kubectl = {values: ['--context', '--namespace', '--container'], aliases: {'-n': '--namespace', '-c': '--container', '-i': '--stdin', '-t': '--tty'}};

  it('When flags stand before, between and after the words, Then words, values and booleans are told apart', () => {
    const parsed = parseArgs(['--context', 'kind-x', 'exec', '-it', '-n=default', 'pod-0', '-chomeassistant', '--', 'sh', '-c', 'echo -n'], kubectl);
    expect(parsed.positionals).toEqual(['exec', 'pod-0']);
    expect(parsed.rest).toEqual(['sh', '-c', 'echo -n']);
    expect([parsed.value('--context'), parsed.value('-n'), parsed.value('--container')]).toEqual(['kind-x', 'default', 'homeassistant']);
    expect([parsed.has('--stdin'), parsed.has('--tty'), parsed.has('--follow')]).toEqual([true, true, false]);
  });

  it('When a value flag repeats or lists values, Then every value is kept in order and the last one wins', () => {
    const parsed = parseArgs(['dev', '-p', 'a,b', '--profile=c', '--auto-build=false', '--port-forward'], {values: ['--profile'], aliases: {'-p': '--profile'}});
    expect(parsed.list('--profile')).toEqual(['a', 'b', 'c']);
    expect(parsed.value('-p')).toBe('c');
    expect([parsed.has('--auto-build'), parsed.has('--port-forward')]).toEqual([false, true]);
    expect(parsed.positionals).toEqual(['dev']);
  });
});

describe('Given a world with no cluster', () => {
  it('When kind get clusters runs, Then it says so on stderr and exits 0; delete of a missing cluster exits 0 too', () => {
    const w = world();
    expect(fake(w, 'kind', 'get', 'clusters')).toEqual({exitCode: 0, stdout: '', stderr: 'No kind clusters found.'});
    const deleted = fake(w, 'kind', 'delete', 'cluster', '--name', 'nope');
    expect([deleted.exitCode, deleted.stderr]).toEqual([0, 'Deleting cluster "nope" ...']);
  });

  it('When kubectl names a context that does not exist, Then it fails with kubectl\'s wording wherever --context stands', () => {
    const w = world();
    for (const args of [['--context', 'kind-nope', 'get', 'pods'], ['get', 'pods', '--context=kind-nope']]) {
      expect(fake(w, 'kubectl', ...args)).toMatchObject({exitCode: 1, stderr: 'error: context "kind-nope" does not exist'});
    }
  });

  it('When a tool is asked for its version, Then it answers as the real one does', () => {
    const w = world();
    expect(fake(w, 'kind', 'version', '-q').stdout).toBe('0.32.0');
    expect(fake(w, 'skaffold', 'version').stdout).toBe('v2.16.1');
    expect(fake(w, 'helm', 'version', '--short').stdout).toMatch(/^v3\.\d+\.\d+\+g[0-9a-f]{7}$/);
    expect(JSON.parse(fake(w, 'kubectl', 'version', '--client', '-o', 'json').stdout).clientVersion.gitVersion).toBe('v1.32.4');
  });
});

describe('Given a cluster created by the fake kind', () => {
  function withCluster(): FakeWorld {
    const w = world();
    const created = fake(w, 'kind', 'create', 'cluster', '--name', 'demo', '--config', path.join(w.workspace, '..', 'no-such.yaml'));
    expect(created.exitCode).toBe(1); // a missing --config file is kind's error, not a default
    expect(fake(w, 'kind', 'create', 'cluster', '--name=demo').exitCode).toBe(0);
    return w;
  }

  it('When it is created again, Then kind refuses: node(s) already exist', () => {
    const w = withCluster();
    expect(fake(w, 'kind', 'create', 'cluster', '--name', 'demo')).toMatchObject({
      exitCode: 1,
      stderr: 'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "demo"',
    });
    expect(fake(w, 'kind', 'get', 'clusters').stdout).toBe('demo');
  });

  it('When docker stop -t 0 stops its node, Then the timeout is not taken for a container and ps -a shows it exited', () => {
    const w = withCluster();
    const id = w.clusters().demo!.nodes[0]!.id;
    expect(fake(w, 'docker', 'stop', '-t', '0', id)).toMatchObject({exitCode: 0, stdout: id});
    const rows = fake(w, 'docker', 'ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster=demo', '--format', '{{json .}}').stdout.split('\n');
    expect(rows.map((row) => JSON.parse(row).State)).toEqual(['exited']);
    expect(fake(w, 'docker', 'ps', '--filter', 'label=io.x-k8s.kind.cluster=demo').stdout).toBe('');
  });

  it('When skaffold selects a module or profile that does not exist, Then it fails with Skaffold\'s wording', () => {
    const w = withCluster();
    const base = ['run', '--kube-context', 'kind-demo', '--filename', path.join(w.workspace, 'skaffold.yaml')];
    expect(fake(w, 'skaffold', ...base, '-m', 'kp,nope')).toMatchObject({exitCode: 1, stderr: 'did not find any configs matching selection [nope]'});
    expect(fake(w, 'skaffold', ...base, '--profile=nope')).toMatchObject({exitCode: 1, stderr: "couldn't find profile nope"});
    expect(fake(w, 'skaffold', 'bogus')).toMatchObject({exitCode: 127});
  });
});
