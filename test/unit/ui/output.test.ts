/**
 * Colour follows the stream it is written to: progress (stderr) and results (stdout) each decide
 * for themselves, so `kp ha status > status.txt` from a terminal holds no escape codes.
 */
import {afterEach, describe, expect, it, vi} from 'vitest';
import {colorDisabled, createOutput} from '../../../src/ui/output.js';

const tty = {isTTY: true} as NodeJS.WriteStream;
const pipe = {isTTY: false} as NodeJS.WriteStream;

afterEach(() => vi.unstubAllEnvs());

describe('colour on each stream', () => {
  it('Given a terminal and no NO_COLOR, When asked, Then colour is on; with NO_COLOR=1 or TERM=dumb it is off; on a pipe it is off', () => {
    vi.stubEnv('NO_COLOR', '');
    vi.stubEnv('FORCE_COLOR', '');
    vi.stubEnv('TERM', 'xterm-256color');
    expect(colorDisabled(tty)).toBe(false);
    expect(colorDisabled(pipe)).toBe(true);
    vi.stubEnv('NO_COLOR', '1');
    expect(colorDisabled(tty)).toBe(true);
    vi.stubEnv('NO_COLOR', '');
    vi.stubEnv('TERM', 'dumb');
    expect(colorDisabled(tty)).toBe(true);
  });

  it('Given stderr a terminal and stdout a pipe (`kp ha status > file`), When the output is made, Then progress is coloured and results are not', () => {
    vi.stubEnv('NO_COLOR', '');
    vi.stubEnv('FORCE_COLOR', '');
    vi.stubEnv('TERM', 'xterm-256color');
    const stderr = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    const stdout = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', {value: true, configurable: true});
    Object.defineProperty(process.stdout, 'isTTY', {value: false, configurable: true});
    try {
      const out = createOutput({json: false, verbose: false});
      expect(out.color.level).toBeGreaterThan(0);
      expect(out.resultColor.level).toBe(0);
      expect(out.resultColor.red('x')).toBe('x');
    } finally {
      if (stderr) Object.defineProperty(process.stderr, 'isTTY', stderr);
      else delete (process.stderr as {isTTY?: boolean}).isTTY;
      if (stdout) Object.defineProperty(process.stdout, 'isTTY', stdout);
      else delete (process.stdout as {isTTY?: boolean}).isTTY;
    }
  });
});
