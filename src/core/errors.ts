/**
 * kp's errors and its one exit-code table. Keep this file free of heavy imports:
 * the command base class loads it on every run.
 */

/** The exit codes kp uses; README and `kp --help` document the same table. */
export const ExitCode = {
  /** Everything asked for holds. */
  Ok: 0,
  /** An unexpected internal failure (a bug in kp). */
  Internal: 1,
  /** Bad input: unknown flag, profile or module, invalid config, a refused confirmation. */
  Usage: 2,
  /** A prerequisite is missing: a tool, the daemon, a free port, a running target. */
  Prerequisite: 3,
  /** An external tool (docker, kind, kubectl, skaffold, helm) failed. */
  ToolFailed: 4,
  /** Waiting for health or readiness ran out of time. */
  Timeout: 5,
  /** The action ran but its verification failed (the HA integration did not load). */
  VerificationFailed: 6,
  /** Interrupted by Ctrl-C (SIGINT) or SIGTERM. */
  Interrupted: 130,
} as const;

/** One of the documented exit codes. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit-code table as rows, for `kp --help` and the README. */
export const EXIT_CODE_TABLE: ReadonlyArray<readonly [number, string]> = [
  [ExitCode.Ok, 'success'],
  [ExitCode.Internal, 'unexpected internal error (a bug: please report it)'],
  [ExitCode.Usage, 'bad input: unknown flag/profile/module, invalid config file, confirmation refused'],
  [ExitCode.Prerequisite, 'missing prerequisite: tool not installed, daemon unreachable, port busy, target not running, a required doctor check failed'],
  [ExitCode.ToolFailed, 'an external tool (docker, compose, kind, kubectl, skaffold, helm) failed'],
  [ExitCode.Timeout, 'timed out waiting for health or readiness'],
  [ExitCode.VerificationFailed, 'verification failed: the HA integration did not load'],
  [ExitCode.Interrupted, 'interrupted (Ctrl-C)'],
];

/** A failure kp explains to the user: what happened, what to do, and which exit code. */
export class KpError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCodeValue;
  /** Extra structured detail for `--json` output (e.g. the unhealthy service's log lines). */
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: {hint?: string; exitCode?: ExitCodeValue; details?: Record<string, unknown>; cause?: unknown} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause});
    this.name = 'KpError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.Internal;
    this.details = options.details;
  }
}

/** An external command that exited non-zero (or could not be started). */
export class ToolError extends KpError {
  readonly command: string;
  readonly toolExitCode: number | undefined;
  readonly stderr: string;

  constructor(command: string, toolExitCode: number | undefined, stderr: string, hint?: string) {
    const firstLines = stderr.trim().split('\n').slice(-5).join('\n');
    super(`${command} failed${toolExitCode === undefined ? '' : ` (exit ${toolExitCode})`}${firstLines ? `:\n${firstLines}` : ''}`, {
      hint,
      exitCode: ExitCode.ToolFailed,
    });
    this.name = 'ToolError';
    this.command = command;
    this.toolExitCode = toolExitCode;
    this.stderr = stderr;
  }
}

/** Raised when the user interrupts kp; the command exits with 130. */
export class InterruptedError extends KpError {
  constructor() {
    super('Interrupted.', {
      exitCode: ExitCode.Interrupted,
      hint: 'Run the same command again: it picks up from whatever state was reached.',
    });
    this.name = 'InterruptedError';
  }
}

/** Where a failure may carry more than its message and hint: structured detail for --json, its cause. */
export interface FailureExtras {
  details?: Record<string, unknown>;
  cause?: unknown;
}

const make =
  (exitCode: ExitCodeValue) =>
  (message: string, hint?: string, extras: FailureExtras = {}): KpError =>
    new KpError(message, {hint, exitCode, ...extras});

/**
 * The one way to build a failure: a constructor per exit code, so a call site reads as the category
 * it means (nothing outside this file calls `new KpError`; an architecture test checks it).
 */
export const fail = {
  internal: make(ExitCode.Internal),
  usage: make(ExitCode.Usage),
  prerequisite: make(ExitCode.Prerequisite),
  toolFailed: make(ExitCode.ToolFailed),
  timeout: make(ExitCode.Timeout),
  verification: make(ExitCode.VerificationFailed),
  /** A failure whose exit code comes from its cause (e.g. an onboarding failure told with what kp did about it). */
  withCode: (exitCode: ExitCodeValue, message: string, hint?: string, extras: FailureExtras = {}): KpError => new KpError(message, {hint, exitCode, ...extras}),
};

/**
 * For a failure that does not matter at this point (a probe, a best-effort release): it becomes
 * `fallback`, but Ctrl-C stays Ctrl-C. The one way kp ignores an error.
 */
export function unlessInterrupted<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if (error instanceof InterruptedError) throw error;
    return fallback;
  };
}

/**
 * One line from oclif's parse error, with its reason kept: oclif puts the reason on the lines after
 * `Parsing --timeout` / `The following error occurred:` and ends with a help pointer kp replaces.
 */
function parseError(text: string): KpError {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^See more help with --help$/.test(line) && !/^The following errors? occurred:$/.test(line));
  const parsing = /^Parsing (--[\w-]+)$/.exec(lines[0] ?? '');
  const message = parsing ? `${parsing[1]}: ${lines.slice(1).join('; ') || 'invalid value'}` : lines.join('; ');
  const exclusive = /cannot also be provided when using/.test(message);
  return new KpError(message || text, {
    exitCode: ExitCode.Usage,
    hint: exclusive ? 'Those flags exclude each other: give only one (see --help).' : 'See --help for the accepted flags and arguments.',
  });
}

/** Map anything thrown to a KpError with a documented exit code. */
export function toKpError(error: Error & {oclif?: {exit?: number}}): KpError {
  if (error instanceof KpError) return error;
  // oclif's parser errors (unknown flag, missing argument) are usage errors.
  if (
    error.oclif?.exit !== undefined ||
    /^(Nonexistent flag|Unexpected argument|Missing required|Expected |Parsing --|The following error)/.test(error.message)
  ) {
    return parseError(error.message);
  }
  return new KpError(error.message, {exitCode: ExitCode.Internal, cause: error});
}
