import {readFileSync} from 'node:fs';
import path from 'node:path';
import {parseAllDocuments} from 'yaml';
import {describe, expect, it} from 'vitest';
import {ingressFromDeployment, INGRESS_NGINX, planIngress} from '../../../../src/workflows/dev/ingress.js';

describe('ingress planner', () => {
  const pinned = INGRESS_NGINX.version;
  it.each([
    [{installed: false, version: undefined, ready: false}, 'apply'],
    [{installed: true, version: '1.9.4', ready: true}, 'apply'],
    [{installed: true, version: pinned, ready: false}, 'wait'],
    [{installed: true, version: pinned, ready: true}, 'none'],
  ] as const)('Given %j, When planned, Then the action is %s', (observed, action) => {
    expect(planIngress({...observed}).action).toBe(action);
  });

  it('Given the controller Deployment, When read, Then the version comes from its label (else the image tag)', () => {
    expect(ingressFromDeployment({metadata: {labels: {'app.kubernetes.io/version': '1.12.1'}}, spec: {replicas: 1}, status: {readyReplicas: 1}})).toEqual({
      installed: true,
      version: '1.12.1',
      ready: true,
    });
    expect(ingressFromDeployment({spec: {template: {spec: {containers: [{image: 'registry.k8s.io/ingress-nginx/controller:v1.11.3@sha256:abc'}]}}}}).version).toBe('1.11.3');
    expect(ingressFromDeployment(undefined).installed).toBe(false);
  });

  it('Given the vendored manifest, When read, Then its controller carries the pinned version and component label', () => {
    // Given
    const docs = parseAllDocuments(readFileSync(INGRESS_NGINX.manifest, 'utf8')).map((d) => d.toJS());
    // When
    const namespace = docs.find((d) => d.kind === 'Namespace');
    const deployment = docs.find((d) => d.kind === 'Deployment');
    // Then
    expect(namespace.metadata.name).toBe('ingress-nginx');
    expect(deployment.metadata.name).toBe(INGRESS_NGINX.deployment);
    expect(deployment.metadata.labels['app.kubernetes.io/version']).toBe(pinned);
    expect(deployment.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('controller');
    expect(deployment.spec.template.spec.containers[0].image).toBe(`registry.k8s.io/ingress-nginx/controller:v${pinned}`);
    expect(deployment.spec.template.spec.nodeSelector['ingress-ready']).toBe('true');
    expect(path.basename(INGRESS_NGINX.manifest)).toBe(`controller-v${pinned}-kind.yaml`);
  });
});
