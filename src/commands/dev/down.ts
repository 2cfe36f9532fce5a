import * as Flags from '@oclif/core/flags';
import {KpCommand} from '../../cli/base-command.js';
import {clusterNameFlag} from '../../cli/flags.js';
import {renderDevDown} from '../../cli/render/dev.js';
import type {DevDownResult} from '../../workflows/dev/down.js';

export default class DevDown extends KpCommand<typeof DevDown, DevDownResult> {
  static override summary = 'Delete the kind dev cluster (its PVC data is lost).';
  static override description = `Asks for confirmation; without a terminal it refuses unless --yes is given. With --clean it also
removes docker volumes and networks labelled io.x-k8s.kind.cluster=<name>. Running it when nothing
exists is fine.`;

  static override examples = ['<%= config.bin %> dev down', '<%= config.bin %> dev down --yes --clean'];

  static override flags = {
    yes: Flags.boolean({char: 'y', description: 'Do not ask for confirmation.'}),
    clean: Flags.boolean({description: 'Also remove docker resources labelled for the cluster.'}),
    ...clusterNameFlag,
  };

  protected async execute(): Promise<DevDownResult> {
    const {devDown} = await import('../../workflows/dev/down.js');
    return devDown(this.ctx, {name: this.flags.name, clean: Boolean(this.flags.clean), yes: Boolean(this.flags.yes)});
  }

  protected render(result: DevDownResult): void {
    this.ctx.out.result(renderDevDown(result));
  }
}
