import {describe, expect, it} from 'vitest';
import {ExitCode, KpError, ToolError} from '../../../src/core/errors.js';
import {isNotFound, isUnreachable, Kubectl, parseKubectlClientVersion} from '../../../src/tools/kubectl.js';
import {scriptedContext} from '../../helpers/scripted-runner.js';

// Outputs as shared/spec/tool-behaviour.md documents them for kubectl v1.32.
const REFUSED = 'The connection to the server 127.0.0.1:40000 was refused - did you specify the right host or port?';
const NOT_FOUND = 'Error from server (NotFound): pods "homeassistant-0" not found';

describe('kubectl output parsers', () => {
  it('Given `kubectl version --client -o json` (including a vendor suffix), When parsed, Then the semver is read', () => {
    const real = JSON.stringify({
      clientVersion: {major: '1', minor: '32+', gitVersion: 'v1.32.4-dispatcher', platform: 'linux/amd64'},
      kustomizeVersion: 'v5.5.0',
    });
    expect(parseKubectlClientVersion(real)).toBe('1.32.4');
    expect(parseKubectlClientVersion('{"clientVersion":{"gitVersion":"v1.28.0"}}')).toBe('1.28.0');
    expect(parseKubectlClientVersion('Client Version: v1.32.4')).toBeUndefined();
  });

  it('Given the NotFound and connection-refused messages, When classified, Then each is recognised as what it is', () => {
    expect([isNotFound(NOT_FOUND), isUnreachable(NOT_FOUND)]).toEqual([true, false]);
    expect([isNotFound(REFUSED), isUnreachable(REFUSED)]).toEqual([false, true]);
  });
});

describe('Kubectl adapter', () => {
  it('Given any call, When run, Then --context comes first', async () => {
    const {runner} = scriptedContext([{match: ['kubectl', '--context', 'kind-kamerplanter', 'get', 'nodes'], reply: {stdout: '{"items":[]}'}}]);

    const result = await new Kubectl(runner, 'kind-kamerplanter').run(['get', 'nodes', '-o', 'json']);

    expect(result.stdout).toBe('{"items":[]}');
    expect(runner.lines()).toEqual(['kubectl --context kind-kamerplanter get nodes -o json']);
  });

  it('Given an unreachable API, When a call fails, Then it is a prerequisite error naming the context', async () => {
    const {runner} = scriptedContext([{match: ['kubectl'], reply: {exitCode: 1, stderr: `${REFUSED}\n`}}]);

    const error = await new Kubectl(runner, 'kind-kamerplanter').run(['get', 'nodes']).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KpError);
    expect(error).toMatchObject({exitCode: ExitCode.Prerequisite, message: 'The Kubernetes API of context kind-kamerplanter is not reachable.'});
  });

  it("Given a missing object, When a call fails, Then it is a ToolError carrying kubectl's exit code and stderr", async () => {
    const {runner} = scriptedContext([{match: ['kubectl'], reply: {exitCode: 1, stderr: `${NOT_FOUND}\n`}}]);

    const error = await new Kubectl(runner, 'kind-kamerplanter').run(['get', 'pod', 'homeassistant-0']).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({toolExitCode: 1, exitCode: ExitCode.ToolFailed, stderr: `${NOT_FOUND}\n`});
  });
});
