#!/usr/bin/env node
// kp's entry point. `--version` and help are answered here from package.json and the oclif
// manifest without loading oclif (start-up budget: 2x a bare `node -e 0`); every command
// runs through oclif.
const argv = process.argv.slice(2);
const root = new URL('../', import.meta.url);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version')) {
  const {readFileSync} = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  process.stdout.write(`kp/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else {
  const wantsHelp = argv.length <= 1 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help';
  const {tryFastHelp} = wantsHelp ? await import('../dist/cli/help.js') : {tryFastHelp: () => false};
  if (!tryFastHelp(argv, root)) {
    const {execute} = await import('@oclif/core');
    await execute({dir: import.meta.url});
  }
}
