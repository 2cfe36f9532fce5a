import {describe, expect, it} from 'vitest';
import {parseSkaffoldFile} from '../../../../src/config/skaffold-config.js';
import {parseYamlText} from '../../../../src/config/yaml-file.js';
import {ExitCode, KpError} from '../../../../src/core/errors.js';
import {validateSelection} from '../../../../src/workflows/dev/selection.js';
import {caught} from '../../../helpers/caught.js';

const MULTI_DOC = `apiVersion: skaffold/v4beta13
kind: Config
metadata:
  name: kp
profiles:
  - name: backend-only
  - name: debug
---
apiVersion: skaffold/v4beta14
kind: Config
metadata:
  name: ki
profiles:
  - name: gpu
`;
const config = parseSkaffoldFile(parseYamlText(MULTI_DOC, '/ws/skaffold.yaml'));

describe('module and profile selection', () => {
  it('Given a module selection, When a profile of another module is asked for, Then it is unknown within that selection', () => {
    const error = caught(() => validateSelection(config, {modules: ['ki'], profiles: ['debug']}));
    expect(error).toBeInstanceOf(KpError);
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toContain('Unknown profile "debug" in /ws/skaffold.yaml (module ki)');
    expect(error.message).toContain('Valid profiles: gpu');
  });

  it('Given the upstream docs name "kamerplanter", When validated, Then the error lists kp, ki and suggests "kp"', () => {
    const error = caught(() => validateSelection(config, {modules: ['kamerplanter'], profiles: []}));
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toContain('Valid modules: kp, ki');
    expect(error.message).toContain('Did you mean "kp"?');
  });

  it('Given no module selection, When a profile of any module is asked for, Then it is valid', () => {
    expect(() => validateSelection(config, {modules: [], profiles: ['gpu', 'backend-only']})).not.toThrow();
  });

  it('Given valid modules and their profiles, When validated, Then nothing is thrown, while one unknown profile among them is refused', () => {
    expect(() => validateSelection(config, {modules: ['kp', 'ki'], profiles: ['gpu', 'debug']})).not.toThrow();
    expect(() => validateSelection(config, {modules: ['kp', 'ki'], profiles: ['gpu', 'debgu']})).toThrowError(/Did you mean "debug"\?/);
  });
});
