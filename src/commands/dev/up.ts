import {Flags} from '@oclif/core';
import {KpCommand} from '../../cli/base-command.js';
import {clusterNameFlag, listFlag, workspaceFlag} from '../../cli/flags.js';
import {renderDevUp} from '../../cli/render/dev.js';
import type {DevUpResult} from '../../workflows/dev/up.js';

export default class DevUp extends KpCommand<typeof DevUp, DevUpResult> {
  static override summary = 'Bring up the kind cluster and run the Skaffold dev loop.';
  static override description = `Idempotent: creates the kind cluster only when missing, starts stopped node containers, repairs a
half-created cluster (or recreates it with --recreate), applies the pinned ingress-nginx only when
missing or at another version, then runs \`skaffold dev\` in the foreground (Ctrl-C stops it; its
exit code becomes kp's) or, with --detach, \`skaffold run\`. Every kubectl/Skaffold call names the
kind-<name> context explicitly; your current kube context is never changed.`;

  static override examples = [
    '<%= config.bin %> dev up',
    '<%= config.bin %> dev up -m kp -p backend-only',
    '<%= config.bin %> dev up --detach --json',
    '<%= config.bin %> dev up --recreate',
  ];

  static override flags = {
    profile: Flags.string({char: 'p', multiple: true, description: 'Skaffold profile(s) to activate (comma-separated or repeated).'}),
    module: Flags.string({char: 'm', multiple: true, description: 'Skaffold module(s) to run (metadata.name in skaffold.yaml).'}),
    detach: Flags.boolean({description: 'Deploy once with `skaffold run` and return instead of the foreground dev loop.'}),
    'auto-build': Flags.boolean({description: 'Rebuild automatically on changes (default: only on Enter; sync stays on).'}),
    'auto-deploy': Flags.boolean({description: 'Redeploy automatically on manifest changes.'}),
    recreate: Flags.boolean({description: 'Delete and recreate the cluster (its PVC data is lost).'}),
    ...clusterNameFlag,
    ...workspaceFlag,
    timeout: Flags.integer({description: 'Seconds to wait for the cluster API and ingress-nginx.', default: 300, min: 1}),
  };

  protected async execute(): Promise<DevUpResult> {
    const {devUp} = await import('../../workflows/dev/up.js');
    return devUp(this.ctx, {
      workspace: this.flags.workspace,
      name: this.flags.name,
      profiles: listFlag(this.flags.profile),
      modules: listFlag(this.flags.module),
      detach: Boolean(this.flags.detach),
      autoBuild: Boolean(this.flags['auto-build']),
      autoDeploy: Boolean(this.flags['auto-deploy']),
      recreate: Boolean(this.flags.recreate),
      timeoutSeconds: this.flags.timeout,
    });
  }

  // Skaffold's exit code becomes kp's (the dev loop ends when Skaffold does).
  protected override exitCodeFor(result: DevUpResult): number {
    return result.skaffold.exitCode;
  }

  protected render(result: DevUpResult): void {
    this.ctx.out.result(renderDevUp(result));
  }
}
