/**
 * The one place that chooses listr2's renderer: an interactive terminal gets the default
 * (spinners), CI / non-TTY gets `simple`, `--verbose` gets `verbose`, `--json` gets `silent`.
 * Every renderer writes to stderr, so stdout carries only results.
 */
import {Listr, ListrLogger, ProcessOutput, type ListrTask} from 'listr2';
import type {Output} from './output.js';

/** Which listr2 renderer an invocation uses. */
export type RendererName = 'default' | 'simple' | 'verbose' | 'silent';

/** Pick the renderer from the invocation's mode and the terminal. */
export function chooseRenderer(out: Pick<Output, 'json' | 'verbose' | 'interactive'>): RendererName {
  if (out.json) return 'silent';
  if (out.verbose) return 'verbose';
  return out.interactive ? 'default' : 'simple';
}

/** Build a task list whose progress goes to stderr with the chosen renderer. */
export function createTaskList<C extends object>(
  tasks: Array<ListrTask<C>>,
  out: Output,
  options: {concurrent?: boolean; exitOnError?: boolean} = {},
): Listr<C> {
  const processOutput = new ProcessOutput(process.stderr, process.stderr);
  const logger = new ListrLogger({processOutput, useIcons: true});
  const renderer = chooseRenderer(out);
  return new Listr<C>(tasks, {
    concurrent: options.concurrent ?? false,
    exitOnError: options.exitOnError ?? true,
    registerSignalListeners: false,
    collectErrors: false,
    renderer,
    fallbackRenderer: 'simple',
    rendererOptions: {logger, collapseSubtasks: false},
    fallbackRendererOptions: {logger},
  } as ConstructorParameters<typeof Listr<C>>[1]);
}
