import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {loadSkaffoldConfig} from '../../../../src/config/skaffold-config.js';
import {KpError} from '../../../../src/core/errors.js';
import {chartReleases, planHelmRepos, repoNameFor} from '../../../../src/workflows/dev/helm-repos.js';
import {projectRoot} from '../../../helpers/cli.js';

const upstream = path.resolve(projectRoot, '..', 'shared', 'upstream', 'kamerplanter');
const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, {recursive: true, force: true});
});

describe('the Helm repositories the selected modules need', () => {
  it('Given the upstream checkout and module kp, When its releases are read, Then the one chart helm/kamerplanter is found with its lock', () => {
    const releases = chartReleases(loadSkaffoldConfig(path.join(upstream, 'skaffold.yaml')), ['kp'], upstream);
    expect(releases.map((r) => [r.module, r.release, path.relative(upstream, r.chart.dir)])).toEqual([['kp', 'kamerplanter', 'helm/kamerplanter']]);
  });

  it('Given every module, When read, Then both releases share the one chart (read once)', () => {
    const releases = chartReleases(loadSkaffoldConfig(path.join(upstream, 'skaffold.yaml')), [], upstream);
    expect(releases.map((r) => r.release)).toEqual(['kamerplanter', 'kamerplanter-ki']);
    expect(releases[0]!.chart).toBe(releases[1]!.chart);
  });

  it('Given Helm knows no repository, When planned, Then both https repositories are added under kp names and oci is left alone', () => {
    const releases = chartReleases(loadSkaffoldConfig(path.join(upstream, 'skaffold.yaml')), ['kp'], upstream);
    expect(planHelmRepos(releases, [])).toEqual([
      {name: 'kp-bjw-s-labs-github-io-helm-charts', url: 'https://bjw-s-labs.github.io/helm-charts/', neededBy: ['kamerplanter']},
      {name: 'kp-otwld-github-io-ollama-helm', url: 'https://otwld.github.io/ollama-helm/', neededBy: ['kamerplanter']},
    ]);
  });

  it("Given the user's own repo for bjw-s (another name, no trailing slash), When planned, Then only ollama is added (Helm matches by URL)", () => {
    const releases = chartReleases(loadSkaffoldConfig(path.join(upstream, 'skaffold.yaml')), ['kp'], upstream);
    expect(planHelmRepos(releases, [{name: 'bjw-s', url: 'https://bjw-s-labs.github.io/helm-charts'}]).map((r) => r.url)).toEqual([
      'https://otwld.github.io/ollama-helm/',
    ]);
  });

  it('Given both repos known, When planned, Then nothing is added', () => {
    const releases = chartReleases(loadSkaffoldConfig(path.join(upstream, 'skaffold.yaml')), ['kp'], upstream);
    const known = [
      {name: 'a', url: 'https://bjw-s-labs.github.io/helm-charts/'},
      {name: 'b', url: 'https://otwld.github.io/ollama-helm/'},
    ];
    expect(planHelmRepos(releases, known)).toEqual([]);
  });

  it("Given the user already has a repo under kp's chosen name for another URL, When named, Then kp picks another name and never clashes", () => {
    expect(repoNameFor('https://otwld.github.io/ollama-helm/', new Set(['kp-otwld-github-io-ollama-helm']))).toBe('kp-otwld-github-io-ollama-helm-2');
  });

  it('Given a Chart.lock out of sync with Chart.yaml, When the releases are read, Then a usage error names the lock and the fix, before anything runs', () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'kp-checkout-'));
    temps.push(copy);
    cpSync(upstream, copy, {recursive: true});
    const chartFile = path.join(copy, 'helm', 'kamerplanter', 'Chart.yaml');
    writeFileSync(chartFile, readFileSync(chartFile, 'utf8').replace('version: 4.6.2', 'version: 4.7.0'));
    let caught: unknown;
    try {
      chartReleases(loadSkaffoldConfig(path.join(copy, 'skaffold.yaml')), ['kp'], copy);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KpError);
    expect((caught as KpError).exitCode).toBe(2);
    expect((caught as KpError).message).toContain('Chart.lock is out of sync with');
    expect((caught as KpError).hint).toContain('helm dependency update helm/kamerplanter');
  });
});
