/**
 * What every workflow receives from the command that runs it. Kept free of oclif so workflows
 * can be run in-process by tests with a scripted runner.
 */
import type {Runner} from '../tools/runner.js';
import type {Output} from '../ui/output.js';

/** What a workflow needs from the invocation that runs it. */
export interface KpContext {
  runner: Runner;
  out: Output;
  dryRun: boolean;
  json: boolean;
  verbose: boolean;
}
