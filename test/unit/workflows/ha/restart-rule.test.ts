import {describe, expect, it} from 'vitest';
import {planSync, type LocalFile} from '../../../../src/workflows/ha/plan.js';
import {chooseRestartMethod, decideRestart, type RestartCapabilities} from '../../../../src/workflows/ha/restart-rule.js';

const file = (path: string, hash: string): LocalFile => ({path, absolutePath: `/src/${path}`, size: 1, hash, mode: 0o644, mtime: 0});
/** The installed component: a module, a card and an icon. */
const remote = new Map([
  ['__init__.py', 'a'],
  ['www/kamerplanter-plant-card.js', 'b'],
  ['www/kami/timeline-kami-phase-mature.svg', 'c'],
  ['icon.png', 'd'],
]);
const local = (over: Record<string, string> = {}, drop: string[] = []) =>
  [...remote.entries()]
    .filter(([p]) => !drop.includes(p))
    .map(([p, h]) => file(p, over[p] ?? h))
    .concat(
      Object.entries(over)
        .filter(([p]) => !remote.has(p))
        .map(([p, h]) => file(p, h)),
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
    expect(decision).toEqual({method: 'restart', rule: '__init__.py changed: HA reads it at setup', reloadable: true});
  });

  it('Given a www/*.js file added, When decided, Then HA restarts (setup registers the static paths)', () => {
    const decision = decideRestart(planSync(local({'www/new-card.js': 'n'}), remote), 'auto');
    expect(decision.method).toBe('restart');
    expect(decision.rule).toContain('www/new-card.js');
  });

  it('Given a www/*.js file deleted, When decided, Then HA restarts', () => {
    expect(decideRestart(planSync(local({}, ['www/kamerplanter-plant-card.js']), remote), 'auto').method).toBe('restart');
  });

  it('Given a remote symlink replaced, When decided, Then HA restarts', () => {
    expect(decideRestart(planSync(local(), remote, ['www']), 'auto').method).toBe('restart');
  });

  it('Given --force with nothing changed, When decided, Then HA restarts (--force)', () => {
    expect(decideRestart(planSync(local(), remote), 'auto', true)).toEqual({method: 'restart', rule: '--force'});
  });

  it('Given an explicit method, When decided, Then it is honoured whatever changed', () => {
    const wwwOnly = planSync(local({'www/kamerplanter-plant-card.js': 'b2'}), remote);
    expect(decideRestart(wwwOnly, 'kill').method).toBe('kill');
    expect(decideRestart(planSync(local({'__init__.py': 'a2'}), remote), 'none').method).toBe('none');
    expect(decideRestart(wwwOnly, 'pod').method).toBe('pod');
  });
});

