/**
 * "Did you mean" for an unknown command or topic: the candidates and the closest one.
 */
import {describe, expect, it} from 'vitest';
import {commandCandidates, suggestCommand} from '../../../../src/cli/hooks/command-not-found.js';

const COMMANDS = [
  'autocomplete',
  'compose down',
  'compose logs',
  'compose start',
  'compose status',
  'compose stop',
  'dev down',
  'dev init',
  'dev status',
  'dev up',
  'doctor',
  'ha down',
  'ha status',
  'ha sync',
  'ha up',
];
const TOPICS = ['compose', 'dev', 'ha'];
const suggest = (wanted: string) => suggestCommand(wanted, commandCandidates(wanted, COMMANDS, TOPICS));

describe('Given a typo in a command', () => {
  it.each([
    ['comp', 'compose'],
    ['composee', 'compose'],
    ['autocomp', 'autocomplete'],
    ['doctr', 'doctor'],
    ['ha snyc', 'ha sync'],
    ['compose strat', 'compose start'],
    ['dev upp', 'dev up'],
  ])('When %j is looked up, Then the suggestion is %j', (wanted, expected) => {
    expect(suggest(wanted)).toBe(expected);
  });

  it('When nothing is close (frobnicate), Then there is no suggestion', () => {
    expect(suggest('frobnicate')).toBeUndefined();
  });

  it('When the typo has two words, Then topics are not candidates (they would win by containment)', () => {
    expect(commandCandidates('ha snyc', COMMANDS, TOPICS)).not.toContain('ha');
    expect(commandCandidates('comp', COMMANDS, TOPICS)).toContain('compose');
  });
});
