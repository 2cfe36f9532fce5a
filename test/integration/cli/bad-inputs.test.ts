/**
 * The battery: careless input across every command. Each case must end with exactly one `error:`
 * line and one `hint:` line on stderr, the documented exit code, no stack trace, no colour without
 * a terminal, nothing on stdout, and no file of the user's changed (HOME, XDG dirs and the
 * kubeconfig are snapshotted around every case; the engine address points nowhere, so no container
 * or volume can change either).
 */
import {createHash} from 'node:crypto';
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {runKp} from '../../helpers/cli.js';
import {rmSync} from 'node:fs';

const home = mkdtempSync(path.join(tmpdir(), 'kp-battery-'));
afterAll(() => rmSync(home, {recursive: true, force: true}));
const config = path.join(home, '.config');
const kubeconfig = path.join(home, '.kube', 'config');
const files = path.join(home, 'files');
mkdirSync(path.dirname(kubeconfig), {recursive: true});
mkdirSync(path.join(files, 'a-directory'), {recursive: true});
mkdirSync(path.join(config, 'kp'), {recursive: true});
writeFileSync(
  kubeconfig,
  [
    'apiVersion: v1',
    'kind: Config',
    'current-context: prod',
    'contexts:',
    '- name: prod',
    '  context: {cluster: prod, user: u}',
    '- name: kind-kamerplanter',
    '  context: {cluster: kind-kamerplanter, user: u}',
    'clusters:',
    '- name: prod',
    '  cluster: {server: "https://prod.example.com:6443"}',
    '- name: kind-kamerplanter',
    '  cluster: {server: "https://10.20.30.40:6443"}',
    'users: [{name: u, user: {}}]',
    '',
  ].join('\n'),
);
writeFileSync(path.join(files, 'placeholder.env'), 'ARANGO_ROOT_PASSWORD=changeme\n');
writeFileSync(path.join(files, 'bad-line.env'), 'FOO=bar\nthis is not valid\n');
writeFileSync(path.join(files, 'broken.yml'), 'services:\n  a:\n    image: x\n   bad: [\n');
writeFileSync(path.join(files, 'no-services.yml'), 'volumes: {}\n');
const component = path.join(files, 'repo', 'custom_components', 'kamerplanter');
mkdirSync(component, {recursive: true});
writeFileSync(path.join(component, 'manifest.json'), 'null\n');
// Where the cases run: a checkout with a valid component (so only the input under test is wrong).
const good = path.join(files, 'good', 'custom_components', 'kamerplanter');
mkdirSync(good, {recursive: true});
writeFileSync(path.join(good, 'manifest.json'), '{"domain": "kamerplanter", "name": "Kamerplanter", "version": "0.4.2"}\n');
writeFileSync(path.join(good, '__init__.py'), 'DOMAIN = "kamerplanter"\n');

const env = {
  HOME: home,
  XDG_CONFIG_HOME: config,
  XDG_STATE_HOME: path.join(home, '.local', 'state'),
  XDG_CACHE_HOME: path.join(home, '.cache'),
  KUBECONFIG: kubeconfig,
  DOCKER_HOST: 'unix:///nonexistent/kp-battery.sock',
  PATH: process.env.PATH,
};

/** kp's compiled-code cache (bin/run.cjs): a speed-up kp rebuilds at will, not state a bad input may not touch. */
const codeCache = path.join(home, '.cache', 'kp', 'code-cache');

/** Every file under HOME with a hash of its content (and the folders, so a new empty one shows), the code cache aside. */
function snapshot(dir = home): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (full === codeCache) return [];
    // the folders the code cache lives in are shown only by what else they hold
    if (codeCache.startsWith(`${full}${path.sep}`)) return snapshot(full);
    if (entry.isDirectory()) return [`${full}/`, ...snapshot(full)];
    return [`${full} ${statSync(full).mode.toString(8)} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`];
  });
}

const F = (name: string) => path.join(files, name);
const P = ['--project-name', 'kp-battery'];

