/**
 * Human-facing output: progress and messages on stderr, colour only when allowed
 * (TTY, NO_COLOR unset, not --json). Results go to stdout through the command base class.
 */
import chalk, {Chalk, chalkStderr, type ChalkInstance} from 'chalk';

/** Where and how a command talks to the person running it. */
export interface Output {
  /** Colour for progress and messages (stderr). */
  readonly color: ChalkInstance;
  /** Colour for results (stdout): off when stdout is a pipe or a file, even while stderr is a terminal. */
  readonly resultColor: ChalkInstance;
  readonly json: boolean;
  readonly verbose: boolean;
  /** Is stderr an interactive terminal (spinners, prompts allowed)? */
  readonly interactive: boolean;
  info(line: string): void;
  warn(line: string): void;
  step(line: string): void;
  success(line: string): void;
  /** Result text for stdout (human mode only). */
  result(text: string): void;
}

/** True when colour must be off: NO_COLOR set (any non-empty value), TERM=dumb, or not a TTY. */
export function colorDisabled(stream: NodeJS.WriteStream = process.stderr): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return true;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return false;
  if (process.env.TERM === 'dumb') return true;
  return !stream.isTTY;
}

/** Colour for one stream: off by kp's rules, else at least basic colours at the depth chalk detected for that stream. */
function colorFor(stream: NodeJS.WriteStream, detected: ChalkInstance): ChalkInstance {
  if (colorDisabled(stream)) return new Chalk({level: 0});
  return detected.level > 0 ? detected : new Chalk({level: 1});
}

/** Create the output for one invocation. */
export function createOutput(options: {json: boolean; verbose: boolean}): Output {
  const color = colorFor(process.stderr, chalkStderr);
  const resultColor = colorFor(process.stdout, chalk);
  const write = (line: string) => process.stderr.write(`${line}\n`);
  return {
    color,
    resultColor,
    json: options.json,
    verbose: options.verbose,
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
    info: (line) => write(line),
    warn: (line) => write(`${color.yellow('warning:')} ${line}`),
    step: (line) => write(`${color.cyan('›')} ${line}`),
    success: (line) => write(`${color.green('✔')} ${line}`),
    result: (text) => {
      if (!options.json) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
  };
}
