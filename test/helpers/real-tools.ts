/**
 * The real tools that scripts/test-tools/install.sh installed (ruff, helm, skaffold, the real Home
 * Assistant image), read from its tools.env. A test that needs one and finds it missing fails,
 * saying how to install it: the real-tool tests never skip.
 */
import {existsSync, readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import path from 'node:path';

/** The tools install.sh provides, by the variable it writes. */
export type RealTool = 'KP_REAL_RUFF' | 'KP_REAL_HELM' | 'KP_REAL_SKAFFOLD' | 'KP_REAL_HA_IMAGE' | 'KP_REAL_PYTEST_DIR';

const NAMES: Record<RealTool, string> = {
  KP_REAL_RUFF: 'ruff',
  KP_REAL_HELM: 'helm',
  KP_REAL_SKAFFOLD: 'skaffold',
  KP_REAL_HA_IMAGE: 'ha',
  KP_REAL_PYTEST_DIR: 'pytest',
};

/** install.sh's cache directory (the same rule as the script's). */
export function testToolsDir(): string {
  return process.env.KP_TEST_TOOLS_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'kp', 'test-tools');
}

/** The installed tool's path (or the image's tag); throws, naming the install command, when it is missing. */
export function realTool(tool: RealTool): string {
  const file = path.join(testToolsDir(), 'tools.env');
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  const value = lines.find((line) => line.startsWith(`${tool}=`))?.slice(tool.length + 1);
  const present = value && (tool === 'KP_REAL_HA_IMAGE' || existsSync(value));
  if (!present)
    throw new Error(`The real ${NAMES[tool]} is not installed (${tool} in ${file}): run \`bash scripts/test-tools/install.sh ${NAMES[tool]}\` (.ci/run does).`);
  return value;
}
