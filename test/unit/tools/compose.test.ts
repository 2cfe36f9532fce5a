import {describe, expect, it} from 'vitest';
import {Compose, detectCompose, parseComposeVersion} from '../../../src/tools/compose.js';
import {recorded} from '../../helpers/recorded-docker.js';
import {scriptedContext, type ScriptRule} from '../../helpers/scripted-runner.js';

describe('compose version parser (fed with recorded output)', () => {
  it('Given v1, v2 and prefixed version lines, When parsed, Then the bare version is read', () => {
    expect(parseComposeVersion(recorded('compose-v1-version.txt'))).toBe('1.29.2');
    expect(parseComposeVersion(recorded('compose-v1-version-long.txt'))).toBe('1.29.2');
    expect(parseComposeVersion('2.29.7\n')).toBe('2.29.7');
    expect(parseComposeVersion('v2.31.0')).toBe('2.31.0');
    expect(parseComposeVersion('podman-compose version 1.0.6')).toBe('1.0.6');
  });

  it('Given the usage error of a docker without the v2 plugin, When parsed, Then it is not a version', () => {
    expect(parseComposeVersion(recorded('compose-v2-missing.stdout'))).toBeUndefined();
    expect(parseComposeVersion(recorded('compose-v2-missing.stderr'))).toBeUndefined();
  });
});

describe('detecting Compose (scripted)', () => {
  // docker exits 125 on a flag it cannot parse: the recorded answer of a client without the v2 plugin.
  const v2Missing: ScriptRule = {
    match: ['docker', 'compose', 'version', '--short'],
    reply: {exitCode: 125, stdout: recorded('compose-v2-missing.stdout'), stderr: recorded('compose-v2-missing.stderr')},
  };

  it('Given the v2 plugin, When detected, Then `docker compose` is used and v1 is never asked', async () => {
    const {runner} = scriptedContext([{match: ['docker', 'compose', 'version', '--short'], reply: {stdout: '2.29.7\n'}}]);

    expect(await detectCompose(runner, 'docker')).toEqual({flavour: 'compose-v2', version: '2.29.7', command: ['docker', 'compose']});
    expect(runner.lines()).toEqual(['docker compose version --short']);
  });

  it('Given no v2 plugin but docker-compose v1, When detected, Then the standalone v1 is used', async () => {
    const {runner} = scriptedContext([v2Missing, {match: ['docker-compose', 'version', '--short'], reply: {stdout: recorded('compose-v1-version.txt')}}]);

    expect(await detectCompose(runner, 'docker')).toEqual({flavour: 'compose-v1', version: '1.29.2', command: ['docker-compose']});
    expect(runner.lines()).toEqual(['docker compose version --short', 'docker-compose version --short']);
  });

  it('Given neither the plugin nor docker-compose on PATH, When detected, Then there is no Compose', async () => {
    const {runner} = scriptedContext([v2Missing, {match: ['docker-compose'], reply: {notFound: true}}]);

    expect(await detectCompose(runner, 'docker')).toBeUndefined();
    expect(runner.calls).toHaveLength(2);
  });

  it('Given podman, When detected, Then `podman compose` is asked first', async () => {
    const {runner} = scriptedContext([{match: ['podman', 'compose', 'version', '--short'], reply: {stdout: 'podman-compose version 1.0.6\n'}}]);

    expect(await detectCompose(runner, 'podman')).toEqual({flavour: 'podman-compose', version: '1.0.6', command: ['podman', 'compose']});
  });
});

describe('Compose bound to a project', () => {
  it('Given a project with a profile, When up runs, Then name, file, env file and profile precede `up -d --remove-orphans`, marked mutating', async () => {
    // Given
    const {runner} = scriptedContext([{match: ['docker-compose'], reply: {}}]);
    const compose = new Compose(
      runner,
      {flavour: 'compose-v1', version: '1.29.2', command: ['docker-compose']},
      {
        name: 'other',
        file: '/c/docker-compose.yml',
        envFile: '/e/compose-other.env',
        profiles: ['timescaledb'],
      },
    );
    // When
    await compose.up();
    // Then
    expect(runner.calls.map((c) => [c.command, c.args.join(' '), c.mutating])).toEqual([
      [
        'docker-compose',
        '--project-name other --file /c/docker-compose.yml --env-file /e/compose-other.env --profile timescaledb up -d --remove-orphans',
        true,
      ],
    ]);
  });
});
