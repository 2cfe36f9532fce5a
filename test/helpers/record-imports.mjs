// Preload (node --import) that records every module URL resolved, one per line, into
// $KP_IMPORT_LOG: lets tests prove the start-up path loads no heavy dependency.
import {register} from 'node:module';
import {appendFileSync} from 'node:fs';

const hooks = `
import {appendFileSync} from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(process.env.KP_IMPORT_LOG ?? '/dev/null')}, result.url + '\\n');
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
appendFileSync(process.env.KP_IMPORT_LOG ?? '/dev/null', '');
