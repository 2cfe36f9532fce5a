import * as Flags from '@oclif/core/flags';
import {KpCommand} from '../../cli/base-command.js';
import {composeStackFlags, projectLockFlag, stackOptions} from '../../cli/flags.js';
import {renderComposeStart} from '../../cli/render/compose.js';
import {composeStart, type ComposeStartResult} from '../../workflows/compose/start.js';

export default class ComposeStart extends KpCommand<typeof ComposeStart, ComposeStartResult> {
  static override summary = 'Start the whole Kamerplanter app on localhost (Docker Compose, light mode).';
  static override description = `Creates the env file with generated secrets on first use, checks the engine, Compose and the
host ports, runs "up -d" only when something has to change, waits until every service is healthy
and the backend and frontend answer, then prints the URLs. Running it again on a healthy stack
changes nothing.`;
  static override examples = [
    '<%= config.bin %> compose start',
    '<%= config.bin %> compose start --profile timescaledb --timeout 600',
    '<%= config.bin %> compose start --project-name second --json',
    '<%= config.bin %> compose start --bind-address 0.0.0.0',
  ];
  static override flags = {
    ...composeStackFlags,
    ...projectLockFlag,
    profile: Flags.string({char: 'p', description: 'Enable a Compose profile (repeatable).', multiple: true, helpValue: 'PROFILE'}),
    timeout: Flags.integer({description: 'Seconds to wait for the stack to become healthy.', default: 300, min: 1}),
    wait: Flags.boolean({description: 'Wait for health and the HTTP endpoints (--no-wait returns after up).', default: true, allowNo: true}),
    'bind-address': Flags.string({
      description:
        "Address the stack's ports are published on (HOST_BIND_ADDRESS; default 127.0.0.1: this machine only). 0.0.0.0 opens them to the network, with a warning naming them.",
      env: 'KP_BIND_ADDRESS',
    }),
  };

  protected execute(): Promise<ComposeStartResult> {
    return composeStart(this.ctx, {
      ...stackOptions(this.flags),
      profiles: this.flags.profile ?? [],
      timeoutSeconds: this.flags.timeout,
      wait: this.flags.wait,
      bindAddress: this.flags['bind-address'],
    });
  }

  protected render(result: ComposeStartResult): void {
    this.ctx.out.result(renderComposeStart(result, this.ctx.out.resultColor));
  }
}
