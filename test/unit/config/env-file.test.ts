import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {ensureEnvFile, JWT_PLACEHOLDER, parseEnvText, readEnvFile, validateEnv} from '../../../src/config/env-file.js';
import {shippedCompose} from '../../../src/config/paths.js';

const work = mkdtempSync(path.join(tmpdir(), 'kp-env-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));
const dir = () => mkdtempSync(path.join(work, 'dir-'));
const valueOf = (text: string, key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1];

describe('env file', () => {
  it('Given no file, When ensured, Then it is created 0600 from the example with every secret generated', () => {
    // Given
    const file = path.join(dir(), 'nested', 'compose.env');
    // When
    const report = ensureEnvFile(file, shippedCompose.envExample, {dryRun: false});
    // Then
    expect(report.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(valueOf(text, 'JWT_SECRET_KEY')).toMatch(/^[0-9a-f]{64}$/);
    const root = valueOf(text, 'ARANGO_ROOT_PASSWORD')!;
    expect(Buffer.from(root, 'base64url')).toHaveLength(32);
    expect(valueOf(text, 'ARANGODB_PASSWORD')).toBe(root);
    expect(Buffer.from(valueOf(text, 'TIMESCALEDB_PASSWORD') ?? '', 'base64url')).toHaveLength(32);
    expect(valueOf(text, 'TIMESCALEDB_PASSWORD')).not.toBe(root);
    expect(text).toContain('KAMERPLANTER_VERSION=0.0.12');
  });

  it('Given two fresh files, When both are ensured, Then their secrets differ', () => {
    // Given
    const first = path.join(dir(), 'one.env');
    const second = path.join(dir(), 'two.env');
    // When
    ensureEnvFile(first, shippedCompose.envExample, {dryRun: false});
    ensureEnvFile(second, shippedCompose.envExample, {dryRun: false});
    // Then
    const secrets = [valueOf(readFileSync(first, 'utf8'), 'JWT_SECRET_KEY'), valueOf(readFileSync(second, 'utf8'), 'JWT_SECRET_KEY')];
    expect(secrets[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(secrets[1]).toMatch(/^[0-9a-f]{64}$/);
    expect(secrets[0]).not.toBe(secrets[1]);
  });

  it('Given an existing file missing keys, When ensured twice, Then only the missing keys are appended once and existing values kept', () => {
    // Given
    const file = path.join(dir(), 'compose.env');
    writeFileSync(file, 'ARANGO_ROOT_PASSWORD=my-own-root-password-1234\nFRONTEND_HOST_PORT=9090', {mode: 0o600});
    // When
    const report = ensureEnvFile(file, shippedCompose.envExample, {dryRun: false});
    // Then
    expect(report.created).toBe(false);
    expect(report.addedKeys).toContain('JWT_SECRET_KEY');
    expect(report.addedKeys).not.toContain('FRONTEND_HOST_PORT');
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('ARANGO_ROOT_PASSWORD=my-own-root-password-1234\nFRONTEND_HOST_PORT=9090\n')).toBe(true);
    expect(valueOf(text, 'ARANGODB_PASSWORD')).toBe('my-own-root-password-1234');
    expect(report.values.FRONTEND_HOST_PORT).toBe('9090');
    // And a second run adds nothing and rewrites nothing
    const again = ensureEnvFile(file, shippedCompose.envExample, {dryRun: false});
    expect(again.addedKeys).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('Given a file readable by others, When ensured, Then its mode is tightened to 0600 and reported', () => {
    const file = path.join(dir(), 'compose.env');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    expect(ensureEnvFile(file, shippedCompose.envExample, {dryRun: false}).permissionsTightened).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('Given --dry-run and no file, When ensured, Then it reports the creation and writes nothing', () => {
    const file = path.join(dir(), 'compose.env');
    expect(ensureEnvFile(file, shippedCompose.envExample, {dryRun: true}).created).toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  it.each([
    ['ARANGO_ROOT_PASSWORD=changeme', 'ARANGO_ROOT_PASSWORD', 1, 1],
    [`DEBUG=false\n  JWT_SECRET_KEY=${JWT_PLACEHOLDER}`, 'JWT_SECRET_KEY', 2, 3],
    ['ARANGODB_PASSWORD="CHANGEME"', 'ARANGODB_PASSWORD', 1, 1],
  ])('Given the placeholder in %j, When validated, Then it is refused naming %s at file:%i:%i', (text, key, line, col) => {
    expect(() => validateEnv(parseEnvText(text, '/x/compose.env'))).toThrowError(new RegExp(`^/x/compose.env:${line}:${col}: ${key} is the placeholder`));
  });

  it('Given user root and a backend password that differs from the root password, When validated, Then it is refused', () => {
    const parsed = parseEnvText('ARANGO_ROOT_PASSWORD=aaaaaaaaaaaaaaaa\nARANGODB_PASSWORD=bbbbbbbbbbbbbbbb\n', 'f.env');
    expect(() => validateEnv(parsed)).toThrowError(/^f.env:2:1: ARANGODB_PASSWORD differs from ARANGO_ROOT_PASSWORD/);
  });

  it('Given another user with its own password, When validated, Then the differing passwords are accepted', () => {
    const otherUser = parseEnvText('ARANGODB_USERNAME=kp\nARANGO_ROOT_PASSWORD=aaaaaaaaaaaaaaaa\nARANGODB_PASSWORD=bbbbbbbbbbbbbbbb\n', 'f.env');
    expect(otherUser.entries.get('ARANGODB_USERNAME')?.value).toBe('kp');
    expect(() => validateEnv(otherUser)).not.toThrow();
  });

  it('Given an empty generated secret, When validated, Then it is refused telling how to get one generated', () => {
    // When
    let error: unknown;
    try {
      validateEnv(parseEnvText('JWT_SECRET_KEY=\n', 'f.env'));
    } catch (e) {
      error = e;
    }
    // Then
    expect(error).toMatchObject({message: 'f.env:1:1: JWT_SECRET_KEY is empty.', exitCode: 2});
    expect((error as {hint: string}).hint).toContain('kp generates a random value');
  });
});

describe('env files kp cannot use', () => {
  it('Given a line that is neither KEY=value, a comment nor blank, When parsed, Then it is refused with file:line:col and the fix', () => {
    const error = (() => {
      try {
        parseEnvText('# comment\n\nFOO=bar\n  this is not valid\n', '/x/compose.env');
      } catch (e) {
        return e as {exitCode: number; message: string; hint: string};
      }
      return undefined;
    })();
    expect(error).toMatchObject({
      exitCode: 2,
      message: '/x/compose.env:4:3: not a KEY=value line: "this is not valid"',
      hint: expect.stringContaining('KEY=value'),
    });
  });

  it('Given quoted values spanning lines, export prefixes, comments and blanks, When parsed, Then every key is read and nothing is refused', () => {
    const parsed = parseEnvText('A="multi\nline value"\nexport B=2\n# c\n\nC=\'x\'\n', 'f');
    expect([...parsed.entries.keys()]).toEqual(['A', 'B', 'C']);
    expect(parsed.entries.get('A')!.value).toBe('multi\nline value');
  });

  it('Given a directory where the env file should be, When read, Then exit 2 names it, with the fix', () => {
    const folder = dir();
    expect(() => readEnvFile(folder)).toThrowError(expect.objectContaining({exitCode: 2, message: `${folder} is a directory, not an env file.`}));
  });
});
