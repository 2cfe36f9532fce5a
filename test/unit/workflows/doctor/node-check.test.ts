/**
 * The Node.js check of `kp doctor`: the releases CI tests kp on pass, a newer untested one is a
 * warning, one older than kp's minimum fails; and the tested range is package.json's `engines`.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {checkNode, TESTED_NODE} from '../../../../src/workflows/doctor/doctor.js';
import {projectRoot} from '../../../helpers/cli.js';

describe('the node check', () => {
  it.each([
    ['v20.20.2', 'ok'],
    ['v22.23.5', 'ok'],
    ['v24.22.3', 'ok'],
    ['v22.5.1', 'warn'],
    ['v26.1.0', 'warn'],
    ['v21.7.3', 'warn'],
    ['v20.19.0', 'fail'],
    ['v18.20.4', 'fail'],
  ])('Given Node %s, When doctor checks it, Then the status is %s', (version, status) => {
    const check = checkNode(version);
    expect(check).toMatchObject({name: 'node', required: true, detail: version, status});
    if (status === 'ok') expect(check.hint).toBeUndefined();
    else expect(check.hint).toMatch(/22 or 24/);
  });

  it("Given package.json, When its engines are read, Then they are exactly the releases doctor calls tested (and CI runs: versions.sh's LTS lines)", () => {
    const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {engines: {node: string}};
    expect(pkg.engines.node).toBe(TESTED_NODE);
    const versions = readFileSync(path.join(projectRoot, 'scripts/test-tools/versions.sh'), 'utf8');
    const lts = /^NODE_LTS_VERSIONS="([^"]+)"/m.exec(versions)![1]!.split(' ');
    for (const version of lts) expect(checkNode(`v${version}`).status, version).toBe('ok');
    expect(lts.map((version) => version.split('.')[0])).toEqual(['22', '24']);
  });
});
