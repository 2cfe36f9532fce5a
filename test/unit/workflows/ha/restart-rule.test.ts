import {describe, expect, it} from 'vitest';
import {planSync, type LocalFile} from '../../../../src/workflows/ha/plan.js';
import {decideRestart} from '../../../../src/workflows/ha/restart-rule.js';

const file = (path: string, hash: string): LocalFile => ({path, absolutePath: `/src/${path}`, size: 1, hash, mode: 0o644, mtime: 0});
/** The installed component: a module, a card and an icon. */
const remote = new Map([
  ['__init__.py', 'a'],
  ['www/kamerplanter-plant-card.js', 'b'],
  ['www/kami/timeline-kami-phase-mature.svg', 'c'],
  ['icon.png', 'd'],
]);
const local = (over: Record<string, string> = {}, drop: string[] = []) =>
  [...remote.entries()].filter(([p]) => !drop.includes(p)).map(([p, h]) => file(p, over[p] ?? h)).concat(
    Object.entries(over).filter(([p]) => !remote.has(p)).map(([p, h]) => file(p, h)),
  );

describe('--restart auto', () => {
  it('Given only existing www/*.js, www/kami/ and image files modified, When decided, Then no restart, and the rule says why', () => {
    const plan = planSync(local({'www/kamerplanter-plant-card.js': 'b2', 'www/kami/timeline-kami-phase-mature.svg': 'c2', 'icon.png': 'd2'}), remote);
    const decision = decideRestart(plan, 'auto');
    expect(decision.method).toBe('none');
    expect(decision.rule).toContain('serves them from disk');
  });

  it('Given a Python module modified beside a card, When decided, Then HA restarts because of the module', () => {
    const decision = decideRestart(planSync(local({'__init__.py': 'a2', 'www/kamerplanter-plant-card.js': 'b2'}), remote), 'auto');
    expect(decision).toEqual({method: 'kill', rule: '__init__.py changed: HA reads it at setup'});
  });

  it('Given a www/*.js file added, When decided, Then HA restarts (setup registers the static paths)', () => {
    const decision = decideRestart(planSync(local({'www/new-card.js': 'n'}), remote), 'auto');
    expect(decision.method).toBe('kill');
    expect(decision.rule).toContain('www/new-card.js');
  });

  it('Given a www/*.js file deleted, When decided, Then HA restarts', () => {
    expect(decideRestart(planSync(local({}, ['www/kamerplanter-plant-card.js']), remote), 'auto').method).toBe('kill');
  });

  it('Given a remote symlink replaced, When decided, Then HA restarts', () => {
    expect(decideRestart(planSync(local(), remote, ['www']), 'auto').method).toBe('kill');
  });

  it('Given --force with nothing changed, When decided, Then HA restarts (--force)', () => {
    expect(decideRestart(planSync(local(), remote), 'auto', true)).toEqual({method: 'kill', rule: '--force'});
  });

  it('Given an explicit method, When decided, Then it is honoured whatever changed', () => {
    const wwwOnly = planSync(local({'www/kamerplanter-plant-card.js': 'b2'}), remote);
    expect(decideRestart(wwwOnly, 'kill').method).toBe('kill');
    expect(decideRestart(planSync(local({'__init__.py': 'a2'}), remote), 'none').method).toBe('none');
    expect(decideRestart(wwwOnly, 'pod').method).toBe('pod');
  });
});
