// The bundle's `debug` (oclif's internal logger, shown with DEBUG=...): evaluating the real module
// and its colour detection costs every kp start ~5 ms, for output nobody sees without DEBUG. So it
// is loaded only when DEBUG is set; otherwise every logger is a no-op.
'use strict';
let real;
function createDebug(namespace) {
  if (process.env.DEBUG) {
    real = real || require('../../node_modules/debug/src/index.js');
    return real(namespace);
  }
  const log = () => undefined;
  log.enabled = false;
  log.namespace = namespace;
  log.extend = (suffix, delimiter) => createDebug(`${namespace}${delimiter === undefined ? ':' : delimiter}${suffix}`);
  return log;
}
createDebug.enabled = () => Boolean(process.env.DEBUG);
module.exports = createDebug;
module.exports.default = createDebug;
