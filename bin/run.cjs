#!/usr/bin/env node
// kp's entry point. CommonJS, because Node starts a CommonJS entry ~10 ms faster than an ES module
// one (no ES module loader to set up). `--version` and help are answered here from package.json and
// the oclif manifest without loading the CLI (start-up budget: 2x a bare `node -e 0`); every
// command runs through oclif, loaded from the one-file bundle dist/kp.cjs with V8's code cache.
'use strict';
const path = require('node:path');
const {pathToFileURL} = require('node:url');

const argv = process.argv.slice(2);
const rootDir = path.join(__dirname, '..');

function main() {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version')) {
    const pkg = JSON.parse(require('node:fs').readFileSync(path.join(rootDir, 'package.json'), 'utf8'));
    process.stdout.write(`kp/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`);
    return undefined;
  }
  const wantsHelp = argv.length <= 1 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help';
  if (wantsHelp && require('../dist/help.cjs').tryFastHelp(argv, pathToFileURL(`${rootDir}${path.sep}`))) return undefined;
  const {execute} = loadCli(path.join(rootDir, 'dist', 'kp.cjs'));
  return execute({dir: __filename});
}

/**
 * Where the V8 code cache of this bundle lives, or undefined when there is no safe place for it.
 * Named by a hash of the bundle's content (V8 itself only checks the source's LENGTH, so a name
 * from size and mtime would run stale code after an mtime-preserving copy) and Node's version.
 * The folder must be this user's own, not a symlink, and writable by nobody else: the cache holds
 * code kp runs, so a shared XDG_CACHE_HOME must not let another user plant it.
 */
function codeCacheFile(fs, source) {
  try {
    const os = require('node:os');
    const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    const dir = path.join(base, 'kp', 'code-cache');
    fs.mkdirSync(dir, {recursive: true, mode: 0o700});
    const stat = fs.lstatSync(dir);
    const ownUid = typeof process.getuid === 'function' ? process.getuid() : stat.uid;
    if (!stat.isDirectory() || stat.uid !== ownUid || (stat.mode & 0o022) !== 0) return undefined;
    // sha1 of the bytes (~1 ms for the bundle): a content fingerprint, not a security boundary (the
    // folder's ownership is).
    const digest = require('node:crypto').createHash('sha1').update(source).digest('hex');
    return {dir, file: path.join(dir, `kp-${digest}-${process.version}-${process.arch}.bin`)};
  } catch {
    return undefined; // no home, a read-only disk: run without the cache
  }
}

/**
 * Load the CLI bundle through vm.Script with V8's code cache, kept in
 * `$XDG_CACHE_HOME/kp/code-cache/`. Compiling the ~1 MB bundle is most of kp's start-up on Node 20,
 * which (unlike Node 22's module.enableCompileCache) caches compiled code only for vm.Script.
 * The module is registered in require's cache, so oclif's own require() of the bundle (command
 * discovery, hooks) gets this very instance. The cache is an optimisation only: any failure to read
 * or write it falls back to a plain compile, and KP_NO_CODE_CACHE=1 turns it off.
 */
function loadCli(file) {
  const fs = require('node:fs');
  const vm = require('node:vm');
  const Module = require('node:module');
  const bytes = fs.readFileSync(file);
  const source = bytes.toString('utf8');
  const cache = process.env.KP_NO_CODE_CACHE === '1' ? undefined : codeCacheFile(fs, bytes);
  let cachedData;
  if (cache) {
    try {
      // Only a plain file of this user's: the cache holds code kp runs.
      const stat = fs.lstatSync(cache.file);
      if (stat.isFile() && (typeof process.getuid !== 'function' || stat.uid === process.getuid())) cachedData = fs.readFileSync(cache.file);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData,
    // An import() inside the bundle (of a file outside it) resolves as it would in any module.
    importModuleDynamically: vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const cliModule = new Module(file, module);
  cliModule.filename = file;
  cliModule.paths = Module._nodeModulePaths(path.dirname(file));
  Module._cache[file] = cliModule;
  script.runInThisContext().call(cliModule.exports, cliModule.exports, Module.createRequire(file), cliModule, file, path.dirname(file));
  cliModule.loaded = true;
  if (cache && (cachedData === undefined || script.cachedDataRejected)) {
    // Written when kp exits, so the functions this run compiled lazily are in it too. Written to a
    // temporary name and renamed: a concurrent kp never reads half a file, and a symlink planted at
    // the cache's name is replaced, never written through.
    process.once('exit', () => {
      try {
        const temporary = `${cache.file}.${process.pid}.tmp`;
        fs.writeFileSync(temporary, script.createCachedData(), {flag: 'wx', mode: 0o600});
        fs.renameSync(temporary, cache.file);
        // Caches nobody used for a month (earlier builds, other Node versions) are dead weight.
        const monthAgo = Date.now() - 30 * 24 * 3600 * 1000;
        for (const name of fs.readdirSync(cache.dir)) {
          const stale = path.join(cache.dir, name);
          const stat = fs.lstatSync(stale);
          if (/^kp-.*\.bin$/.test(name) && stale !== cache.file && stat.isFile() && stat.mtimeMs < monthAgo) fs.rmSync(stale, {force: true});
        }
      } catch {
        // no cache this time; the next run compiles again
      }
    });
  }
  return cliModule.exports;
}

main();
