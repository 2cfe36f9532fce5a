/**
 * The kp_reload companion's pytest suite (test/companion: the reloader against a model of HA, for
 * the cases a real HA cannot produce on demand), run by the real Home Assistant image's Python 3.14
 * with pytest from PyPI (scripts/test-tools/install.sh). No network, nothing written into the checkout.
 */
import {execFileSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {projectRoot} from '../../helpers/cli.js';
import {realTool} from '../../helpers/real-tools.js';

describe("the companion's reloader in real CPython (the real HA image's Python)", () => {
  it('Given the pytest suite of test/companion, When pytest runs it in the real HA image, Then every case passes', () => {
    // Given
    const image = realTool('KP_REAL_HA_IMAGE');
    const pytest = realTool('KP_REAL_PYTEST_DIR');
    // When
    let output: string;
    let exitCode = 0;
    try {
      output = execFileSync(
        'docker',
        [
          'run',
          '--rm',
          '--network',
          'none',
          '-v',
          `${projectRoot}:/src:ro`,
          '-v',
          `${pytest}:/opt/pytest:ro`,
          '-e',
          'PYTHONPATH=/opt/pytest',
          '-e',
          'PYTHONDONTWRITEBYTECODE=1',
          '-w',
          '/src',
          image,
          'python3',
          '-m',
          'pytest',
          '-v',
          '-p',
          'no:cacheprovider',
          'test/companion',
        ],
        {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']},
      );
    } catch (error) {
      const failed = error as {status: number; stdout: string; stderr: string};
      exitCode = failed.status;
      output = `${failed.stdout}${failed.stderr}`;
    }
    // Then
    expect(exitCode, output).toBe(0);
    expect(output).toMatch(/Python 3\.14/);
    expect(Number(/(\d+) passed/.exec(output)?.[1] ?? 0)).toBeGreaterThanOrEqual(19);
    expect(output).not.toMatch(/\b(failed|error|skipped)\b/);
  }, 300_000);
});
