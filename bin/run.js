#!/usr/bin/env node
// kp's entry point. `--version` is answered here without loading oclif, so the most common
// probe costs no more than starting node; everything else goes through oclif.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version')) {
  const {readFileSync} = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`kp/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else {
  const {execute} = await import('@oclif/core');
  await execute({dir: import.meta.url});
}
