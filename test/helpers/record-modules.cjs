// Preload (node --require) that writes, when the process exits, every CommonJS module file it loaded
// (require's cache, where bin/run.cjs also registers the CLI bundle it compiles itself), one per
// line, into $KP_MODULE_LOG: lets tests prove the start-up path loads no heavy dependency.
'use strict';
const {writeFileSync} = require('node:fs');
process.once('exit', () => {
  writeFileSync(process.env.KP_MODULE_LOG || '/dev/null', `${Object.keys(require.cache).join('\n')}\n`);
});
