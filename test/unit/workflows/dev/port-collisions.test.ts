import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadKindConfig, parseKindFile} from '../../../../src/config/kind-config.js';
import {loadSkaffoldConfig} from '../../../../src/config/skaffold-config.js';
import {parseYamlText} from '../../../../src/config/yaml-file.js';
import {findPortCollisions} from '../../../../src/workflows/dev/port-collisions.js';
import {projectRoot} from '../../../helpers/cli.js';
import {UPSTREAM_KIND_CONFIG} from '../../../helpers/kind-configs.js';

describe('kind hostPorts against Skaffold localPorts', () => {
  const skaffold = loadSkaffoldConfig(path.join(projectRoot, 'skaffold.yaml'));

  it('Given the upstream kind config, When compared with skaffold.yaml, Then 8000, 3000 and 8529 collide with file:line:col', () => {
    const collisions = findPortCollisions(parseKindFile(parseYamlText(UPSTREAM_KIND_CONFIG, 'kind-config.yaml')), skaffold);
    expect(collisions.map((c) => c.port)).toEqual([8000, 3000, 8529]);
    expect(collisions[0]!.kindWhere).toBe('kind-config.yaml:8:9');
    expect(collisions[1]!.skaffold).toContain('service/kamerplanter-frontend');
  });

  it('Given the shipped kind config, When compared with skaffold.yaml, Then nothing collides', () => {
    const kind = loadKindConfig(path.join(projectRoot, 'kind-config.yaml'));
    expect(kind.hostPorts.length).toBeGreaterThan(0);
    expect(findPortCollisions(kind, skaffold)).toEqual([]);
  });
});
