import {readFileSync} from 'node:fs';
import path from 'node:path';
import {Ajv} from 'ajv';
import ajvFormats from 'ajv-formats';
import {parseAllDocuments} from 'yaml';
import {describe, expect, it} from 'vitest';
import {
  loadSkaffoldConfig,
  moduleNames,
  parseSkaffoldFile,
  PatchError,
  profileNames,
  resolveProfile,
  type SkaffoldModule,
} from '../../../src/config/skaffold-config.js';
import {parseYamlText} from '../../../src/config/yaml-file.js';
import {ExitCode} from '../../../src/core/errors.js';
import {projectRoot} from '../../helpers/cli.js';
import {caught} from '../../helpers/caught.js';

// ajv-formats is CommonJS: under NodeNext its default export is the module object.
const addFormats = ajvFormats as unknown as (ajv: Ajv) => Ajv;

const shippedFile = path.join(projectRoot, 'skaffold.yaml');
const schemaDir = path.resolve(projectRoot, '..', 'shared', 'schemas');

const MULTI_DOC = `apiVersion: skaffold/v4beta13
kind: Config
metadata:
  name: kp
profiles:
  - name: backend-only
  - name: debug
    activation:
      - command: debug
---
# an empty document between separators is allowed
---
apiVersion: skaffold/v4beta14
kind: Config
metadata:
  name: ki
profiles:
  - name: gpu
`;

function parse(text: string, file = 'skaffold.yaml') {
  return parseSkaffoldFile(parseYamlText(text, file));
}

describe('skaffold.yaml parsing (multi-document)', () => {
  it('Given two named configs separated by ---, When parsed, Then both modules and their profiles are found', () => {
    const config = parse(MULTI_DOC);
    expect(moduleNames(config)).toEqual(['kp', 'ki']);
    expect(profileNames(config.modules)).toEqual(['backend-only', 'debug', 'gpu']);
    expect(config.modules[0]!.profiles[1]!.activatedByCommands).toEqual(['debug']);
    expect(config.modules[1]!.apiVersion).toBe('skaffold/v4beta14');
  });

  it('Given broken YAML, When parsed, Then the error names file:line:col', () => {
    const error = caught(() => parse('apiVersion: skaffold/v4beta13\nkind: Config\nmetadata:\n  name: [kp\n', '/ws/skaffold.yaml'));
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toMatch(/^\/ws\/skaffold\.yaml:\d+:\d+: invalid YAML/);
  });

  it('Given a wrong apiVersion in the second document, When parsed, Then the position points into that document', () => {
    const error = caught(() => parse('apiVersion: skaffold/v4beta13\nkind: Config\n---\napiVersion: v1\nkind: Config\n', 'f.yaml'));
    expect(error.message).toMatch(/^f\.yaml:4:13: unsupported apiVersion "v1"/);
  });

  it('Given a module name used twice, When parsed, Then both places are named', () => {
    const error = caught(() =>
      parse(
        'apiVersion: skaffold/v4beta13\nkind: Config\nmetadata: {name: kp}\n---\napiVersion: skaffold/v4beta13\nkind: Config\nmetadata: {name: kp}\n',
        'f.yaml',
      ),
    );
    expect(error.message).toContain('module "kp" is defined twice (first at f.yaml:1:1)');
  });
});

