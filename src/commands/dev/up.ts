import * as Flags from '@oclif/core/flags';
import {KpCommand} from '../../cli/base-command.js';
import {clusterNameFlag, listFlag, workspaceFlag} from '../../cli/flags.js';
import {renderDevUp} from '../../cli/render/dev.js';
import {fail} from '../../core/errors.js';
import type {DevUpResult} from '../../workflows/dev/up.js';

export default class DevUp extends KpCommand<typeof DevUp, DevUpResult> {
  static override summary = 'Bring up the kind cluster and run the Skaffold dev loop.';
  static override description = `Idempotent: creates the kind cluster only when missing (without host ports Skaffold forwards to),
starts stopped node containers, repairs a half-created cluster (or recreates it with --recreate),
applies the pinned ingress controller only when missing or older, adds the Helm repositories the
charts need, then runs \`skaffold dev\` (or \`skaffold debug\` with --debug / -p debug) in the
foreground (Ctrl-C stops it; its exit code becomes kp's) or, with --detach, \`skaffold run\`.
Without -m it runs module kp (like scripts/skaffold-dev.sh). Everything after -- goes to Skaffold.
Every kubectl/Skaffold/Helm call names the kind-<name> context; your current context is never changed.`;

  static override examples = [
    '<%= config.bin %> dev up',
    '<%= config.bin %> dev up -m kp -p backend-only',
    '<%= config.bin %> dev up --debug',
    '<%= config.bin %> dev up --all-modules --detach --json',
    '<%= config.bin %> dev up -- --cleanup=false --tail',
    '<%= config.bin %> dev up --detach --bind-address 0.0.0.0',
  ];

  // Arguments after `--` belong to Skaffold.
  static override strict = false;

  static override flags = {
    profile: Flags.string({
      char: 'p',
      multiple: true,
      description: 'Skaffold profile(s) to activate (comma-separated or repeated); -p debug runs skaffold debug.',
    }),
    module: Flags.string({char: 'm', multiple: true, description: 'Skaffold module(s) to run (metadata.name in skaffold.yaml; default kp).'}),
    'all-modules': Flags.boolean({description: 'Run every module of skaffold.yaml.'}),
    debug: Flags.boolean({description: 'Run `skaffold debug` (the debug profile activates itself; debugpy 5678 is forwarded).'}),
    detach: Flags.boolean({description: 'Deploy once with `skaffold run` and return instead of the foreground dev loop.'}),
    'auto-build': Flags.boolean({description: 'Rebuild automatically on changes (default: only on Enter; sync stays on).'}),
    'auto-deploy': Flags.boolean({description: 'Redeploy automatically on manifest changes.'}),
    recreate: Flags.boolean({description: 'Delete and recreate the cluster (its PVC data is lost).'}),
    'keep-host-ports': Flags.boolean({description: "Create the cluster with the kind config's host ports even where Skaffold forwards to them."}),
    'bind-address': Flags.string({
      description:
        'Address for the host ports of a new cluster whose kind config names no listenAddress (default 127.0.0.1: reachable from this machine only; 0.0.0.0 opens them to the network).',
      env: 'KP_BIND_ADDRESS',
    }),
    ...clusterNameFlag,
    ...workspaceFlag,
    timeout: Flags.integer({description: 'Seconds to wait for the cluster API and the ingress controller.', default: 300, min: 1}),
  };

  protected async execute(): Promise<DevUpResult> {
    const separator = this.argv.indexOf('--');
    const skaffoldArgs = separator >= 0 ? this.argv.slice(separator + 1) : [];
    const stray = this.positionals.slice(0, this.positionals.length - skaffoldArgs.length);
    if (stray.length > 0) {
      throw fail.usage(`Unexpected argument ${JSON.stringify(stray[0])}.`, 'Arguments for Skaffold go after --, e.g. kp dev up -- --cleanup=false --tail');
    }
    const {devUp} = await import('../../workflows/dev/up.js');
    return devUp(this.ctx, {
      workspace: this.flags.workspace,
      name: this.flags.name,
      profiles: listFlag(this.flags.profile),
      modules: listFlag(this.flags.module),
      allModules: Boolean(this.flags['all-modules']),
      debug: Boolean(this.flags.debug),
      skaffoldArgs,
      detach: Boolean(this.flags.detach),
      autoBuild: Boolean(this.flags['auto-build']),
      autoDeploy: Boolean(this.flags['auto-deploy']),
      recreate: Boolean(this.flags.recreate),
      keepHostPorts: Boolean(this.flags['keep-host-ports']),
      bindAddress: this.flags['bind-address'],
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