describe('how a decided restart is carried out', () => {
  const supervisedContainer: RestartCapabilities = {
    kind: 'container',
    supervised: true,
    unsupervisedReason: undefined,
    noRestartPolicy: false,
    companion: false,
  };
  const bareContainer: RestartCapabilities = {
    kind: 'container',
    supervised: false,
    unsupervisedReason: 'no Home Assistant process apart from PID 1',
    noRestartPolicy: false,
    companion: false,
  };
  const barePod: RestartCapabilities = {
    kind: 'pod',
    supervised: false,
    unsupervisedReason: 'no Home Assistant process apart from PID 1',
    noRestartPolicy: false,
    companion: false,
  };
  const restart = {method: 'restart' as const, rule: '__init__.py changed'};

  it('Given HA under s6-supervise, When auto decided a restart, Then HA restarts in place (no container restart, no back-off)', () => {
    expect(chooseRestartMethod(restart, supervisedContainer)).toEqual({method: 'in-place', fallback: undefined});
    expect(chooseRestartMethod(restart, {...supervisedContainer, kind: 'pod'})).toEqual({method: 'in-place', fallback: undefined});
  });

  it('Given a container without the supervisor, When auto decided a restart, Then docker restart (never kill 1 under a restart policy), and the fallback says why and what it costs', () => {
    const choice = chooseRestartMethod(restart, bareContainer);
    expect(choice?.method).toBe('container');
    expect(choice?.fallback).toContain('no Home Assistant process apart from PID 1');
    expect(choice?.fallback).toContain('docker restart');
  });

  it("Given a pod without the supervisor, When auto decided a restart, Then kill 1, and the fallback names kubelet's back-off", () => {
    const choice = chooseRestartMethod(restart, barePod);
    expect(choice?.method).toBe('kill');
    expect(choice?.fallback).toMatch(/10 s, 20 s, 40 s .*5 min.*CrashLoopBackOff/);
  });

  it('Given --restart inplace, When the target has no supervisor, Then it is refused (undefined), and honoured where it has one', () => {
    expect(chooseRestartMethod({method: 'inplace', rule: '--restart inplace'}, bareContainer)).toBeUndefined();
    expect(chooseRestartMethod({method: 'inplace', rule: '--restart inplace'}, supervisedContainer)?.method).toBe('in-place');
  });

  it('Given --restart kill, When the target has the supervisor, Then kill 1 stays the explicit choice; a container without a restart policy gets docker restart', () => {
    expect(chooseRestartMethod({method: 'kill', rule: '--restart kill'}, supervisedContainer)?.method).toBe('kill');
    expect(chooseRestartMethod({method: 'kill', rule: '--restart kill'}, {...bareContainer, noRestartPolicy: true})?.method).toBe('container');
    expect(chooseRestartMethod({method: 'none', rule: 'nothing changed'}, supervisedContainer)?.method).toBe('none');
  });
});

describe('a code reload through the kp_reload companion', () => {
  const withCompanion: RestartCapabilities = {kind: 'container', supervised: true, unsupervisedReason: undefined, noRestartPolicy: false, companion: true};
  const without: RestartCapabilities = {...withCompanion, companion: false};
  const pythonEdit = () => decideRestart(planSync(local({'__init__.py': 'a2'}), remote), 'auto');

  it('Given a Python edit under --restart auto, When the companion is loaded, Then the code is reloaded (no restart); without it, HA restarts in place as before', () => {
    expect(chooseRestartMethod(pythonEdit(), withCompanion)).toEqual({method: 'reload', fallback: undefined});
    expect(chooseRestartMethod(pythonEdit(), without)).toEqual({method: 'in-place', fallback: undefined});
  });

  it('Given files added or deleted, When the companion is loaded, Then those are reloaded too (a new Integration lists the folder again)', () => {
    expect(chooseRestartMethod(decideRestart(planSync(local({'switch.py': 'n'}), remote), 'auto'), withCompanion)?.method).toBe('reload');
    expect(chooseRestartMethod(decideRestart(planSync(local({}, ['icon.png']), remote), 'auto'), withCompanion)?.method).toBe('reload');
  });

  it('Given --force, or only www/ files changed, When the companion is loaded, Then --force restarts in place and www/ needs nothing', () => {
    const forced = decideRestart(planSync(local(), remote), 'auto', true);
    expect(forced.reloadable).toBeFalsy();
    expect(chooseRestartMethod(forced, withCompanion)?.method).toBe('in-place');
    const cards = decideRestart(planSync(local({'www/kamerplanter-plant-card.js': 'b2'}), remote), 'auto');
    expect(chooseRestartMethod(cards, withCompanion)?.method).toBe('none');
  });

  it('Given --restart reload, When the companion is loaded, Then reload; without it, refused (undefined: exit 3 before anything changes)', () => {
    const insisted = decideRestart(planSync(local({'__init__.py': 'a2'}), remote), 'reload');
    expect(chooseRestartMethod(insisted, withCompanion)?.method).toBe('reload');
    expect(chooseRestartMethod(insisted, without)).toBeUndefined();
  });

  it('Given --restart inplace or kill, When the companion is loaded, Then the explicit method is kept', () => {
    expect(chooseRestartMethod(decideRestart(planSync(local({'__init__.py': 'a2'}), remote), 'inplace'), withCompanion)?.method).toBe('in-place');
    expect(chooseRestartMethod(decideRestart(planSync(local({'__init__.py': 'a2'}), remote), 'kill'), withCompanion)?.method).toBe('kill');
  });
});
