import {KpCommand} from '../cli/base-command.js';
import {composeStackFlags, stackOptions, workspaceFlag} from '../cli/flags.js';
import {renderDoctor} from '../cli/render/doctor.js';
import {ExitCode} from '../core/errors.js';
import {doctor, type DoctorResult} from '../workflows/doctor/doctor.js';

export default class Doctor extends KpCommand<typeof Doctor, DoctorResult> {
  static override summary = 'Check this machine for everything kp needs.';
  static override description = `Node.js, the container engine and its daemon, Compose, the stack's host ports, and the
dev-loop tools (kind, kubectl, Skaffold, Helm, inotify limits, port collisions in the workspace).
Exits ${ExitCode.Prerequisite} when a required check fails.`;
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json'];
  static override flags = {...workspaceFlag, ...composeStackFlags};

  protected execute(): Promise<DoctorResult> {
    return doctor(this.ctx, {workspace: this.flags.workspace, ...stackOptions(this.flags)});
  }

  protected override exitCodeFor(result: DoctorResult): number {
    return result.ok ? ExitCode.Ok : ExitCode.Prerequisite;
  }

  protected render(result: DoctorResult): void {
    this.ctx.out.result(renderDoctor(result, this.ctx.out.resultColor));
  }
}
