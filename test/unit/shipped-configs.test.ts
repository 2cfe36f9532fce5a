/**
 * kp's shipped skaffold.yaml and kind-config.yaml compared with the app repo's own files
 * (../shared/upstream/kamerplanter/) structurally, so drift shows up as a failing test. Each
 * deliberate difference is listed with its reason.
 */
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadKindConfig} from '../../src/config/kind-config.js';
import {loadSkaffoldConfig, resolveProfile, type SkaffoldModule} from '../../src/config/skaffold-config.js';
import {projectRoot} from '../helpers/cli.js';

const upstream = path.resolve(projectRoot, '..', 'shared', 'upstream', 'kamerplanter');
const ours = loadSkaffoldConfig(path.join(projectRoot, 'skaffold.yaml'));
const theirs = loadSkaffoldConfig(path.join(upstream, 'skaffold.yaml'));

interface Shape {
  artifacts: Array<{image: string; context: string; dockerfile: string; sync: string[]}>;
  local: unknown;
  statusCheckDeadlineSeconds: unknown;
  releases: Array<{name: string; chartPath: string; valuesFiles: unknown; namespace: unknown; setValueTemplates: Record<string, string>}>;
  forwards: string[];
}

/** The parts of a module that decide what runs where. */
function shape(doc: Record<string, unknown>): Shape {
  const build = doc.build as {local?: unknown; artifacts?: Array<Record<string, unknown>>} | undefined;
  const deploy = doc.deploy as {statusCheckDeadlineSeconds?: unknown; helm?: {releases?: Array<Record<string, unknown>>}} | undefined;
  return {
    artifacts: (build?.artifacts ?? []).map((a) => ({
      image: String(a.image),
      context: String(a.context),
      dockerfile: String((a.docker as {dockerfile?: string} | undefined)?.dockerfile),
      sync: ((a.sync as {manual?: Array<{src: string; dest: string}>} | undefined)?.manual ?? []).map((s) => `${s.src}->${s.dest}`),
    })),
    local: build?.local,
    statusCheckDeadlineSeconds: deploy?.statusCheckDeadlineSeconds,
    releases: (deploy?.helm?.releases ?? []).map((r) => ({
      name: String(r.name),
      chartPath: String(r.chartPath),
      valuesFiles: r.valuesFiles,
      namespace: r.namespace,
      setValueTemplates: r.setValueTemplates as Record<string, string>,
    })),
    forwards: ((doc.portForward ?? []) as Array<Record<string, unknown>>).map((f) => `${f.resourceType}/${f.resourceName} ${f.port}->${f.localPort}`),
  };
}

const module = (config: typeof ours, name: string): SkaffoldModule => {
  const found = config.modules.find((m) => m.name === name);
  if (!found) throw new Error(`module ${name} missing`);
  return found;
};

describe("kp's skaffold.yaml against the app repo's", () => {
  it('Given both files, When their modules are listed, Then they are the same, in the same order', () => {
    expect(ours.modules.map((m) => m.name)).toEqual(theirs.modules.map((m) => m.name));
    expect(ours.modules.map((m) => m.name)).toEqual(['kp', 'ki']);
  });

  for (const name of ['kp', 'ki']) {
    it(`Given module ${name}, When artifacts, releases (image keys included) and forwards are compared, Then they are equal`, () => {
      expect(shape(module(ours, name).raw)).toEqual(shape(module(theirs, name).raw));
    });
  }

  it('Given module kp, When its image keys are read, Then they are the bjw-s controllers.<name>.containers.main.image.* the real chart reads', () => {
    const keys = Object.keys(shape(module(ours, 'kp').raw).releases[0]!.setValueTemplates).filter((k) => k.endsWith('.image.repository'));
    expect(keys).toEqual([
      'controllers.backend.containers.main.image.repository',
      'controllers.frontend.containers.main.image.repository',
      'controllers.celery-worker.containers.main.image.repository',
      'controllers.celery-beat.containers.main.image.repository',
    ]);
  });

  it('Given module kp, When its profiles are listed, Then they are the upstream ones', () => {
    expect(module(ours, 'kp').profiles.map((p) => p.name)).toEqual(module(theirs, 'kp').profiles.map((p) => p.name));
    expect(module(ours, 'kp').profiles.find((p) => p.name === 'debug')?.activatedByCommands).toEqual(['debug']);
  });

  for (const profile of ['backend-only', 'frontend-only', 'debug']) {
    it(`Given profile ${profile}, When resolved in both files, Then artifacts and forwards come out the same`, () => {
      const a = shape(resolveProfile(module(ours, 'kp'), profile));
      const b = shape(resolveProfile(module(theirs, 'kp'), profile));
      expect(a.artifacts).toEqual(b.artifacts);
      expect(a.forwards).toEqual(b.forwards);
      const built = (resolveProfile(module(ours, 'kp'), profile).build as {artifacts: Array<{docker?: {buildArgs?: unknown}}>}).artifacts;
      const builtUpstream = (resolveProfile(module(theirs, 'kp'), profile).build as {artifacts: Array<{docker?: {buildArgs?: unknown}}>}).artifacts;
      expect(built.map((x) => x.docker?.buildArgs)).toEqual(builtUpstream.map((x) => x.docker?.buildArgs));
    });
  }

  it('Given backend-only, When resolved, Then (deliberately, unlike upstream) the removed frontend image values are gone too, so the chart keeps its pinned image', () => {
    const values = shape(resolveProfile(module(ours, 'kp'), 'backend-only')).releases[0]!.setValueTemplates;
    expect(Object.keys(values).filter((k) => k.startsWith('controllers.frontend.'))).toEqual([]);
    expect(Object.keys(values).filter((k) => k.startsWith('controllers.backend.'))).toHaveLength(2);
  });

  it('Given every index-based patch of ours, When listed, Then (deliberately) each is guarded by a test op, which upstream lacks', () => {
    for (const profile of module(ours, 'kp').profiles) {
      const indexed = profile.patches.filter((p) => p.op !== 'test' && /\/\d+(\/|$)/.test(p.path));
      expect(indexed.length).toBeGreaterThan(0);
      for (const patch of indexed) {
        const index = /^(.*?\/\d+)(?:\/|$)/.exec(patch.path)?.[1];
        expect(
          profile.patches.some((p) => p.op === 'test' && index !== undefined && p.path.startsWith(index)),
          `${profile.name}: ${patch.path}`,
        ).toBe(true);
      }
    }
  });
});

describe("kp's kind-config.yaml against the app repo's", () => {
  const kpKind = loadKindConfig(path.join(projectRoot, 'kind-config.yaml'));
  const upstreamKind = loadKindConfig(path.join(upstream, 'kind-config.yaml'));

  it('Given both, When node roles are compared, Then they are equal (control-plane + two workers)', () => {
    expect(kpKind.roles).toEqual(upstreamKind.roles);
  });

  it('Given both, When host ports are compared, Then (deliberately) ours keeps only the ingress ports, on localhost: upstream 8000/3000/8529 collide with Skaffold forwards', () => {
    expect(upstreamKind.hostPorts.map((p) => p.hostPort)).toEqual([80, 443, 8000, 3000, 8529]);
    expect(kpKind.hostPorts.map((p) => [p.hostPort, p.listenAddress])).toEqual([
      [80, '127.0.0.1'],
      [443, '127.0.0.1'],
    ]);
  });
});
