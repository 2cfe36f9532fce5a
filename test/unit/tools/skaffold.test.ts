import {describe, expect, it} from 'vitest';
import {recorded} from '../../helpers/recorded.js';
import {diagnoseArgs, loopArgs, parseSkaffoldVersion, runArgs, targetArgs} from '../../../src/tools/skaffold.js';

describe('skaffold version', () => {
  it('Given `skaffold version`, When parsed, Then v2 and v1 outputs are read', () => {
    expect(parseSkaffoldVersion(recorded('skaffold/version.txt'))).toBe('2.16.1');
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

  it('Given defaults, When building `skaffold dev`, Then only the user-defined forwards are on and auto build/deploy are off', () => {
    const args = loopArgs('dev', target, {autoBuild: false, autoDeploy: false});
    expect(args.slice(0, 1)).toEqual(['dev']);
    expect(args).toEqual(expect.arrayContaining(['--port-forward=user', '--auto-build=false', '--auto-deploy=false']));
    expect(args).not.toContain('--port-forward');
    expect(loopArgs('dev', target, {autoBuild: true, autoDeploy: false})).toContain('--auto-build=true');
  });

  it('Given debug, When building the loop, Then it is `skaffold debug` forwarding the user ports and the debugger ports', () => {
    const args = loopArgs('debug', target, {autoBuild: false, autoDeploy: false});
    expect(args[0]).toBe('debug');
    expect(args).toContain('--port-forward=user,debug');
  });

  it('Given arguments after --, When building run and loop args, Then they come last and unchanged', () => {
    const extra = {...target, extraArgs: ['--cleanup=false', '--tail']};
    expect(runArgs(extra).slice(-2)).toEqual(['--cleanup=false', '--tail']);
    expect(loopArgs('dev', extra, {autoBuild: false, autoDeploy: false}).slice(-2)).toEqual(['--cleanup=false', '--tail']);
  });

  it('Given a selection, When building the validation args, Then it is diagnose --yaml-only with file, profiles and modules and no context', () => {
    expect(diagnoseArgs(target)).toEqual(['diagnose', '--yaml-only', '--filename', '/ws/skaffold.yaml', '--profile', 'debug', '--module', 'kp,ki']);
  });
});
