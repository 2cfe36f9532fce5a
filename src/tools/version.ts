/**
 * The one shape of a tool-version probe: run `BIN ARGS` with a short timeout, parse stdout, and
 * answer undefined when the binary is absent, fails or prints no version.
 */
import {ToolError} from '../core/errors.js';
import type {Runner} from './runner.js';

/** Read a tool's version; undefined when it is not installed or its answer has no version. */
export async function readToolVersion(
  runner: Runner,
  bin: string,
  args: readonly string[],
  parse: (stdout: string) => string | undefined,
  env?: Record<string, string>,
): Promise<string | undefined> {
  try {
    const result = await runner.run(bin, args, {allowFailure: true, timeoutMs: 20_000, env});
    return result.exitCode === 0 ? parse(result.stdout) : undefined;
  } catch (error) {
    if (error instanceof ToolError && error.toolExitCode === undefined) return undefined; // not on PATH
    throw error;
  }
}
