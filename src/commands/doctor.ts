import {KpCommand} from '../base-command.js';

export default class Doctor extends KpCommand<typeof Doctor, {ok: boolean}> {
  static override description = 'Check this machine for what kp needs.';
  protected async execute() { return {ok: true}; }
  protected render(r: {ok: boolean}) { this.ctx.out.result(String(r.ok)); }
}
