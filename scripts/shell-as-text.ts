/** Vite plugin: kp's shell scripts (src/workflows/ha/sh) imported as text, as the build bundles them. */
import type {Plugin} from 'vite';

/** Turns an imported `.sh` file into a module whose default export is its text. */
export const shellAsText: Plugin = {
  name: 'shell-as-text',
  transform: (code, id) => (id.endsWith('.sh') ? {code: `export default ${JSON.stringify(code)};`, map: null} : undefined),
};
