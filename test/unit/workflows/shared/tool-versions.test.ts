import {chmodSync, existsSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {findOnPath, judgeToolVersion, probeDevTools, versionCacheFile} from '../../../../src/workflows/shared/tool-versions.js';
import {useSandbox} from '../../../helpers/scripted-runner.js';

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

  it('Given a tool on PATH whose version could not be read, When judged, Then it is found but not usable', () => {
    expect(judgeToolVersion('kind', undefined, true)).toMatchObject({ok: false, found: true, problem: 'kind is installed but its version could not be read.'});
  });
});

describe('probing the dev tools (in-process, scripted)', () => {
  const sandbox = useSandbox();

  function onPath(...tools: string[]): string {
    const bin = sandbox.dir('bin');
    for (const tool of tools) {
      writeFileSync(path.join(bin, tool), '#!/bin/sh\nexit 99\n');
      chmodSync(path.join(bin, tool), 0o755);
    }
    process.env.PATH = bin;
    return bin;
  }

  it('Given kind on PATH and a non-executable file named helm, When looked up, Then only kind is found', () => {
    const bin = onPath('kind');
    writeFileSync(path.join(bin, 'helm'), 'not executable');
    expect(findOnPath('kind')).toBe(path.join(bin, 'kind'));
    expect(findOnPath('helm')).toBeUndefined();
  });

  it('Given kind on PATH and no cache, When probed, Then `kind version` runs once and its version is cached for the binary', async () => {
    // Given
    const bin = onPath('kind');
    const {runner} = sandbox.context([{match: ['kind', 'version'], reply: {stdout: 'kind v0.32.0 go1.24.2 linux/amd64\n'}}]);
    // When
    const [probe] = await probeDevTools(runner, {useCache: true, tools: ['kind']});
    // Then
    expect(probe).toMatchObject({tool: 'kind', version: '0.32.0', ok: true, cached: false});
    expect(runner.lines()).toEqual(['kind version']);
    const cache = JSON.parse(readFileSync(versionCacheFile(), 'utf8')) as Record<string, {path: string; version: string}>;
    expect(cache.kind).toMatchObject({path: path.join(bin, 'kind'), version: '0.32.0', size: statSync(path.join(bin, 'kind')).size});
  });

  it('Given a cache entry matching the binary, When probed again, Then no process runs', async () => {
    // Given
    onPath('kind');
    const first = sandbox.context([{match: ['kind', 'version'], reply: {stdout: '0.32.0\n'}}]);
    await probeDevTools(first.runner, {useCache: true, tools: ['kind']});
    const second = sandbox.context([]);
    // When
    const [probe] = await probeDevTools(second.runner, {useCache: true, tools: ['kind']});
    // Then
    expect(probe).toMatchObject({version: '0.32.0', cached: true, ok: true});
    expect(second.runner.calls).toEqual([]);
  });

  it('Given a tool that is not on PATH, When probed, Then it is reported missing without a process', async () => {
    // Given
    onPath();
    const {runner} = sandbox.context([]);
    // When
    const probes = await probeDevTools(runner, {useCache: true});
    // Then
    expect(probes.map((p) => [p.tool, p.found])).toEqual([
      ['kind', false],
      ['kubectl', false],
      ['skaffold', false],
      ['helm', false],
    ]);
    expect(runner.calls).toEqual([]);
    expect(existsSync(versionCacheFile())).toBe(false);
  });
});
