import {writeFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {ExitCode} from '../../../../src/core/errors.js';
import {devDown, planDown} from '../../../../src/workflows/dev/down.js';
import {useSandbox, type ScriptRule} from '../../../helpers/scripted-runner.js';

describe('down planner', () => {
  it('Given nothing, When planned, Then nothing is deleted and nothing asked', () => {
    expect(planDown({nodes: [], contextExists: false}, false)).toEqual({deleteCluster: false, needsConfirmation: false, prune: false});
  });
  it('Given node containers, When planned, Then deletion needs confirmation', () => {
    expect(planDown({nodes: ['kamerplanter-control-plane'], contextExists: true}, true)).toEqual({deleteCluster: true, needsConfirmation: true, prune: true});
  });
  it('Given only a stale context, When planned, Then it is removed without asking (no data)', () => {
    expect(planDown({nodes: [], contextExists: true}, false)).toMatchObject({deleteCluster: true, needsConfirmation: false});
  });
});

describe('kp dev down (in-process, scripted engine and kind)', () => {
  const sandbox = useSandbox();
  const NODES_PS = 'docker ps -a --no-trunc --format {{json .}} --filter label=io.x-k8s.kind.cluster=kamerplanter';
  /** `docker ps` rows of kind's node containers (names and labels as kind sets them). */
  const nodeRows = ['control-plane', 'worker']
    .map((role, index) =>
      JSON.stringify({
        ID: `${index + 1}`.repeat(64),
        Names: `kamerplanter-${role}`,
        Image: 'kindest/node:v1.32.2',
        Labels: `io.x-k8s.kind.cluster=kamerplanter,io.x-k8s.kind.role=${role}`,
        State: 'running',
        Status: 'Up 2 minutes',
        Ports: role === 'control-plane' ? '127.0.0.1:41234->6443/tcp' : '',
      }),
    )
    .join('\n');
  const nodes = (stdout: string): ScriptRule => ({
    match: ['docker', 'ps', '-a', '--no-trunc', '--format', '{{json .}}', '--filter', 'label=io.x-k8s.kind.cluster=kamerplanter'],
    reply: {stdout},
  });
  const kindDelete: ScriptRule = {match: ['kind', 'delete', 'cluster', '--name', 'kamerplanter'], reply: {stderr: 'Deleting cluster "kamerplanter" ...\n'}};

  it('Given no node containers and no context, When dev down runs, Then nothing is deleted and kind is never called', async () => {
    const {ctx, runner} = sandbox.context([nodes('')]);

    const result = await devDown(ctx, {name: 'kamerplanter', clean: false, yes: false});

    expect(result).toEqual({name: 'kamerplanter', deleted: false, nodes: [], cleaned: false, dryRun: false});
    expect(runner.lines()).toEqual([NODES_PS]);
  });

  it('Given node containers, no --yes and no terminal, When dev down runs, Then it is refused and kind delete never runs', async () => {
    const {ctx, runner} = sandbox.context([nodes(nodeRows), kindDelete]);

    const error = await devDown(ctx, {name: 'kamerplanter', clean: false, yes: false}).catch((e: unknown) => e);

    expect(error).toMatchObject({exitCode: ExitCode.Usage});
    expect((error as Error).message).toContain('Refusing to delete kind cluster kamerplanter without confirmation');
    expect(runner.lines()).toEqual([NODES_PS]);
    expect(runner.callsTo('kind')).toEqual([]);
  });

  it('Given node containers and --yes, When dev down runs, Then exactly one kind delete cluster runs', async () => {
    const {ctx, runner} = sandbox.context([nodes(nodeRows), kindDelete]);

    const result = await devDown(ctx, {name: 'kamerplanter', clean: false, yes: true});

    expect(result).toEqual({name: 'kamerplanter', deleted: true, nodes: ['kamerplanter-control-plane', 'kamerplanter-worker'], cleaned: false, dryRun: false});
    expect(runner.lines()).toEqual([NODES_PS, 'kind delete cluster --name kamerplanter']);
    expect(runner.mutatingCalls().map((c) => c.command)).toEqual(['kind']);
  });

  it('When dev down runs without --yes, Given only a stale kind context for the cluster in KUBECONFIG, Then kind deletes it without asking', async () => {
    // Given
    writeFileSync(
      sandbox.kubeconfig,
      'contexts:\n- name: kind-kamerplanter\n  context: {cluster: kind-kamerplanter, user: kind-kamerplanter}\nclusters:\n- name: kind-kamerplanter\n  cluster: {server: https://127.0.0.1:41234}\n',
    );
    const {ctx, runner} = sandbox.context([nodes(''), kindDelete]);

    // When
    const result = await devDown(ctx, {name: 'kamerplanter', clean: false, yes: false});

    // Then
    expect(result).toMatchObject({deleted: true, nodes: []});
    expect(runner.lines()).toEqual([NODES_PS, 'kind delete cluster --name kamerplanter']);
  });

  it('Given node containers, --yes and --dry-run, When dev down runs, Then kind delete is only recorded as skipped', async () => {
    const {ctx, runner} = sandbox.context([nodes(nodeRows)], {dryRun: true});

    const result = await devDown(ctx, {name: 'kamerplanter', clean: false, yes: true});

    expect(runner.lines()).toEqual([NODES_PS, '[dry-run] kind delete cluster --name kamerplanter']);
    // and the result claims nothing that did not happen
    expect(result).toMatchObject({deleted: false, cleaned: false, dryRun: true});
  });
});
