/**
 * Shell completion through oclif's autocomplete plugin, imported only when `kp autocomplete` runs:
 * the plugin is not registered in package.json's `oclif.plugins`, so no other command pays for it.
 * Its command modules are imported by path because the plugin's package exports map names only its
 * (empty) index; the bundler inlines them into dist/kp.cjs, evaluated on first use.
 */
import type {Config} from '@oclif/core';

/** The shells oclif's plugin writes completion for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'powershell'] as const;

/** What `kp autocomplete` did, for --json. */
export interface AutocompleteResult {
  shell: string;
  /** Where the plugin keeps the completion cache it just rebuilt. */
  cacheDir: string;
}

/** Rebuild the completion cache and print the setup instructions for `shell` (the plugin's own output). */
export async function runAutocomplete(argv: string[], config: Config): Promise<void> {
  const {default: Index} = await import('../../node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/index.js');
  await Index.run(argv, config);
}

/** Print the line a shell's rc file sources to load the completion. */
export async function runAutocompleteScript(argv: string[], config: Config): Promise<void> {
  const {default: Script} = await import('../../node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/script.js');
  await Script.run(argv, config);
}
