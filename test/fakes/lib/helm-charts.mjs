// What the fake helm knows about chart repositories and chart dependencies, shared by the fake
// helm (`repo list/add`, `dependency build`) and the fake skaffold (which runs `helm dep build`
// before every deploy, as Skaffold's helm deployer does). Behaviour and messages follow
// ../shared/spec/tool-behaviour.md (Helm): repos are matched by URL, oci:// needs none, an
// out-of-sync Chart.lock is refused, success saves the charts into CHART_DIR/charts/.
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {readJson, stateDir, writeJson} from './common.mjs';

const reposFile = () => path.join(stateDir(), 'helm-repos.json');

/** The repositories Helm knows: [{name, url}]. */
export function knownRepos() {
  return readJson(reposFile(), []);
}

/** `helm repo add NAME URL`: the messages and exit codes of Helm 3.20 / 4. */
export function repoAdd(name, url) {
  const repos = knownRepos();
  const same = repos.find((r) => r.name === name);
  if (same && same.url === url) return {stdout: `"${name}" already exists with the same configuration, skipping`, exitCode: 0};
  if (same) return {stderr: `Error: repository name (${name}) already exists, please specify a different name`, exitCode: 1};
  if (process.env.KP_FAKE_HELM_OFFLINE) {
    return {
      stderr: `Error: looks like "${url}" is not a valid chart repository or cannot be reached: Get "${url}index.yaml": dial tcp: lookup failed`,
      exitCode: 1,
    };
  }
  repos.push({name, url});
  writeJson(reposFile(), repos);
  return {stdout: `"${name}" has been added to your repositories`, exitCode: 0};
}

const trim = (url) => url.replace(/\/+$/, '');

/** Helm's lock digest (HashReq): sha256 over the JSON of [Chart.yaml dependencies, locked dependencies]. */
function digest(requested, locked) {
  const go = (d) => {
    const out = {name: d.name};
    if (d.version) out.version = d.version;
    out.repository = d.repository ?? '';
    for (const key of ['condition', 'tags', 'enabled', 'import-values', 'export-values', 'alias']) {
      const value = d[key];
      if (value !== undefined && value !== '' && value !== false && !(Array.isArray(value) && value.length === 0)) out[key] = value;
    }
    return out;
  };
  const locks = locked.map((d) => go({name: d.name, version: d.version, repository: d.repository}));
  return `sha256:${createHash('sha256')
    .update(JSON.stringify([requested.map(go), locks]))
    .digest('hex')}`;
}

/** `helm dependency build CHART_DIR`. */
export function dependencyBuild(chartDir) {
  const chartFile = path.join(chartDir, 'Chart.yaml');
  if (!existsSync(chartFile)) return {stderr: `Error: Chart.yaml file is missing`, exitCode: 1};
  const chart = YAML.parse(readFileSync(chartFile, 'utf8')) ?? {};
  const dependencies = chart.dependencies ?? [];
  const lockFile = path.join(chartDir, 'Chart.lock');
  let locked = dependencies;
  if (existsSync(lockFile)) {
    const lock = YAML.parse(readFileSync(lockFile, 'utf8')) ?? {};
    if (digest(dependencies, lock.dependencies ?? []) !== lock.digest) {
      return {stderr: 'Error: the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies', exitCode: 1};
    }
    locked = lock.dependencies ?? [];
  }
  const repos = knownRepos();
  const missing = [...new Set(locked.map((d) => d.repository).filter((url) => /^https?:\/\//.test(url ?? '')))].filter(
    (url) => !repos.some((r) => trim(r.url) === trim(url)),
  );
  if (missing.length > 0) {
    return {stderr: `Error: no repository definition for ${missing.join(', ')}. Please add the missing repos via 'helm repo add'`, exitCode: 1};
  }
  mkdirSync(path.join(chartDir, 'charts'), {recursive: true});
  for (const d of locked) writeFileSync(path.join(chartDir, 'charts', `${d.name}-${d.version}.tgz`), 'fake chart archive\n');
  return {stdout: `Saving ${locked.length} charts\nDeleting outdated charts`, exitCode: 0};
}
