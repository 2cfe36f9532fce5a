/**
 * What `kp compose start/stop/down` print for a person, fed with results recorded from real runs
 * (test/fixtures/recorded/kp/, machine paths replaced): the headline says what happened, the URLs
 * are the result's.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {Chalk} from 'chalk';
import {describe, expect, it} from 'vitest';
import {renderComposeDown, renderComposeStart, renderComposeStop} from '../../../../src/cli/render/compose.js';
import type {ComposeStartResult} from '../../../../src/workflows/compose/start.js';
import type {ComposeDownResult, ComposeStopResult} from '../../../../src/workflows/compose/teardown.js';
import {projectRoot} from '../../../helpers/cli.js';

const plain = new Chalk({level: 0});
const recorded = <T>(name: string): T => JSON.parse(readFileSync(path.join(projectRoot, 'test', 'fixtures', 'recorded', 'kp', name), 'utf8')) as T;

describe('kp compose start for a person', () => {
  it.each([
    ['compose-start-fresh.json', 'Kamerplanter (kp-manual2) is up.', 'http://localhost:28080/'],
    ['compose-start-changed.json', 'Kamerplanter (kp-manual) is up.', 'http://localhost:18080/'],
    ['compose-start-already.json', 'Kamerplanter (kp-manual) was already up.', 'http://localhost:18080/'],
  ])("Given the recorded result %s, When rendered, Then the headline is %j and the URLs and the env file are the result's", (file, headline, frontend) => {
    const result = recorded<ComposeStartResult>(file);
    const text = renderComposeStart(result, plain);
    expect(text.split('\n')[0]).toBe(headline);
    expect(text).toContain(`Frontend      ${frontend}`);
    expect(text).toContain(`API docs      ${result.urls.apiDocs}`);
    expect(text).toContain(`password ARANGO_ROOT_PASSWORD in ${result.envFile.path}`);
  });

  it('Given a start that did not wait (--no-wait), When rendered, Then it says starting, not up', () => {
    const result = {...recorded<ComposeStartResult>('compose-start-fresh.json'), waited: false};
    expect(renderComposeStart(result, plain).split('\n')[0]).toBe('Kamerplanter (kp-manual2) is starting (not waited for).');
  });
});

describe('kp compose stop and down for a person', () => {
  it('Given the recorded stop, When rendered, Then it names every stopped service and that the data stays', () => {
    expect(renderComposeStop(recorded<ComposeStopResult>('compose-stop.json'))).toBe(
      'Stopped: frontend, backend, celery-beat, celery-worker, valkey, arangodb. Data kept.',
    );
  });

  it('Given the recorded down --volumes, When rendered, Then it counts the containers and says the volumes were deleted', () => {
    expect(renderComposeDown(recorded<ComposeDownResult>('compose-down.json'))).toBe('Removed 6 containers. Volumes deleted.');
  });
});
