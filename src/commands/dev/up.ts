import {Flags} from '@oclif/core';
import {KpCommand} from '../../base-command.js';
import type {DevUpResult} from '../../workflows/dev-up.js';

/** Split repeated and comma-separated flag values (`-m kp,ki -m x`). */
function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

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
    name: Flags.string({description: 'kind cluster name (context kind-<name>).', default: 'kamerplanter'}),
    workspace: Flags.string({description: 'Kamerplanter checkout (default: KP_WORKSPACE, else the nearest parent with skaffold.yaml).'}),
    timeout: Flags.integer({description: 'Seconds to wait for the cluster API and ingress-nginx.', default: 300, min: 1}),
  };

  protected async execute(): Promise<DevUpResult> {
    const {devUp} = await import('../../workflows/dev-up.js');
    const result = await devUp(this.ctx, {
      workspace: this.flags.workspace,
      name: this.flags.name,
      profiles: list(this.flags.profile),
      modules: list(this.flags.module),
      detach: Boolean(this.flags.detach),
      autoBuild: Boolean(this.flags['auto-build']),
      autoDeploy: Boolean(this.flags['auto-deploy']),
      recreate: Boolean(this.flags.recreate),
      timeoutSeconds: this.flags.timeout,
    });
    return result;
  }

  // Skaffold's exit code becomes kp's (the dev loop ends when Skaffold does).
  protected override exitCodeFor(result: DevUpResult): number {
    return result.skaffold.exitCode;
  }

  protected render(result: DevUpResult): void {
    const lines = [
      `cluster  ${result.cluster.name} (${result.cluster.context} -> ${result.cluster.server})` +
        `${result.cluster.actions.length > 0 ? `: ${result.cluster.actions.join(', ')}` : ': unchanged'}`,
      `ingress  ingress-nginx ${result.ingress.version}: ${result.ingress.action === 'none' ? 'unchanged' : result.ingress.action}`,
      `skaffold ${result.skaffold.mode} exited ${result.skaffold.exitCode}`,
    ];
    this.ctx.out.result(lines.join('\n'));
  }
}
