import {describe, expect, it} from 'vitest';
import {ExitCode} from '../../../../src/core/errors.js';
import {suggestName, unknownNameError} from '../../../../src/workflows/shared/suggest.js';

describe('suggestName', () => {
  it('Given near-miss names, When suggesting, Then the closest valid name wins', () => {
    expect(suggestName('backend', ['backend-only', 'frontend-only', 'debug'])).toBe('backend-only');
    expect(suggestName('frontendonly', ['backend-only', 'frontend-only', 'debug'])).toBe('frontend-only');
    expect(suggestName('debgu', ['backend-only', 'frontend-only', 'debug'])).toBe('debug');
  });

  it('Given an abbreviation among the valid names, When suggesting for the long name, Then the abbreviation wins', () => {
    expect(suggestName('kamerplanter', ['kp', 'ki'])).toBe('kp');
  });

  it('Given no valid names, When suggesting, Then there is no suggestion', () => {
    expect(suggestName('x', [])).toBeUndefined();
  });
});

describe('unknownNameError', () => {
  it('Given an unknown profile, When the error is built, Then it is a usage error naming where, the valid names and the closest', () => {
    const error = unknownNameError('profile', 'timescale', ['timescaledb'], 'compose.yml', 'a hint');
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toBe('Unknown profile "timescale" in compose.yml. Valid profiles: timescaledb. Did you mean "timescaledb"?');
    expect(error.hint).toBe('a hint');
  });

  it('Given no valid names at all, When the error is built, Then it says (none) and suggests nothing', () => {
    expect(unknownNameError('module', 'kp', [], 'f.yaml').message).toBe('Unknown module "kp" in f.yaml. Valid modules: (none).');
  });
});