describe('the shipped skaffold.yaml', () => {
  const config = loadSkaffoldConfig(shippedFile);
  const kp = config.modules.find((m) => m.name === 'kp')!;

  it('Given the shared Skaffold schemas, When every document is validated against its apiVersion, Then all are valid', () => {
    // Given
    const documents = parseAllDocuments(readFileSync(shippedFile, 'utf8')).map((d) => d.toJS() as {apiVersion: string});
    expect(documents.map((d) => d.apiVersion)).toEqual(['skaffold/v4beta13', 'skaffold/v4beta13']);
    for (const document of documents) {
      // When
      const version = document.apiVersion.split('/')[1];
      const schema = JSON.parse(readFileSync(path.join(schemaDir, `skaffold-${version}.json`), 'utf8')) as object;
      const ajv = new Ajv({strict: false, allErrors: true});
      addFormats(ajv);
      const validate = ajv.compile(schema);
      // Then
      expect(validate(document), JSON.stringify(validate.errors, null, 2)).toBe(true);
    }
  });

  it('Given a misspelt key, When validated against the same schema, Then it is rejected (the check has teeth)', () => {
    const schema = JSON.parse(readFileSync(path.join(schemaDir, 'skaffold-v4beta13.json'), 'utf8')) as object;
    const validate = new Ajv({strict: false}).compile(schema);
    expect(validate({apiVersion: 'skaffold/v4beta13', kind: 'Config', portForward: [{resourceName: 'x', localport: 1}]})).toBe(false);
  });

  it('Given the file, When read, Then it has the modules kp and ki and the three profiles', () => {
    expect(moduleNames(config)).toEqual(['kp', 'ki']);
    expect(kp.profiles.map((p) => p.name)).toEqual(['backend-only', 'frontend-only', 'debug']);
    expect(kp.profiles.find((p) => p.name === 'debug')!.activatedByCommands).toEqual(['debug']);
  });

  it('Given module kp, When read, Then artifacts, sync rules, helm release and port-forwards are as the spec says', () => {
    // When
    const raw = kp.raw as any;
    // Then: build
    expect(raw.build.local.push).toBe(false);
    expect(raw.build.artifacts.map((a: any) => [a.image, a.context, a.docker.dockerfile])).toEqual([
      ['kamerplanter-backend', 'src/backend', 'Dockerfile.dev'],
      ['kamerplanter-frontend', 'src/frontend', 'Dockerfile.dev'],
    ]);
    expect(raw.build.artifacts[0].sync.manual).toEqual([{src: 'app/**/*.py', dest: '/app'}]);
    expect(raw.build.artifacts[1].sync.manual.map((r: any) => r.src)).toEqual(['src/**/*.ts', 'src/**/*.tsx', 'src/**/*.css']);
    // Then: deploy and port-forwards
    const release = raw.deploy.helm.releases[0];
    expect(release).toMatchObject({
      name: 'kamerplanter',
      chartPath: 'helm/kamerplanter',
      namespace: 'default',
      valuesFiles: ['helm/kamerplanter/values-dev.yaml'],
    });
    // the bjw-s chart reads images under controllers.<name>.containers.main.image.*
    expect(release.setValueTemplates['controllers.backend.containers.main.image.repository']).toBe('{{.IMAGE_REPO_kamerplanter_backend}}');
    expect(release.setValueTemplates['controllers.frontend.containers.main.image.tag']).toBe('{{.IMAGE_TAG_kamerplanter_frontend}}');
    expect(release.setValueTemplates['controllers.celery-worker.containers.main.image.repository']).toBe('{{.IMAGE_REPO_kamerplanter_backend}}');
    expect(kp.portForwards.map((p) => [p.resourceName, p.port, p.localPort])).toEqual([
      ['kamerplanter-backend', 8000, 8000],
      ['kamerplanter-frontend', 5173, 3000],
      ['kamerplanter-arangodb', 8529, 8529],
      ['kamerplanter-timescaledb', 5432, 5432],
    ]);
  });

  it('Given the shipped files, When searched for tags, Then nothing is unpinned (:latest)', () => {
    for (const file of ['skaffold.yaml', 'kind-config.yaml']) {
      expect(readFileSync(path.join(projectRoot, file), 'utf8')).not.toMatch(/:latest\b/);
    }
  });
});

