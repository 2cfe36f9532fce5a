import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {httpRepositories, lockDigest, lockInSync, readChartDependencies} from '../../../src/config/helm-chart.js';
import {KpError} from '../../../src/core/errors.js';
import {projectRoot} from '../../helpers/cli.js';

const upstreamChart = path.resolve(projectRoot, '..', 'shared', 'upstream', 'kamerplanter', 'helm', 'kamerplanter');
const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, {recursive: true, force: true});
});
function copyOfChart(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kp-chart-'));
  temps.push(dir);
  cpSync(upstreamChart, dir, {recursive: true});
  return dir;
}

describe('Chart.yaml and Chart.lock of the real Kamerplanter chart', () => {
  it('Given the upstream chart, When its lock digest is recomputed the way Helm does, Then it equals the digest in Chart.lock', () => {
    const chart = readChartDependencies(upstreamChart);
    expect(chart.dependencies.map((d) => d.name)).toEqual(['common', 'valkey', 'ollama']);
    expect(chart.lock?.digest).toBe('sha256:92274c3c6add63a46206bbb337ec0d6c3d1cc468830606f215f678b5c63fb10c');
    expect(lockDigest(chart.dependencies, chart.lock!.dependencies)).toBe(chart.lock!.digest);
    expect(lockInSync(chart)).toBe(true);
  });

  it('Given the upstream chart, When its repositories are listed, Then only the two https ones need a Helm repo (oci needs none)', () => {
    expect(httpRepositories(readChartDependencies(upstreamChart))).toEqual([
      'https://bjw-s-labs.github.io/helm-charts/',
      'https://otwld.github.io/ollama-helm/',
    ]);
  });

  it('Given a dependency version bumped in Chart.yaml only, When checked, Then the lock is out of sync', () => {
    const dir = copyOfChart();
    const chartFile = path.join(dir, 'Chart.yaml');
    writeFileSync(chartFile, readFileSync(chartFile, 'utf8').replace('version: 1.54.0', 'version: 1.55.0'));
    expect(lockInSync(readChartDependencies(dir))).toBe(false);
  });

  it('Given a condition removed from Chart.yaml, When checked, Then the lock is out of sync (Helm hashes the whole declaration)', () => {
    const dir = copyOfChart();
    const chartFile = path.join(dir, 'Chart.yaml');
    writeFileSync(chartFile, readFileSync(chartFile, 'utf8').replace('    condition: ollama.enabled\n', ''));
    expect(lockInSync(readChartDependencies(dir))).toBe(false);
  });

  it('Given a chart without Chart.lock, When checked, Then it counts as in sync and the Chart.yaml repositories are used', () => {
    const dir = copyOfChart();
    rmSync(path.join(dir, 'Chart.lock'));
    const chart = readChartDependencies(dir);
    expect(chart.lock).toBeUndefined();
    expect(lockInSync(chart)).toBe(true);
    expect(httpRepositories(chart)).toHaveLength(2);
  });

  it('Given broken YAML in Chart.yaml, When read, Then a usage error names file:line:col', () => {
    const dir = copyOfChart();
    writeFileSync(path.join(dir, 'Chart.yaml'), 'name: x\ndependencies: [\n');
    let caught: unknown;
    try {
      readChartDependencies(dir);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KpError);
    expect((caught as KpError).exitCode).toBe(2);
    expect((caught as KpError).message).toMatch(/Chart\.yaml:\d+:\d+/);
  });
});

describe('Chart.lock digests kp cannot recompute exactly', () => {
  it('Given a dependency whose repository is a Helm repo alias (@name), When checked, Then kp leaves the judgement to helm (never refuses a lock Helm accepts)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kp-chart-alias-'));
    temps.push(dir);
    writeFileSync(
      path.join(dir, 'Chart.yaml'),
      'apiVersion: v2\nname: x\nversion: 0.1.0\ndependencies:\n  - name: common\n    repository: "@bjw-s"\n    version: 4.6.2\n',
    );
    writeFileSync(
      path.join(dir, 'Chart.lock'),
      'dependencies:\n- name: common\n  repository: https://bjw-s-labs.github.io/helm-charts/\n  version: 4.6.2\ndigest: sha256:0000\ngenerated: "2026-01-01T00:00:00Z"\n',
    );
    expect(lockInSync(readChartDependencies(dir))).toBe(true);
  });
});
