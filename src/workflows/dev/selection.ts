/**
 * `-m` and `-p` checked against skaffold.yaml before anything starts (Skaffold itself would only
 * fail after the cluster work is done).
 */
import {moduleNames, profileNames, selectedModules, type SkaffoldConfig} from '../../config/skaffold-config.js';
import {unknownNameError} from '../shared/suggest.js';

/** Throw a usage error naming the valid choices and the closest one for an unknown module or profile. */
export function validateSelection(config: SkaffoldConfig, selection: {modules: readonly string[]; profiles: readonly string[]}): void {
  const modules = moduleNames(config);
  for (const wanted of selection.modules) {
    if (!modules.includes(wanted)) {
      throw unknownNameError('module', wanted, modules, config.file, 'Modules are the configs named by metadata.name in skaffold.yaml.');
    }
  }
  const profiles = profileNames(selectedModules(config, selection.modules));
  const scope = selection.modules.length > 0 ? ` (module${selection.modules.length > 1 ? 's' : ''} ${selection.modules.join(', ')})` : '';
  for (const wanted of selection.profiles) {
    if (!profiles.includes(wanted)) {
      throw unknownNameError('profile', wanted, profiles, `${config.file}${scope}`, 'Profiles are listed under profiles: in skaffold.yaml.');
    }
  }
}
