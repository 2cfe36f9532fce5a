import {describe, expect, it} from 'vitest';
import {ExitCode, KpError} from '../../../src/core/errors.js';
import {isAlreadyExists, Kind, parseKindClusters, parseKindVersion} from '../../../src/tools/kind.js';
import {scriptedContext} from '../../helpers/scripted-runner.js';

// Outputs as shared/spec/tool-behaviour.md documents them for kind v0.32.
const ALREADY_EXISTS = 'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "kamerplanter"';

describe('kind output parsers', () => {
  it('Given `kind version` and `kind version -q`, When parsed, Then both give the bare version', () => {
    expect(parseKindVersion('kind v0.32.0 go1.24.2 linux/amd64\n')).toBe('0.32.0');
    expect(parseKindVersion('0.32.0\n')).toBe('0.32.0');
    expect(parseKindVersion('kind v0.20.0 go1.20.4 darwin/arm64')).toBe('0.20.0');
    expect(parseKindVersion('kind v0.24.0-alpha+4f3c2a1 go1.22 linux/amd64')).toBe('0.24.0');
    expect(parseKindVersion('garbage')).toBeUndefined();
  });

  it('Given `kind get clusters` output, When parsed, Then names are listed and the none-message is not a name', () => {
    expect(parseKindClusters('kamerplanter\nother\n')).toEqual(['kamerplanter', 'other']);
    expect(parseKindClusters('')).toEqual([]);
    expect(parseKindClusters('No kind clusters found.\n')).toEqual([]);
  });

  it('Given kind create on an existing cluster, When its stderr is checked, Then it is recognised (and other errors are not)', () => {
    expect(isAlreadyExists(ALREADY_EXISTS)).toBe(true);
    expect(isAlreadyExists('ERROR: failed to create cluster: failed to pull image')).toBe(false);
  });
});

describe('Kind adapter', () => {
  it("Given node containers that already exist, When a cluster is created, Then kind's exit 1 becomes a tool error that says so", async () => {
    const {runner} = scriptedContext([{match: ['kind', 'create', 'cluster'], reply: {exitCode: 1, stderr: `${ALREADY_EXISTS}\n`}}]);

    const error = await new Kind(runner).createCluster({name: 'kamerplanter', configFile: '/k.yaml', waitSeconds: 60}).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KpError);
    expect(error).toMatchObject({exitCode: ExitCode.ToolFailed, message: 'kind reports that node containers for cluster "kamerplanter" already exist.'});
    expect(runner.lines()).toEqual(['kind create cluster --name kamerplanter --config /k.yaml --wait 60s']);
  });

  it('Given podman as the engine, When kind runs, Then KIND_EXPERIMENTAL_PROVIDER=podman is passed', async () => {
    const {runner} = scriptedContext([{match: ['kind', 'delete', 'cluster'], reply: {stderr: 'Deleting cluster "kamerplanter" ...\n'}}]);

    await new Kind(runner, 'kind', 'podman').deleteCluster('kamerplanter');

    expect(runner.calls.map((c) => [c.args, c.mutating, c.options.env])).toEqual([
      [['delete', 'cluster', '--name', 'kamerplanter'], true, {KIND_EXPERIMENTAL_PROVIDER: 'podman'}],
    ]);
  });
});
