import {mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {clearReloadPending, clearReloadsPendingFor, markReloadPending, reloadPending} from '../../../src/config/pending-reload.js';
import {stateDir} from '../../../src/config/paths.js';

describe('the mark of a reload kp has not seen answered', () => {
  it('Given a round that reloads, When it marks, Then the mark is there for that HA and domain only, and clearing removes it', () => {
    markReloadPending('compose-kamerplanter-homeassistant', 'kamerplanter');
    expect(reloadPending('compose-kamerplanter-homeassistant', 'kamerplanter')).toBe(true);
    expect(reloadPending('compose-kamerplanter-homeassistant', 'other')).toBe(false);
    expect(reloadPending('container-ha', 'kamerplanter')).toBe(false);
    clearReloadPending('compose-kamerplanter-homeassistant', 'kamerplanter');
    expect(reloadPending('compose-kamerplanter-homeassistant', 'kamerplanter')).toBe(false);
  });

  it('Given keys with path characters, When marked, Then the file stays inside the state dir', () => {
    markReloadPending('../../etc/x', '../passwd');
    expect(readdirSync(path.join(stateDir(), 'ha-pending-reload'))).toHaveLength(1);
    clearReloadPending('../../etc/x', '../passwd');
  });

  it('Given a symlink kp did not write where the mark would be, When asked, Then it is no mark; marking replaces the link instead of writing through it', () => {
    const dir = path.join(stateDir(), 'ha-pending-reload');
    mkdirSync(dir, {recursive: true});
    const outside = path.join(stateDir(), 'outside');
    writeFileSync(outside, 'keep');
    symlinkSync(outside, path.join(dir, 'k__d'));
    expect(reloadPending('k', 'd')).toBe(false);
    markReloadPending('k', 'd');
    expect(reloadPending('k', 'd')).toBe(true);
    expect(readFileSync(outside, 'utf8')).toBe('keep');
  });

  it('Given marks of two HAs, When one HA is gone with its volume, Then only its marks go', () => {
    markReloadPending('compose-a-homeassistant', 'kamerplanter');
    markReloadPending('compose-a-homeassistant', 'other');
    markReloadPending('compose-b-homeassistant', 'kamerplanter');
    clearReloadsPendingFor('compose-a-homeassistant');
    expect(reloadPending('compose-a-homeassistant', 'kamerplanter')).toBe(false);
    expect(reloadPending('compose-a-homeassistant', 'other')).toBe(false);
    expect(reloadPending('compose-b-homeassistant', 'kamerplanter')).toBe(true);
  });
});
