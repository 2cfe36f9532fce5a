import {KpCommand} from '../../cli/base-command.js';
import {haTargetFlags, haTargetOptions} from '../../cli/flags.js';
import {haCredentials, type HaCredentialsResult} from '../../workflows/ha/credentials.js';

const {source: _source, 'config-dir': _configDir, ...targetFlags} = haTargetFlags;

export default class HaCredentials extends KpCommand<typeof HaCredentials, HaCredentialsResult> {
  static override summary = 'Print the login kp created when it onboarded the dev Home Assistant (for the browser).';

  static override description = `kp ha up onboards a fresh HA itself (owner kp-dev, a generated password) so nobody else on the
network can. The login lives in kp's state dir (mode 0600), never in the checkout; this prints it.`;

  static override examples = ['<%= config.bin %> ha credentials', '<%= config.bin %> ha credentials --target docker --json'];

  static override flags = targetFlags;

  protected execute(): Promise<HaCredentialsResult> {
    return haCredentials(this.ctx, {target: haTargetOptions(this.flags)});
  }

  protected render(result: HaCredentialsResult): void {
    this.ctx.out.result(
      [
        `url       ${result.url}`,
        `username  ${result.username}`,
        `password  ${result.password}`,
        ...(result.state === 'onboarded'
          ? []
          : [
              `state     ${result.state} (onboarding not finished${result.state === 'creating-owner' ? '; kp may not have created this owner: the password may open nothing' : ''}: \`kp ha up\` completes it)`,
            ]),
      ].join('\n'),
    );
  }
}
