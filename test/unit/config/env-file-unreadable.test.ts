/**
 * An env file kp may not read. Faked at the fs layer: CI runs as root, who can read any file, so a
 * real mode-000 file would prove nothing there.
 */
import {describe, expect, it, vi} from 'vitest';

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const denied = (file: unknown) => String(file).endsWith('/locked.env');
  return {
    ...fs,
    statSync: ((file: string, ...rest: unknown[]) =>
      denied(file) ? {isDirectory: () => false} : (fs.statSync as (...a: unknown[]) => unknown)(file, ...rest)) as typeof fs.statSync,
    readFileSync: ((file: string, ...rest: unknown[]) => {
      if (denied(file)) throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), {code: 'EACCES'});
      return (fs.readFileSync as (...a: unknown[]) => unknown)(file, ...rest);
    }) as typeof fs.readFileSync,
  };
});

const {readEnvFile} = await import('../../../src/config/env-file.js');

describe('an env file kp may not read', () => {
  it('Given the read fails with EACCES, When the env file is read, Then exit 3 names it and says how to fix its mode', () => {
    expect(() => readEnvFile('/home/u/.config/kp/locked.env')).toThrowError(
      expect.objectContaining({
        exitCode: 3,
        message: 'Cannot read the env file /home/u/.config/kp/locked.env: permission denied.',
        hint: expect.stringContaining('chmod 600'),
      }),
    );
  });
});
