/**
 * The ingress controller module: the planner (never downgrade), the Deployment reader, and the
 * genuine upstream manifest fetched once, checked against its sha256 and cached. The "download"
 * is served from ../shared/upstream/ingress-nginx/ by a local HTTP server.
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {parseAllDocuments} from 'yaml';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ExitCode} from '../../../../src/core/errors.js';
import {
  applyIngress,
  cachedManifestPath,
  INGRESS_CONTROLLER,
  ingressFromDeployment,
  planIngress,
  verifiedManifest,
} from '../../../../src/workflows/dev/ingress.js';
import {Kubectl} from '../../../../src/tools/kubectl.js';
import {projectRoot} from '../../../helpers/cli.js';
import {useSandbox} from '../../../helpers/scripted-runner.js';

const genuine = readFileSync(path.resolve(projectRoot, '..', 'shared', 'upstream', 'ingress-nginx', 'controller-v1.15.1-kind-deploy.yaml'));

describe('ingress planner', () => {
  const pinned = INGRESS_CONTROLLER.version;
  it.each([
    [{installed: false, version: undefined, ready: false}, 'apply'],
    [{installed: true, version: '1.12.1', ready: true}, 'apply'],
    [{installed: true, version: pinned, ready: false}, 'wait'],
    [{installed: true, version: pinned, ready: true}, 'none'],
    [{installed: true, version: '1.16.0', ready: true}, 'keep-newer'],
  ] as const)('Given %j, When planned, Then the action is %s', (observed, action) => {
    expect(planIngress({...observed}).action).toBe(action);
  });

  it('Given a newer controller, When planned, Then the reason says it is left alone and never downgraded', () => {
    expect(planIngress({installed: true, version: '1.16.0', ready: true}).reason).toMatch(/newer than kp's 1\.15\.1: left as it is \(kp never downgrades it\)/);
  });

  it('Given the controller Deployment, When read, Then the version comes from its label (else the image tag)', () => {
    expect(ingressFromDeployment({metadata: {labels: {'app.kubernetes.io/version': '1.15.1'}}, spec: {replicas: 1}, status: {readyReplicas: 1}})).toEqual({
      installed: true,
      version: '1.15.1',
      ready: true,
    });
    expect(
      ingressFromDeployment({spec: {template: {spec: {containers: [{image: 'registry.k8s.io/ingress-nginx/controller:v1.11.3@sha256:abc'}]}}}}).version,
    ).toBe('1.11.3');
    expect(ingressFromDeployment(undefined).installed).toBe(false);
  });

  it('Given the genuine upstream manifest, When read, Then its controller is the pinned version and the pin names its tag-pinned URL and digest', () => {
    const deployment = parseAllDocuments(genuine.toString('utf8'))
      .map((d) => d.toJS())
      .find((d) => d?.kind === 'Deployment');
    expect(deployment.metadata.name).toBe(INGRESS_CONTROLLER.deployment);
    expect(deployment.metadata.labels['app.kubernetes.io/version']).toBe(INGRESS_CONTROLLER.version);
    expect(INGRESS_CONTROLLER.manifestUrl).toContain('/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml');
    expect(INGRESS_CONTROLLER.sha256).toBe('2a3ae008c8786431115502644e77ab398fdebfb721a5d1195ed3089cde3299df');
  });
});

describe('the manifest: downloaded once, verified, cached', () => {
  let server: Server;
  let served = genuine;
  let requests = 0;
  const sandbox = useSandbox();

  beforeEach(async () => {
    served = genuine;
    requests = 0;
    server = createServer((_request, response) => {
      requests += 1;
      response.end(served);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.env.KP_TEST_INGRESS_MANIFEST_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/deploy.yaml`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('Given an empty cache, When the manifest is needed twice, Then it is downloaded once, cached byte for byte, and read from the cache after', async () => {
    const {ctx} = sandbox.context();
    const first = await verifiedManifest(ctx);
    expect(first).toEqual({file: cachedManifestPath(), source: 'download'});
    expect(readFileSync(first.file).equals(genuine)).toBe(true);
    expect(path.dirname(first.file)).toBe(path.join(sandbox.cacheHome, 'kp'));
    const second = await verifiedManifest(ctx);
    expect(second.source).toBe('cache');
    expect(requests).toBe(1);
  });

  it('Given a tampered file at the URL, When downloaded, Then it is refused with both digests and nothing is cached', async () => {
    served = Buffer.concat([genuine, Buffer.from('\n# injected\n')]);
    const {ctx} = sandbox.context();
    const error = await verifiedManifest(ctx).catch((e: unknown) => e);
    expect(error).toMatchObject({exitCode: ExitCode.ToolFailed});
    expect((error as Error).message).toContain(`not the pinned ${INGRESS_CONTROLLER.sha256}`);
    expect(() => readFileSync(cachedManifestPath())).toThrow();
  });

  it('Given a tampered cache file, When the manifest is needed, Then the cache is not trusted and the genuine file is downloaded again', async () => {
    const {ctx} = sandbox.context();
    await verifiedManifest(ctx);
    writeFileSync(cachedManifestPath(), 'kind: Namespace\n');
    expect((await verifiedManifest(ctx)).source).toBe('download');
    expect(requests).toBe(2);
  });

  it('Given apply is planned, When applied, Then kubectl applies the cached file with the explicit context and waits for the rollout', async () => {
    const {ctx, runner} = sandbox.context([
      {match: ['kubectl', '--context', 'kind-kamerplanter', 'apply', '-f'], reply: {stdout: 'namespace/ingress-nginx created\n'}},
      {
        match: ['kubectl', '--context', 'kind-kamerplanter', 'rollout', 'status'],
        reply: {stdout: 'deployment "ingress-nginx-controller" successfully rolled out\n'},
      },
    ]);
    const result = await applyIngress(ctx, new Kubectl(ctx.runner, 'kind-kamerplanter'), 'apply', 60);
    expect(result.manifest).toBe('download');
    expect(runner.lines()).toEqual([
      `kubectl --context kind-kamerplanter apply -f ${cachedManifestPath()}`,
      'kubectl --context kind-kamerplanter rollout status deployment/ingress-nginx-controller -n ingress-nginx --timeout=60s',
    ]);
  });

  it('Given a newer controller kept, When "applied", Then nothing is downloaded and no process runs', async () => {
    const {ctx, runner} = sandbox.context();
    expect(await applyIngress(ctx, new Kubectl(ctx.runner, 'kind-kamerplanter'), 'keep-newer', 60)).toEqual({manifest: undefined});
    expect(runner.lines()).toEqual([]);
    expect(requests).toBe(0);
  });
});
