import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {assertKubeconfigParses, contextServer, isLocalServer, kubeconfigFiles, mergeKubeconfigs} from '../../../src/config/kubeconfig.js';

describe('context server loopback check (the fence)', () => {
  it.each(['https://127.0.0.1:41234', 'https://127.0.0.5:6443', 'https://localhost:6443', 'https://[::1]:6443', 'https://kind.localhost:6443'])(
    'Given %s, When checked, Then it is on this machine',
    (url) => {
      expect(isLocalServer(url)).toBe(true);
    },
  );

  it.each(['https://prod.example.com:6443', 'https://10.20.30.40:6443', 'https://0.0.0.0:6443', 'https://127.0.0.1.nip.io:6443', 'not a url'])(
    'Given %s, When checked, Then it is not',
    (url) => {
      expect(isLocalServer(url)).toBe(false);
    },
  );

  // Known bug (reported, not fixed here): WHATWG URL normalises [::ffff:127.0.0.1] to [::ffff:7f00:1], so the
  // IPv4-mapped loopback branch of isLocalServer (src/config/kubeconfig.ts) never matches. It fails closed
  // (kp refuses the cluster). Remove `.fails` once fixed.
  it('Given the IPv4-mapped loopback https://[::ffff:127.0.0.1]:6443, When checked, Then it is on this machine', () => {
    expect(isLocalServer('https://[::ffff:127.0.0.1]:6443')).toBe(true);
  });

  it("Given an address of one of this machine's interfaces, When checked, Then it counts as local", () => {
    expect(isLocalServer('https://172.18.0.1:6443', ['172.18.0.1'])).toBe(true);
    expect(isLocalServer('https://172.18.0.2:6443', ['172.18.0.1'])).toBe(false);
  });
});

describe('kubeconfig merging', () => {
  const first = `apiVersion: v1
kind: Config
current-context: prod
contexts:
- name: prod
  context: {cluster: prod, user: admin}
clusters:
- name: prod
  cluster: {server: https://prod.example.com:6443}
`;
  const second = `current-context: kind-kamerplanter
contexts:
- name: prod
  context: {cluster: shadow}
- name: kind-kamerplanter
  context: {cluster: kind-kamerplanter, user: kind-kamerplanter}
clusters:
- name: kind-kamerplanter
  cluster: {server: https://127.0.0.1:40000}
`;

  it('Given two files, When merged, Then the first file wins per name and for current-context', () => {
    // When
    const view = mergeKubeconfigs([
      {file: 'a', text: first},
      {file: 'b', text: second},
    ]);
    // Then
    expect(view.currentContext).toBe('prod');
    expect(contextServer(view, 'prod')).toBe('https://prod.example.com:6443');
    expect(contextServer(view, 'kind-kamerplanter')).toBe('https://127.0.0.1:40000');
    expect(contextServer(view, 'missing')).toBeUndefined();
  });

  it('Given KUBECONFIG with several paths, When listed, Then they keep their order', () => {
    expect(kubeconfigFiles({KUBECONFIG: '/a:/b'})).toEqual(['/a', '/b']);
    expect(kubeconfigFiles({})[0]).toMatch(/\.kube\/config$/);
  });

  it('Given an unparseable file, When merged, Then it contributes nothing instead of failing', () => {
    expect(mergeKubeconfigs([{file: 'x', text: ': : :'}]).contexts.size).toBe(0);
  });
});

describe('a kubeconfig that does not parse', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
  });
  const fileWith = (text: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kp-kubeconfig-'));
    dirs.push(dir);
    const file = path.join(dir, 'config');
    writeFileSync(file, text);
    return file;
  };

  it('Given broken YAML in KUBECONFIG, When checked before kind create, Then a usage error names file:line:col', () => {
    const file = fileWith('apiVersion: v1\nclusters: [\n');
    expect(() => assertKubeconfigParses({KUBECONFIG: file})).toThrow(new RegExp(`${file}:\\d+:\\d+: invalid YAML`));
  });

  it('Given a file holding a plain string, When checked, Then it is refused as not a kubeconfig', () => {
    const file = fileWith('just text\n');
    expect(() => assertKubeconfigParses({KUBECONFIG: file})).toThrow(/is not a kubeconfig/);
  });

  it('Given a valid file and a missing one in KUBECONFIG, When checked, Then nothing is thrown (kubectl skips missing files too)', () => {
    const file = fileWith('apiVersion: v1\nkind: Config\nclusters: []\n');
    expect(assertKubeconfigParses({KUBECONFIG: `${file}${path.delimiter}${file}-missing`})).toBeUndefined();
  });
});
