// The bundle's `tinyglobby`: oclif needs it only for "pattern" command discovery, and kp's bundle
// uses "explicit" discovery (src/main.ts COMMANDS). Evaluating it (and fdir) cost every start ~4 ms.
'use strict';
function unused() {
  throw new Error('kp finds its commands through COMMANDS in its bundle, never by globbing files');
}
module.exports = {glob: async () => unused(), globSync: unused};
