/**
 * Test-side access to the run (see run.ts): the shared stack, and stacks of a test's own.
 */
import {afterAll, inject} from 'vitest';
import {freePorts} from './docker.js';
import type {E2eRun, StackSpec} from './run.js';
import {ComposeStack, hostPorts} from './stack.js';

/** This run's id, prefix, stand-in tag and shared stack. */
export function e2eRun(): E2eRun {
  return inject('kpE2e');
}

/** A name of this run: `kp-e2e-<run id>-<suffix>` (containers, volumes, projects, clusters, image tags). */
export function runName(suffix: string): string {
  return `${e2eRun().prefix}-${suffix}`;
}

/** The stack most compose tests share (it may be up, down or absent: call ensureUp/ensureAbsent). */
export function sharedStack(): ComposeStack {
  return new ComposeStack(e2eRun().shared);
}

/**
 * A stack of the test's own, `kp-e2e-<run id>-<suffix>`, on free host ports; `home` defaults to the
 * shared stack's (each project still has its own env file and start record there).
 */
export async function ownStack(suffix: string, options: Partial<Pick<StackSpec, 'home' | 'select' | 'portsIn'>> = {}): Promise<ComposeStack> {
  const run = e2eRun();
  return new ComposeStack({
    project: runName(suffix),
    home: options.home ?? run.shared.home,
    standinTag: run.standinTag,
    ports: hostPorts(await freePorts(4, Object.values(run.shared.ports).map(Number))),
    select: options.select,
    portsIn: options.portsIn,
  });
}

/** A factory of stacks of the test file's own; after the file, every one of them is removed (by its project label). */
export function useOwnStacks(): typeof ownStack {
  const stacks: ComposeStack[] = [];
  afterAll(() => {
    for (const stack of stacks) stack.ensureAbsent();
  });
  return async (suffix, options) => {
    const stack = await ownStack(suffix, options);
    stacks.push(stack);
    return stack;
  };
}
