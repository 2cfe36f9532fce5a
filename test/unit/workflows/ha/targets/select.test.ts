/**
 * Choosing the HA target: every name and the config dir checked, and the context fence decided from
 * the kubeconfig, all before any process.
 */
import {writeFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {ExitCode} from '../../../../../src/core/errors.js';
import {Kubectl} from '../../../../../src/tools/kubectl.js';
import {selectTarget, validateConfigDir, type TargetOptions} from '../../../../../src/workflows/ha/targets/select.js';
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
