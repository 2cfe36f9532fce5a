import {readFileSync} from 'node:fs';
import path from 'node:path';
import {parseAllDocuments} from 'yaml';
import {describe, expect, it} from 'vitest';
import {loadKindConfig, parseKindFile} from '../../../src/config/kind-config.js';
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
