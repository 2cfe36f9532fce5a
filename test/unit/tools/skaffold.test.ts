import {describe, expect, it} from 'vitest';
import {devArgs, parseSkaffoldVersion, targetArgs} from '../../../src/tools/skaffold.js';

describe('skaffold version', () => {
  it('Given `skaffold version`, When parsed, Then v2 and v1 outputs are read', () => {
    expect(parseSkaffoldVersion('v2.16.1\n')).toBe('2.16.1');
    expect(parseSkaffoldVersion('v1.39.2')).toBe('1.39.2');
  });
});

describe('skaffold argv', () => {
  const target = {file: '/ws/skaffold.yaml', cwd: '/ws', kubeContext: 'kind-kamerplanter', profiles: ['debug'], modules: ['kp', 'ki']};

  it('Given a target, When building args, Then the context is always explicit', () => {
    expect(targetArgs(target)).toEqual(['--kube-context', 'kind-kamerplanter', '--filename', '/ws/skaffold.yaml', '--profile', 'debug', '--module', 'kp,ki']);
  });

  it('Given no profiles and no modules, When building args, Then neither flag appears', () => {
    expect(targetArgs({...target, profiles: [], modules: []})).toEqual(['--kube-context', 'kind-kamerplanter', '--filename', '/ws/skaffold.yaml']);
  });

  it('Given defaults, When building `skaffold dev`, Then port-forward is on and auto build/deploy are off', () => {
    const args = devArgs(target, {autoBuild: false, autoDeploy: false, portForward: true});
    expect(args.slice(0, 1)).toEqual(['dev']);
    expect(args).toEqual(expect.arrayContaining(['--port-forward', '--auto-build=false', '--auto-deploy=false']));
    expect(devArgs(target, {autoBuild: true, autoDeploy: false, portForward: true})).toContain('--auto-build=true');
  });
});