describe('profiles resolve to exactly what they are named for', () => {
  const kp = loadSkaffoldConfig(shippedFile).modules.find((m) => m.name === 'kp')!;
  const base = structuredClone(kp.raw) as any;
  delete base.profiles;

  const images = (doc: any) => doc.build.artifacts.map((a: any) => a.image);
  const forwards = (doc: any) => doc.portForward.map((p: any) => p.resourceName);
  const templates = (doc: any) => Object.keys(doc.deploy.helm.releases[0].setValueTemplates);
  /** The document with the parts a profile may touch removed, to prove nothing else changed. */
  const rest = (doc: any) => {
    const copy = structuredClone(doc);
    delete copy.build.artifacts;
    delete copy.portForward;
    delete copy.deploy.helm.releases[0].setValueTemplates;
    return copy;
  };

  it('Given backend-only, When resolved, Then only the frontend artifact, its forward and its image templates are gone', () => {
    const doc = resolveProfile(kp, 'backend-only') as any;
    expect(images(doc)).toEqual(['kamerplanter-backend']);
    expect(doc.build.artifacts[0]).toEqual(base.build.artifacts[0]);
    expect(forwards(doc)).toEqual(forwards(base).filter((n: string) => n !== 'kamerplanter-frontend'));
    expect(templates(doc)).toEqual(templates(base).filter((k: string) => !k.startsWith('controllers.frontend.')));
    expect(rest(doc)).toEqual(rest(base));
  });

  it('Given frontend-only, When resolved, Then only the backend artifact, its forward and its image templates are gone', () => {
    const doc = resolveProfile(kp, 'frontend-only') as any;
    expect(images(doc)).toEqual(['kamerplanter-frontend']);
    expect(doc.build.artifacts[0]).toEqual(base.build.artifacts[1]);
    expect(forwards(doc)).toEqual(forwards(base).filter((n: string) => n !== 'kamerplanter-backend'));
    // backend, celery-worker and celery-beat all run the backend image
    expect(templates(doc)).toEqual(
      templates(base).filter((k: string) => !/^controllers\.(backend|celery-worker|celery-beat)\.containers\.main\.image\./.test(k)),
    );
    expect(rest(doc)).toEqual(rest(base));
  });

  it('Given debug, When resolved, Then the only change is DEBUGPY_ENABLED=true on the backend build', () => {
    const doc = resolveProfile(kp, 'debug') as any;
    expect(doc.build.artifacts[0].docker.buildArgs).toEqual({DEBUGPY_ENABLED: 'true'});
    const withoutArg = structuredClone(doc);
    delete withoutArg.build.artifacts[0].docker.buildArgs;
    expect(withoutArg).toEqual(base);
  });

  it('Given every profile, When its patches are listed, Then each index-based remove/add is guarded by a test of that element', () => {
    // Given: the index-based patches of every profile (there must be some, or the check proves nothing)
    const indexedPatches = kp.profiles.flatMap((profile) =>
      profile.patches.flatMap((patch, index) => {
        const indexed = /^(\/[^/]+(?:\/[^/]+)*?\/)(\d+)(\/|$)/.exec(patch.path);
        return patch.op === 'test' || !indexed ? [] : [{profile, patch, index, element: `${indexed[1]}${indexed[2]}`}];
      }),
    );
    expect(indexedPatches.length).toBeGreaterThan(0);
    // When: the test ops before each are looked up; Then: each has one on its element
    const unguarded = indexedPatches
      .filter(({profile, index, element}) => !profile.patches.slice(0, index).some((p) => p.op === 'test' && p.path.startsWith(`${element}/`)))
      .map(({profile, patch}) => `${profile.name}: ${patch.op} ${patch.path}`);
    expect(unguarded).toEqual([]);
  });

  it('Given the artifacts reordered, When a profile is resolved, Then it fails loudly instead of removing the wrong one', () => {
    const reordered: SkaffoldModule = structuredClone(kp);
    const artifacts = (reordered.raw as any).build.artifacts;
    artifacts.reverse();
    for (const name of ['backend-only', 'frontend-only', 'debug']) {
      expect(() => resolveProfile(reordered, name)).toThrow(PatchError);
    }
  });
});
