import {readFileSync} from 'node:fs';
import path from 'node:path';
import {parseAllDocuments} from 'yaml';
import {describe, expect, it} from 'vitest';
import {loadKindConfig, parseKindFile, withListenAddress} from '../../../src/config/kind-config.js';
import {parseYamlText} from '../../../src/config/yaml-file.js';
import {projectRoot} from '../../helpers/cli.js';
import {UPSTREAM_KIND_CONFIG} from '../../helpers/kind-configs.js';

describe('kind config', () => {
  it('Given the shipped kind config, When read, Then only 80/443 are published on three nodes and the ingress label is patched in', () => {
    // Given
    const file = path.join(projectRoot, 'kind-config.yaml');
    // When
    const kind = loadKindConfig(file);
    // Then
    expect(kind.hostPorts.map((p) => p.hostPort)).toEqual([80, 443]);
    expect(kind.roles).toEqual(['control-plane', 'worker', 'worker']);
    const raw = parseAllDocuments(readFileSync(file, 'utf8'))[0]!.toJS();
    expect(raw.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
    const patch = raw.nodes[0].kubeadmConfigPatches[0] as string;
    expect(patch).toContain('kind: InitConfiguration');
    expect(patch).toMatch(/node-labels: "ingress-ready=true"/);
  });

  it('Given a kind config with extraPortMappings, When parsed, Then each host port keeps its file:line:col', () => {
    const kind = parseKindFile(parseYamlText(UPSTREAM_KIND_CONFIG, 'kind-config.yaml'));
    expect(kind.hostPorts.map((p) => p.hostPort)).toEqual([80, 443, 8000, 3000, 8529]);
    expect(kind.hostPorts.map((p) => p.where)).toEqual([6, 7, 8, 9, 10].map((line) => `kind-config.yaml:${line}:9`));
    expect(kind.roles).toEqual(['control-plane', 'worker', 'worker']);
  });

  it('Given a YAML document that is not a kind Cluster, When parsed, Then the error names file:line:col and the kind found', () => {
    expect(() => parseKindFile(parseYamlText('kind: Config\napiVersion: kind.x-k8s.io/v1alpha4\n', 'k.yaml'))).toThrowError(
      /^k\.yaml:1:7: kind must be "Cluster", found "Config"/,
    );
  });
});

describe('listen addresses of the host ports', () => {
  it('Given the upstream kind-config.yaml (no listenAddress anywhere), When kp derives its effective config, Then every mapping gets 127.0.0.1 and nothing else changes', () => {
    // Given
    const text = UPSTREAM_KIND_CONFIG;
    // When
    const {text: derived, bound} = withListenAddress(text, '127.0.0.1');
    // Then
    const before = parseKindFile(parseYamlText(text, 'before.yaml'));
    const after = parseKindFile(parseYamlText(derived, 'after.yaml'));
    expect(before.hostPorts.every((p) => !p.listenAddressSet && p.listenAddress === '0.0.0.0')).toBe(true);
    expect(bound).toEqual(before.hostPorts.map((p) => p.hostPort));
    expect(after.hostPorts.map((p) => [p.hostPort, p.listenAddress])).toEqual(before.hostPorts.map((p) => [p.hostPort, '127.0.0.1']));
    expect(after.roles).toEqual(before.roles);
  });

  it('Given a mapping with an explicit listenAddress beside one without, When derived, Then the explicit one is kept and only the other is bound', () => {
    const text = [
      'kind: Cluster',
      'apiVersion: kind.x-k8s.io/v1alpha4',
      'nodes:',
      '  - role: control-plane',
      '    extraPortMappings:',
      '      - {containerPort: 80, hostPort: 8080, listenAddress: "0.0.0.0"}',
      '      - containerPort: 443',
      '        hostPort: 8443',
      '',
    ].join('\n');
    const {text: derived, bound} = withListenAddress(text, '127.0.0.1');
    expect(bound).toEqual([8443]);
    expect(parseKindFile(parseYamlText(derived, 'after.yaml')).hostPorts.map((p) => p.listenAddress)).toEqual(['0.0.0.0', '127.0.0.1']);
  });

  it("Given kp's own kind-config.yaml, When derived, Then nothing is bound: it already publishes on localhost only", () => {
    expect(withListenAddress(readFileSync(path.join(projectRoot, 'kind-config.yaml'), 'utf8'), '127.0.0.1').bound).toEqual([]);
  });
});
