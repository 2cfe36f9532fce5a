/** Flags shared by several commands (kept outside src/commands, where oclif would take them for a command). */
import {Flags} from '@oclif/core';

/** `--file` and `--env-file`: which compose file and env file to use. */
export const stackFlags = {
  file: Flags.string({
    description: 'Compose file to use instead of the one kp ships.',
    helpValue: 'FILE',
  }),
  'env-file': Flags.string({
    description: 'Env file to use instead of $XDG_CONFIG_HOME/kp/compose.env.',
    helpValue: 'FILE',
  }),
};
