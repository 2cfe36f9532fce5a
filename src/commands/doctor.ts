import {Flags} from '@oclif/core';
import {KpCommand} from '../base-command.js';
import {ExitCode} from '../errors.js';
import {doctor, type DoctorResult} from '../workflows/doctor.js';

export default class Doctor extends KpCommand<typeof Doctor, DoctorResult> {
  static override summary = 'Check this machine for everything kp needs.';
  static override description = `Node.js, the container engine and its daemon, Compose, the stack's host ports, and the
dev-loop tools (kind, kubectl, Skaffold, Helm, inotify limits, port collisions in the workspace).
Exits ${ExitCode.Prerequisite} when a required check fails.`;
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json'];
  static override flags = {
    workspace: Flags.string({description: 'Kamerplanter checkout to check (default: found from the current directory).'}),
    'env-file': Flags.string({description: 'Env file whose host ports to check.'}),
  };

  protected execute(): Promise<DoctorResult> {
    return doctor(this.ctx, {workspace: this.flags.workspace, envFile: this.flags['env-file']});
  }

  protected override exitCodeFor(result: DoctorResult): number {
    return result.ok ? ExitCode.Ok : ExitCode.Prerequisite;
  }

  protected render(result: DoctorResult): void {
    const {color} = this.ctx.out;
    const mark = {ok: color.green('✔'), warn: color.yellow('!'), fail: color.red('✖'), skip: color.dim('-')};
    const width = Math.max(...result.checks.map((c) => c.name.length));
    const lines = result.checks.map((c) => {
      const hint = c.status !== 'ok' && c.hint ? color.dim(`  → ${c.hint}`) : '';
      return `${mark[c.status]} ${c.name.padEnd(width)}  ${c.detail}${hint}`;
    });
    lines.push(result.ok ? color.green('All required checks passed.') : color.red('A required check failed.'));
    this.ctx.out.result(lines.join('\n'));
  }
}
