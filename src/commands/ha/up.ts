import * as Flags from '@oclif/core/flags';
import {KpCommand} from '../../cli/base-command.js';
import {clusterNameFlag, composeStackFlags, haLifecycleTargetFlag} from '../../cli/flags.js';
import {renderHaUp} from '../../cli/render/ha.js';
import {haUp, type HaLifecycleTarget, type HaUpResult} from '../../workflows/ha/up.js';

export default class HaUp extends KpCommand<typeof HaUp, HaUpResult> {
  static override summary = 'Start a dev Home Assistant (kind cluster or Docker) and sync the local component into it.';

  static override description = `Kubernetes (default when the dev cluster exists): applies kp's manifest with --context kind-<name>
(StatefulSet homeassistant, Service, Ingress http://homeassistant.localhost/, a seeded configuration.yaml).
Docker (default otherwise): the homeassistant profile of kp's compose stack on http://127.0.0.1:8123/.
Once HA answers, the component in the current directory (or --source) is synced. Running it again changes nothing.
HA_IMAGE overrides the pinned image.`;

  static override examples = [
    '<%= config.bin %> ha up',
    '<%= config.bin %> ha up --target docker',
    '<%= config.bin %> ha up --source custom_components/kamerplanter --json',
    '<%= config.bin %> ha up --no-sync --dry-run',
  ];

  static override flags = {
    ...haLifecycleTargetFlag,
    ...clusterNameFlag,
    'project-name': composeStackFlags['project-name'],
    source: Flags.string({char: 's', description: 'The custom_components/<domain> folder to sync once HA answers (default: auto-detected here).'}),
    onboard: Flags.boolean({
      allowNo: true,
      default: true,
      description: "Onboard HA as soon as it answers (an owner with a generated password, kept in kp's state dir; --no-onboard leaves it to the browser).",
    }),
    sync: Flags.boolean({allowNo: true, default: true, description: 'Sync the local component once HA answers (--no-sync: only start HA).'}),
    lint: Flags.boolean({allowNo: true, description: 'Lint gate of the first sync (see kp ha sync).'}),
    timeout: Flags.integer({description: 'Seconds to wait for HA (a first start pulls the image) and for the first sync.', default: 600, min: 1}),
    'lock-timeout': Flags.integer({description: 'Seconds to wait for another sync into the same HA.', default: 120, min: 0}),
  };

  protected execute(): Promise<HaUpResult> {
    const {flags} = this;
    return haUp(this.ctx, {
      target: flags.target as HaLifecycleTarget | undefined,
      clusterName: flags.name,
      projectName: flags['project-name'],
      cwd: process.cwd(),
      source: flags.source,
      timeoutSeconds: flags.timeout,
      sync: flags.sync,
      lintMode: flags.lint === undefined ? 'auto' : flags.lint ? 'required' : 'off',
      lockTimeoutMs: flags['lock-timeout'] * 1000,
      onboard: flags.onboard,
    });
  }

  protected override exitCodeFor(result: HaUpResult): number {
    return 'exitCode' in result.sync ? result.sync.exitCode : 0;
  }

  protected render(result: HaUpResult): void {
    this.ctx.out.result(renderHaUp(result, this.ctx.out.resultColor));
  }
}
