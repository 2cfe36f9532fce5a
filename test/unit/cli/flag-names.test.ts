/**
 * One flag name per concept across kp's commands: a user who learns a flag on one command meets the
 * same name on every other. The known concepts are listed here; a flag whose description names a
 * concept must carry that concept's name (an old name may stay as a hidden alias).
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {projectRoot} from '../../helpers/cli.js';

interface ManifestFlag {
  name: string;
  description?: string;
  aliases?: string[];
  hidden?: boolean;
}
const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {flags: Record<string, ManifestFlag>}>;
};
const flags = Object.entries(manifest.commands).flatMap(([command, {flags: byName}]) => Object.values(byName).map((flag) => ({command, ...flag})));

/** Each concept: what its flags' descriptions say, and the one name they share. */
const CONCEPTS = [
  {concept: 'the compose project', describedAs: /compose project/i, name: 'project-name'},
  {concept: 'the compose env file', describedAs: /^env file/i, name: 'env-file'},
  {concept: 'the compose file', describedAs: /^compose file/i, name: 'file'},
  {concept: 'the kind cluster', describedAs: /^kind cluster name/i, name: 'name'},
  {concept: 'the kube context', describedAs: /^kube context/i, name: 'context'},
  {concept: 'the wait for another kp run', describedAs: /^seconds to wait for another/i, name: 'lock-timeout'},
  {concept: 'the component folder', describedAs: /custom_components\/<domain> folder/i, name: 'source'},
] as const;

describe('one flag name per concept', () => {
  it.each(CONCEPTS)('Given every command, When a flag is about $concept, Then it is --$name', ({describedAs, name}) => {
    const about = flags.filter((flag) => describedAs.test(flag.description ?? ''));
    expect(about.length).toBeGreaterThan(0);
    expect(about.filter((flag) => flag.name !== name).map((flag) => `${flag.command} --${flag.name}`)).toEqual([]);
  });

  it('Given every command, When two flags share a name, Then they mean the same concept (no name used for two things)', () => {
    for (const {describedAs, name} of CONCEPTS) {
      const named = flags.filter((flag) => flag.name === name && !flag.hidden);
      expect(
        named.filter((flag) => !describedAs.test(flag.description ?? '')).map((flag) => `${flag.command} --${flag.name}: ${flag.description}`),
        name,
      ).toEqual([]);
    }
  });

  it('Given the old name of the compose project on the HA commands, When it is looked up, Then it is a hidden alias of --project-name', () => {
    const haTarget = flags.filter((flag) => ['ha:sync', 'ha:status', 'ha:credentials'].includes(flag.command) && flag.name === 'project-name');
    expect(haTarget.map((flag) => flag.command).sort()).toEqual(['ha:credentials', 'ha:status', 'ha:sync']);
    for (const flag of haTarget) expect(flag.aliases).toEqual(['compose-project']);
    expect(flags.filter((flag) => flag.name === 'compose-project')).toEqual([]);
  });
});