/** [argv, exit code, what the error line must say]. */
const CASES: Array<[string[], number, RegExp]> = [
  // compose start
  [['compose', 'start', ...P, '--timeout', '-5'], 2, /--timeout: Expected an integer greater than or equal to 1/],
  [['compose', 'start', ...P, '--timeout', 'abc'], 2, /--timeout: Expected an integer/],
  [['compose', 'start', ...P, '--timeout', '0'], 2, /--timeout/],
  [['compose', 'start', ...P, '--lock-timeout', '-1'], 2, /--lock-timeout/],
  [['compose', 'start', ...P, '--profile', 'timescale'], 2, /Unknown profile "timescale"/],
  [['compose', 'start', ...P, '--profile', 'ollama'], 2, /Unknown profile "ollama"/],
  [['compose', 'start', '--project-name', 'Bad Name'], 2, /Bad Name/],
  [['compose', 'start', '--project-name', 'UPPER'], 2, /UPPER/],
  [['compose', 'start', '--project-name', '../x'], 2, /\.\.\/x/],
  [['compose', 'start', '--project-name', '-x'], 2, /-x/],
  [['compose', 'start', ...P, '--file', F('missing.yml')], 2, /Compose file not found/],
  [['compose', 'start', ...P, '--file', F('a-directory')], 2, /is a directory/],
  [['compose', 'start', ...P, '--file', F('broken.yml')], 2, /broken\.yml:4:\d+: /],
  [['compose', 'start', ...P, '--file', F('no-services.yml')], 2, /no "services" mapping/],
  [['compose', 'start', ...P, '--env-path', F('a-directory')], 2, /is a directory, not an env file/],
  [['compose', 'start', ...P, '--env-path', F('bad-line.env')], 2, /bad-line\.env:2:1: not a KEY=value line/],
  [['compose', 'start', ...P, '--env-path', F('placeholder.env')], 2, /placeholder\.env:1:1: ARANGO_ROOT_PASSWORD is the placeholder/],
  [['compose', 'start', ...P, '--bogus'], 2, /Nonexistent flag: --bogus/],
  [['compose', 'start', ...P, 'extra'], 2, /Unexpected argument: extra/],
  [['compose', 'start', ...P, '--no-wait', '--profile'], 2, /--profile/],
  // compose stop / down / status / logs
  [['compose', 'stop', '--project-name', 'a b'], 2, /a b/],
  [['compose', 'stop', ...P, 'extra'], 2, /Unexpected argument/],
  [['compose', 'stop', ...P, '--lock-timeout', 'x'], 2, /--lock-timeout/],
  [['compose', 'down', ...P, '--volumes'], 2, /without confirmation/],
  [['compose', 'down', '--project-name', '-rf'], 2, /-rf/],
  [['compose', 'down', ...P, '--file', F('broken.yml'), '--volumes'], 2, /without confirmation|broken\.yml:4/],
  [['compose', 'status', '--project-name', 'X Y'], 2, /X Y/],
  [['compose', 'status', ...P, '--file', F('missing.yml')], 2, /Compose file not found/],
  [['compose', 'status', ...P, '--env-path', F('bad-line.env')], 2, /not a KEY=value line/],
  [['compose', 'logs', ...P, 'nosuchservice'], 2, /Unknown service "nosuchservice"/],
  [['compose', 'logs', ...P, 'backnd'], 2, /Did you mean "backend"/],
  [['compose', 'logs', ...P, '--tail', 'abc'], 2, /--tail/],
  [['compose', 'logs', ...P, '--tail', '-3'], 2, /--tail/],
  // dev
  [['dev', 'up', '--name', '../x'], 2, /\.\.\/x/],
  [['dev', 'up', '--name', 'two words'], 2, /two words/],
  [['dev', 'up', '--name', 'UPPER'], 2, /UPPER/],
  [['dev', 'down', '--name', '../x'], 2, /\.\.\/x/],
  [['dev', 'status', '--name', 'a/b'], 2, /a\/b/],
  [['dev', 'up', '--workspace', F('nonexistent')], 2, /nonexistent/],
  [['dev', 'up', '--workspace', F('a-directory')], 2, /a-directory/],
  [['dev', 'up', '--bogus'], 2, /Nonexistent flag/],
  [['dev', 'init', '--workspace', F('nonexistent')], 2, /nonexistent/],
  [['dev', 'down'], 3, /kind-kamerplanter points at https:\/\/10\.20\.30\.40:6443/],
  // ha sync
  [['ha', 'sync', '--config-dir', 'config'], 2, /--config-dir "config" must be an absolute, normal path/],
  [['ha', 'sync', '--config-dir', '/config/..'], 2, /--config-dir "\/config\/\.\."/],
  [['ha', 'sync', '--config-dir', '/'], 2, /--config-dir "\/"/],
  [['ha', 'sync', '--config-dir', '/config/./x'], 2, /--config-dir/],
  [['ha', 'sync', '--namespace', 'Bad NS!'], 2, /--namespace "Bad NS!" is not a valid name/],
  [['ha', 'sync', '--pod', '-A'], 2, /--pod/],
  [['ha', 'sync', '--container=--rm', '--target', 'docker'], 2, /--container "--rm" is not a valid name/],
  [['ha', 'sync', '--service', 'Bad Service'], 2, /--service/],
  [['ha', 'sync', '--project-name', 'Bad Project'], 2, /--project-name "Bad Project"|Bad Project/],
  // The old name of the same flag still works (a hidden alias).
  [['ha', 'sync', '--compose-project', 'Bad Project'], 2, /Bad Project/],
  [['ha', 'sync', '--restart', 'bogus'], 2, /Expected --restart=bogus to be one of/],
  [['ha', 'sync', '--debounce', '-1'], 2, /--debounce/],
  [['ha', 'sync', '--timeout', '0'], 2, /--timeout/],
  [['ha', 'sync', '--lock-timeout', '-1'], 2, /--lock-timeout/],
  [['ha', 'sync', '--settle', '-1'], 2, /--settle/],
  [['ha', 'sync', '--pod', 'a', '--selector', 'b'], 2, /Give either --pod or --selector/],
  [['ha', 'sync', '--target', 'docker', '--pod', 'x'], 2, /apply to --target kubernetes only/],
  [['ha', 'sync', '--target', 'kubernetes', '--compose-project', 'p'], 2, /apply to --target docker only/],
  [['ha', 'sync', '--target', 'docker', '--container', 'c', '--compose-project', 'p'], 2, /either --container or --project-name/],
  [['ha', 'status', '--target', 'kubernetes', '--project-name', 'p'], 2, /--project-name and --service apply to --target docker only/],
  [['ha', 'sync', '--target', 'bogus'], 2, /Expected --target=bogus/],
  [['ha', 'sync', '--source', F('nonexistent')], 2, /--source .*nonexistent: no such directory/],
  [['ha', 'sync', '--source', path.dirname(component)], 2, /manifest/i],
  [['ha', 'sync', '--source', component], 2, /manifest\.json/],
  [['ha', 'sync', '--context', 'nope'], 3, /The kube context nope does not exist/],
  [['ha', 'sync', '--target', 'kubernetes'], 3, /kind-kamerplanter points at https:\/\/10\.20\.30\.40:6443, which is not on this machine/],
  // ha status
  [['ha', 'status', '--namespace', 'Bad'], 2, /--namespace "Bad"/],
  [['ha', 'status', '--config-dir', 'rel/path'], 2, /--config-dir/],
  [['ha', 'status', '--context', 'nope'], 3, /The kube context nope does not exist/],
  // ha up / down
  [['ha', 'up', '--target', 'bogus'], 2, /Expected --target=bogus/],
  [['ha', 'up', '--name', '../x'], 2, /\.\.\/x/],
  [['ha', 'up', '--timeout', '0'], 2, /--timeout/],
  [['ha', 'up', '--target', 'kubernetes', '--no-sync'], 3, /kind-kamerplanter points at https:\/\/10\.20\.30\.40:6443/],
  [['ha', 'up', '--target', 'kubernetes', '--source', component], 2, /manifest\.json/],
  [['ha', 'down', '--target', 'docker', '--volumes'], 2, /without confirmation/],
  [['ha', 'down', '--name', 'a b'], 2, /a b/],
  // doctor, unknown commands and topics
  [['doctor', '--bogus'], 2, /Nonexistent flag/],
  [['doctor', 'extra'], 2, /Unknown command "kp doctor extra"/],
  [['compose', 'strat'], 2, /Unknown command "kp compose strat"/],
  [['composee', 'start'], 2, /Unknown command "kp composee start"/],
  [['ha', 'snyc'], 2, /Unknown command "kp ha snyc"/],
  [['dev', 'upp'], 2, /Unknown command "kp dev upp"/],
  [['frobnicate'], 2, /Unknown command "kp frobnicate"/],
];

describe('the battery of bad inputs', () => {
  it('Given the battery, When counted, Then it holds at least 80 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(80);
  });

  it.each(CASES)(
    'Given kp %j, When it runs, Then exit %i with one error and one hint line, no stack trace, no colour, nothing changed',
    async (argv, exitCode, says) => {
      const before = snapshot();
      const result = await runKp(argv, {env, cwd: path.join(files, 'good')});
      const lines = result.stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('›'));
      expect({exitCode: result.exitCode, lines}).toMatchObject({exitCode, lines: [expect.stringMatching(/^error: /), expect.stringMatching(/^hint: \S/)]});
      expect(lines[0]).toMatch(says);
      expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
      expect(result.stderr).not.toMatch(/\u001b\[/);
      expect(result.stdout).toBe('');
      expect(snapshot()).toEqual(before);
    },
  );
});
