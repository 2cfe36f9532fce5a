/**
 * `kp autocomplete`: shell completion through oclif's autocomplete plugin, loaded only for this
 * command, with its cache in kp's own XDG cache dir.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {projectRoot, runKp} from '../../helpers/cli.js';
import {useTempDirs} from '../../helpers/temp-dirs.js';

const tempDir = useTempDirs();

describe('Given a shell that wants completion', () => {
  it('When kp autocomplete bash runs, Then the cache under $XDG_CACHE_HOME/kp completes every command, and the script line sources it', async () => {
    // Given
    const cache = tempDir('kp-ac-');
    // When
    const setup = await runKp(['autocomplete', 'bash'], {env: {XDG_CACHE_HOME: cache}});
    // Then
    expect(setup.exitCode, setup.stderr).toBe(0);
    expect(setup.stdout).toContain('kp autocomplete script bash');
    const completion = readFileSync(path.join(cache, 'kp', 'autocomplete', 'functions', 'bash', 'kp.bash'), 'utf8');
    for (const command of ['compose start', 'dev up', 'ha sync', 'doctor']) expect(completion).toContain(command.replace(' ', ':'));
    const script = await runKp(['autocomplete', 'script', 'bash'], {env: {XDG_CACHE_HOME: cache}});
    expect(script.exitCode, script.stderr).toBe(0);
    expect(script.stdout).toContain(path.join(cache, 'kp', 'autocomplete', 'bash_setup'));
  });

  it('When the script line is asked for with --json, Then exit 2 says it is shell code (the JSON error object alone on stdout), not shell code followed by JSON', async () => {
    const cache = tempDir('kp-ac-');
    const result = await runKp(['autocomplete', 'script', 'bash', '--json'], {env: {XDG_CACHE_HOME: cache}});
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {message: 'kp autocomplete script prints shell code, not JSON.', hint: 'Run it without --json: `kp autocomplete script bash`.', exitCode: 2},
    });
  });

  it('When the shell is one the plugin does not know, Then exit 2 lists the ones it does, before anything is written', async () => {
    const cache = tempDir('kp-ac-');
    const result = await runKp(['autocomplete', 'fish'], {env: {XDG_CACHE_HOME: cache}});
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: Expected fish to be one of: bash, zsh, powershell$/m);
    expect(result.stderr).toMatch(/^hint: /m);
  });

  it('When no shell is named and $SHELL is one the plugin does not know (fish), Then exit 2 asks for one instead of printing empty instructions', async () => {
    const cache = tempDir('kp-ac-');
    const result = await runKp(['autocomplete'], {env: {XDG_CACHE_HOME: cache, SHELL: '/usr/bin/fish'}});
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: kp has completion for bash, zsh, powershell; your shell is fish\.$/m);
    expect(result.stderr).toMatch(/^hint: Name one: `kp autocomplete bash\|zsh\|powershell`\.$/m);
    expect(result.stdout).toBe('');
  });

  it('When no shell is named and $SHELL is bash, Then bash is set up and --json names it', async () => {
    const cache = tempDir('kp-ac-');
    const result = await runKp(['autocomplete', '--json'], {env: {XDG_CACHE_HOME: cache, SHELL: '/bin/bash'}});
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({shell: 'bash', cacheDir: path.join(cache, 'kp', 'autocomplete')});
  });

  it('Given package.json, Then the plugin is not one oclif loads for every command (it is imported by kp autocomplete alone)', () => {
    const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {oclif: {plugins?: string[]}};
    expect(pkg.oclif.plugins ?? []).not.toContain('@oclif/plugin-autocomplete');
  });
});
