import {lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {credentialsDir, credentialsFile, readCredentials, writeCredentials, type HaCredentials} from '../../../src/config/ha-credentials.js';

const login: HaCredentials = {
  url: 'http://127.0.0.1:8123',
  name: 'kp',
  username: 'kp-dev',
  password: 'secret-pw',
  refreshToken: 'r',
  state: 'onboarded',
  createdAt: '2026-11-26T00:00:00Z',
};

describe('the HA credentials kp keeps', () => {
  it('Given a login, When kept, Then it lives in the state dir as a 0600 file in a 0700 folder and reads back', () => {
    writeCredentials('compose-kamerplanter-homeassistant', login);
    const file = credentialsFile('compose-kamerplanter-homeassistant');
    expect(file.startsWith(`${process.env.XDG_STATE_HOME}/kp/ha-credentials/`)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(credentialsDir()).mode & 0o777).toBe(0o700);
    expect(readCredentials('compose-kamerplanter-homeassistant')).toEqual(login);
  });

  it('Given a key with slashes and dots (a context or a path-like name), When turned into a file name, Then it stays inside the credentials folder', () => {
    for (const key of ['../../etc/passwd', 'kube-kind-x-default-a/b', '..']) {
      expect(path.dirname(credentialsFile(key))).toBe(credentialsDir());
    }
  });

  it('Given a symlink planted where the file goes, When a login is kept, Then the link is replaced, its target untouched, and a planted link is never read', () => {
    const victim = path.join(process.env.HOME!, 'victim.txt');
    writeFileSync(victim, 'do not touch\n');
    mkdirSync(credentialsDir(), {recursive: true, mode: 0o700});
    const file = credentialsFile('planted');
    symlinkSync(victim, file);
    expect(readCredentials('planted')).toBeUndefined();
    writeCredentials('planted', login);
    expect(readFileSync(victim, 'utf8')).toBe('do not touch\n');
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
  });
});
