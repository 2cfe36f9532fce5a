/**
 * The error a synchronous call throws, typed as kp's KpError; fails the test when nothing is thrown.
 */
import type {KpError} from '../../src/core/errors.js';

/** Run `fn` and return what it threw. */
export function caught(fn: () => unknown): KpError {
  try {
    fn();
  } catch (error) {
    return error as KpError;
  }
  throw new Error('expected a throw');
}
