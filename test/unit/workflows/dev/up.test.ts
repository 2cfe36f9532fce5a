/**
 * `kp dev up` in-process: the context fence, decided from the kubeconfig before any kind, kubectl or
 * skaffold process.
 */
import {chmodSync, mkdirSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ExitCode} from '../../../../src/core/errors.js';
import {checkSkaffoldArgs, devUp, type DevUpOptions} from '../../../../src/workflows/dev/up.js';
import {useSandbox, type ScriptRule} from '../../../helpers/scripted-runner.js';

const sandbox = useSandbox();

/**
 * kind, kubectl, skaffold and helm "on PATH" with their versions already in kp's per-binary cache,
 * so the preflight needs no process for them (they are never run: the runner is scripted).
 */
function cachedDevTools(): void {
  const bin = sandbox.dir('bin');
  const versions = {kind: '0.32.0', kubectl: '1.32.4', skaffold: '2.16.1', helm: '3.20.2'};
  const cache: Record<string, {path: string; size: number; mtimeMs: number; version: string}> = {};
  for (const [tool, version] of Object.entries(versions)) {
    const file = path.join(bin, tool);
    writeFileSync(file, '#!/bin/sh\nexit 99\n');
    chmodSync(file, 0o755);
    const stat = statSync(file);
    cache[tool] = {path: file, size: stat.size, mtimeMs: stat.mtimeMs, version};
  }
  mkdirSync(path.join(sandbox.cacheHome, 'kp'), {recursive: true});
  writeFileSync(path.join(sandbox.cacheHome, 'kp', 'tool-versions.json'), JSON.stringify(cache));
  process.env.PATH = bin;
}

function checkout(): string {
  const root = sandbox.dir('checkout');
  mkdirSync(path.join(root, 'helm', 'kamerplanter'), {recursive: true});
  writeFileSync(path.join(root, 'helm', 'kamerplanter', 'Chart.yaml'), 'apiVersion: v2\nname: kamerplanter\nversion: 0.2.0\n');
  return root;
}

const options = (workspace: string): DevUpOptions => ({
  workspace,
  name: 'kamerplanter',
  profiles: [],
  modules: [],
  allModules: false,
  debug: false,
  skaffoldArgs: [],
  keepHostPorts: false,
  detach: true,
  autoBuild: false,
  autoDeploy: false,
  recreate: false,
  timeoutSeconds: 30,
});

const runningNodes: ScriptRule = {
  match: ['docker', 'ps', '-a', '--no-trunc', '--format', '{{json .}}', '--filter', 'label=io.x-k8s.kind.cluster=kamerplanter'],
  reply: {
    stdout: `${['control-plane', 'worker']
      .map((role) =>
        JSON.stringify({
          ID: role === 'worker' ? 'b'.repeat(64) : 'a'.repeat(64),
          Names: `kamerplanter-${role}`,
          Labels: `io.x-k8s.kind.cluster=kamerplanter,io.x-k8s.kind.role=${role}`,
          State: 'running',
          Status: 'Up 5 minutes',
        }),
      )
      .join('\n')}\n`,
  },
};

describe('kp dev up: the context fence', () => {
  it('Given kind-kamerplanter pointing at a non-local server, When dev up runs, Then exit 3 before any process is started', async () => {
    // Given: running node containers, and a kubeconfig whose kind-kamerplanter context is a remote cluster
    cachedDevTools();
    writeFileSync(
      sandbox.kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: kind-kamerplanter',
        'contexts:',
        '- name: kind-kamerplanter',
        '  context: {cluster: kind-kamerplanter, user: kind-kamerplanter}',
        'clusters:',
        '- name: kind-kamerplanter',
        '  cluster: {server: https://prod.example.com:6443}',
        '',
      ].join('\n'),
    );
    const {ctx, runner} = sandbox.context([runningNodes]);

    // When
    const error = await devUp(ctx, options(checkout())).catch((e: unknown) => e);

    // Then
    expect(error).toMatchObject({exitCode: ExitCode.Prerequisite});
    expect((error as Error).message).toContain('points at https://prod.example.com:6443, which is not on this machine');
    // (the fence reads the kubeconfig in-process, before any process at all)
    expect(runner.lines()).toEqual([]);
    expect(runner.calls.filter((c) => ['kind', 'kubectl', 'skaffold', 'helm'].includes(c.command))).toEqual([]);
  });
});

describe('arguments after -- that would override kp', () => {
  it.each([
    ['--kube-context', 'prod'],
    ['--kube-context=prod'],
    ['--kubeconfig=/x'],
    ['-f', 'other.yaml'],
    ['--module=ki'],
    ['-m', 'ki'],
    ['-pdebug'],
    ['--profile', 'x'],
  ])("Given -- %s, When dev up runs, Then exit 2 before any process, pointing at kp's own flag", async (...args) => {
    const {ctx, runner} = sandbox.context();
    const error = await devUp(ctx, {...options(checkout()), skaffoldArgs: args}).catch((e: unknown) => e);
    expect(error).toMatchObject({exitCode: ExitCode.Usage});
    expect((error as Error & {hint?: string}).hint).toMatch(/^Use kp's own /);
    expect(runner.lines()).toEqual([]);
  });

  it('Given harmless Skaffold flags after --, When checked, Then they pass', () => {
    expect(() => checkSkaffoldArgs(['--cleanup=false', '--tail', '--port-forward=off', '-v', 'debug'])).not.toThrow();
  });
});
