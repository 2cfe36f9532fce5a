/**
 * The base of every kp command: global flags, the runner and output for this invocation,
 * `--json` result printing, and the mapping of every failure to the documented exit codes.
 */
import {Command} from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import type {Interfaces} from '@oclif/core';
import {ExitCode, toKpError} from '../core/errors.js';
import {Runner} from '../tools/runner.js';
import {createOutput} from '../ui/output.js';
import {interruption} from '../core/interruption.js';
import type {KpContext} from '../workflows/context.js';
import type {JsonError, JsonErrorDetails} from './json-contract.js';

type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof KpCommand)['baseFlags'] & T['flags']>;
type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/** Every kp command extends this and implements `execute` (and `render` for humans). */
export abstract class KpCommand<T extends typeof Command, R = unknown> extends Command {
  static override baseFlags = {
    json: Flags.boolean({description: 'Print only the result object as JSON on stdout.', helpGroup: 'GLOBAL'}),
    verbose: Flags.boolean({
      description: 'Echo every external command to stderr (secrets redacted).',
      helpGroup: 'GLOBAL',
    }),
    'dry-run': Flags.boolean({
      description: 'Print the mutating commands kp would run and run none of them (read-only probes still run).',
      helpGroup: 'GLOBAL',
    }),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  protected ctx!: KpContext;
  /** Positional arguments in order (for commands that take a variable number). */
  protected positionals: string[] = [];

  /** Do the work and return the result object (`--json` prints exactly this). */
  protected abstract execute(): Promise<R>;

  /** Print the result for a human (stdout). */
  protected abstract render(result: R): void;

  override async init(): Promise<void> {
    await super.init();
    // Every kp command parses here; a parse that throws must not also earn oclif's "did not parse
    // its arguments" warning (shown when NODE_ENV is development or test) on top of kp's error.
    this.parsed = true;
    const {args, flags, argv} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof KpCommand).baseFlags,
      args: this.ctor.args,
      strict: this.ctor.strict,
      enableJsonFlag: false,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
    this.positionals = argv.map(String);
    const json = Boolean(this.flags.json);
    const verbose = Boolean(this.flags.verbose);
    const dryRun = Boolean(this.flags['dry-run']);
    const out = createOutput({json, verbose});
    this.ctx = {runner: new Runner({dryRun, verbose, log: (line) => out.info(line)}), out, dryRun, json, verbose};
    interruption.install(() => {
      const what = interruption.foreground ? `letting ${interruption.foreground} clean up` : 'stopping child processes';
      out.info(`\nInterrupted: ${what} (Ctrl-C again to force).`);
    });
  }

  /**
   * The exit code for a result that is printed in full but still means failure
   * (a failed doctor check, an integration that did not load). Default: success.
   */
  protected exitCodeFor(_result: R): number {
    return ExitCode.Ok;
  }

  /** The `--json` text of a result: the whole object, indented (a streaming command prints less). */
  protected jsonText(result: R): string {
    return JSON.stringify(result, null, 2);
  }

  /** Does this run print newline-delimited JSON (so its error object must be one line too)? */
  protected streamsJson(): boolean {
    return false;
  }

  override async run(): Promise<R> {
    const result = await this.execute();
    if (this.ctx.json) process.stdout.write(`${this.jsonText(result)}\n`);
    else this.render(result);
    const code = this.exitCodeFor(result);
    if (code !== ExitCode.Ok) process.exitCode = code;
    return result;
  }

  /** Every error gets a hint line: where the error itself names no fix, the next step its class calls for. */
  private fallbackHint(exitCode: number): string {
    const command = `${this.config.bin} ${(this.id ?? '').replaceAll(':', ' ')}`.trim();
    switch (exitCode) {
      case ExitCode.Usage:
        return `\`${command} --help\` shows the flags and examples.`;
      case ExitCode.Prerequisite:
        return `\`${this.config.bin} doctor\` checks everything kp needs and says how to fix it.`;
      case ExitCode.ToolFailed:
        return `Run it again with --verbose to see every command kp runs.`;
      case ExitCode.Timeout:
        return 'Raise --timeout, or read the logs of what did not become ready.';
      case ExitCode.VerificationFailed:
        return `\`${this.config.bin} ha status\` shows the load verdict and HA's failure lines.`;
      case ExitCode.Interrupted:
        return 'Run the same command again: it picks up from where it stopped.';
      default:
        return `This is a bug in kp: please report it with the output of \`${command} --verbose\`.`;
    }
  }

  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<void> {
    const json = this.ctx?.json ?? process.argv.includes('--json');
    const kpError = toKpError(error);
    const hint = kpError.hint ?? this.fallbackHint(kpError.exitCode);
    if (json) {
      // Each failure's details are typed where it is thrown (JsonErrorDetails names them all); schemas/error.json holds the shape.
      const payload: JsonError = {error: {message: kpError.message, hint, exitCode: kpError.exitCode, ...(kpError.details as JsonErrorDetails | undefined)}};
      process.stdout.write(`${this.streamsJson() ? JSON.stringify(payload) : JSON.stringify(payload, null, 2)}\n`);
    } else {
      const out = this.ctx?.out ?? createOutput({json: false, verbose: false});
      out.info(`${out.color.red('error:')} ${kpError.message}`);
      out.info(`${out.color.dim('hint:')} ${hint}`);
      // A bug's stack is for its report: shown with --verbose (the hint asks for that output), never by default.
      if (kpError.exitCode === ExitCode.Internal && error.stack && this.ctx?.verbose) out.info(out.color.dim(error.stack));
    }
    process.exitCode = kpError.exitCode;
  }
}
