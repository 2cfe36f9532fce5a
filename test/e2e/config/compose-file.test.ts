/**
 * e2e: the SHIPPED compose file as the real Compose on this machine reads it.
 */
import {execFileSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {projectRoot} from '../../helpers/cli.js';
import {useTempDirs} from '../../helpers/temp-dirs.js';
import {composeCommand} from '../support/docker.js';
import {e2eRun} from '../support/e2e.js';
import {standinEnv} from '../support/compose-standins.js';

const tempDir = useTempDirs();

describe('Given the shipped compose file and a complete env file', () => {
  it('When the real Compose renders it (config -q), Then it accepts it without a word', () => {
    // Given
    const envFile = path.join(tempDir('kp-e2e-compose-file-'), 'compose.env');
    writeFileSync(envFile, 'ARANGO_ROOT_PASSWORD=x\nARANGODB_PASSWORD=x\nJWT_SECRET_KEY=x\nTIMESCALEDB_PASSWORD=x\n');
    const [command, ...prefix] = composeCommand();
    // When (a project name of the run's own: config touches nothing, but no test names a user's project)
    const out = execFileSync(
      command!,
      [...prefix, '-p', `${e2eRun().prefix}-config`, '-f', path.join(projectRoot, 'compose/docker-compose.yml'), '--env-file', envFile, 'config', '-q'],
      {
        encoding: 'utf8',
        env: {...process.env, ...standinEnv(e2eRun().standinTag)},
      },
    );
    // Then
    expect(out).toBe('');
  });
});
