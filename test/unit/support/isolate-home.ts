/**
 * Unit tests run workflows in-process: they take local locks and read kp's state files. Point HOME,
 * every XDG dir and KUBECONFIG of this worker at a throwaway folder, so no unit test reads or
 * writes a developer's real kp state (their HA credentials, locks, kubeconfig).
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll} from 'vitest';

const home = mkdtempSync(path.join(tmpdir(), 'kp-unit-home-'));
Object.assign(process.env, {
  HOME: home,
  XDG_CONFIG_HOME: path.join(home, 'config'),
  XDG_STATE_HOME: path.join(home, 'state'),
  XDG_CACHE_HOME: path.join(home, 'cache'),
  KUBECONFIG: path.join(home, 'kubeconfig'),
});
delete process.env.KP_HA_URL;

afterAll(() => rmSync(home, {recursive: true, force: true}));
