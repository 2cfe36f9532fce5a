import {describe, expect, it} from 'vitest';
import {parseHelmList, parseHelmVersion} from '../../src/tools/helm.js';
import {parseKindClusters, parseKindVersion, isAlreadyExists} from '../../src/tools/kind.js';
import {parseKubectlClientVersion} from '../../src/tools/kubectl.js';
import {devArgs, parseSkaffoldVersion, targetArgs} from '../../src/tools/skaffold.js';
import {judgeToolVersion} from '../../src/workflows/shared/tool-versions.js';

describe('version output of each tool (as printed by the real tools)', () => {
  it('Given `kind version` and `kind version -q`, When parsed, Then both give the bare version', () => {
    expect(parseKindVersion('kind v0.32.0 go1.24.2 linux/amd64\n')).toBe('0.32.0');
    expect(parseKindVersion('0.32.0\n')).toBe('0.32.0');
    expect(parseKindVersion('kind v0.20.0 go1.20.4 darwin/arm64')).toBe('0.20.0');
    expect(parseKindVersion('kind v0.24.0-alpha+4f3c2a1 go1.22 linux/amd64')).toBe('0.24.0');
    expect(parseKindVersion('garbage')).toBeUndefined();
  });

  it('Given `kubectl version --client -o json` (including a vendor suffix), When parsed, Then the semver is read', () => {
    const real = JSON.stringify({clientVersion: {major: '1', minor: '32+', gitVersion: 'v1.32.4-dispatcher', platform: 'linux/amd64'}, kustomizeVersion: 'v5.5.0'});
    expect(parseKubectlClientVersion(real)).toBe('1.32.4');
    expect(parseKubectlClientVersion('{"clientVersion":{"gitVersion":"v1.28.0"}}')).toBe('1.28.0');
    expect(parseKubectlClientVersion('Client Version: v1.32.4')).toBeUndefined();
  });

  it('Given `skaffold version`, When parsed, Then v2 and v1 outputs are read', () => {
    expect(parseSkaffoldVersion('v2.16.1\n')).toBe('2.16.1');
    expect(parseSkaffoldVersion('v1.39.2')).toBe('1.39.2');
  });

  it('Given `helm version --short`, When parsed, Then the build suffix is dropped', () => {
    expect(parseHelmVersion('v3.16.2+g13654a5\n')).toBe('3.16.2');
  });

  it('Given `kind get clusters` output, When parsed, Then names are listed and the none-message is not a name', () => {
    expect(parseKindClusters('kamerplanter\nother\n')).toEqual(['kamerplanter', 'other']);
    expect(parseKindClusters('')).toEqual([]);
    expect(parseKindClusters('No kind clusters found.\n')).toEqual([]);
  });

  it('Given kind create on an existing cluster, When its stderr is checked, Then it is recognised', () => {
    expect(isAlreadyExists('ERROR: failed to create cluster: node(s) already exist for a cluster with the name "kamerplanter"')).toBe(true);
  });

  it('Given `helm list -o json`, When parsed, Then rows are typed', () => {
    const rows = parseHelmList('[{"name":"kamerplanter","namespace":"default","revision":"3","updated":"x","status":"deployed","chart":"kamerplanter-0.1.0","app_version":"0.0.12"}]');
    expect(rows).toEqual([{name: 'kamerplanter', namespace: 'default', revision: '3', status: 'deployed', chart: 'kamerplanter-0.1.0', appVersion: '0.0.12'}]);
    expect(parseHelmList('[]')).toEqual([]);
  });
});

describe('minimum versions', () => {
  it('Given versions at and above the minimum, When judged, Then they are ok', () => {
    expect(judgeToolVersion('kind', '0.20.0').ok).toBe(true);
    expect(judgeToolVersion('kubectl', '1.28.0').ok).toBe(true);
    expect(judgeToolVersion('skaffold', '2.10.0').ok).toBe(true);
    expect(judgeToolVersion('helm', '3.14.0').ok).toBe(true);
  });

  it('Given older versions, When judged, Then each names the required minimum', () => {
    expect(judgeToolVersion('kind', '0.19.0').problem).toBe('kind 0.19.0 is older than the required 0.20.0.');
    expect(judgeToolVersion('kubectl', '1.27.9').ok).toBe(false);
    expect(judgeToolVersion('helm', '3.13.3').ok).toBe(false);
    expect(judgeToolVersion('skaffold', '2.9.0').problem).toContain('older than the required 2.10.0');
  });

  it('Given Skaffold v1, When judged, Then it is refused with the reason', () => {
    const probe = judgeToolVersion('skaffold', '1.39.2');
    expect(probe.ok).toBe(false);
    expect(probe.problem).toContain('v1');
    expect(probe.problem).toContain('v4beta');
  });

  it('Given a tool that is not on PATH, When judged, Then it is reported missing with an install hint', () => {
    const probe = judgeToolVersion('helm', undefined, false);
    expect(probe).toMatchObject({ok: false, found: false});
    expect(probe.hint).toContain('Helm');
  });
});

describe('skaffold argv', () => {
  const target = {file: '/ws/skaffold.yaml', cwd: '/ws', kubeContext: 'kind-kamerplanter', profiles: ['debug'], modules: ['kp', 'ki']};

  it('Given a target, When building args, Then the context is always explicit', () => {
    expect(targetArgs(target)).toEqual(['--kube-context', 'kind-kamerplanter', '--filename', '/ws/skaffold.yaml', '--profile', 'debug', '--module', 'kp,ki']);
  });

  it('Given defaults, When building `skaffold dev`, Then port-forward is on and auto build/deploy are off', () => {
    const args = devArgs(target, {autoBuild: false, autoDeploy: false, portForward: true});
    expect(args.slice(0, 1)).toEqual(['dev']);
    expect(args).toEqual(expect.arrayContaining(['--port-forward', '--auto-build=false', '--auto-deploy=false']));
    expect(devArgs(target, {autoBuild: true, autoDeploy: false, portForward: true})).toContain('--auto-build=true');
  });
});
