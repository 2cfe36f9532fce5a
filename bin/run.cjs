// kp's CLI, started by bin/kp.cjs (the program npm puts on PATH as `kp`), which starts Node with
// `--` so that Node takes none of kp's arguments for its own. CommonJS, because Node starts a
// CommonJS entry ~10 ms faster than an ES module one. `--version` and help are answered here from
// package.json and the oclif manifest without loading the CLI (start-up budget: 2x a bare
// `node -e 0`); every command runs through oclif, loaded from the one-file bundle dist/kp.cjs with
// V8's compiled code cached.
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
 * kp's code-cache folder, or undefined when there is no safe place for it. The folder must be this
 * user's own, not a symlink, and writable by nobody else: the cache holds code kp runs, so a shared
 * XDG_CACHE_HOME must not let another user plant it.
 */
function ownCacheDir(fs) {
  try {
    const os = require('node:os');
    const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    const dir = path.join(base, 'kp', 'code-cache');
    fs.mkdirSync(dir, {recursive: true, mode: 0o700});
    const stat = fs.lstatSync(dir);
    const ownUid = typeof process.getuid === 'function' ? process.getuid() : stat.uid;
    if (!stat.isDirectory() || stat.uid !== ownUid || (stat.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined; // no home, a read-only disk: run without the cache
  }
}

/**
 * Load the CLI bundle with its compiled code cached. Node 22.1 and later cache it themselves
 * (module.enableCompileCache: checked against the file's content and Node's version). Node's cache
 * holds what V8 compiled when the bundle loaded, not the functions compiled lazily later, so it
 * saves less than the vm.Script cache, written at exit, does (~30 of ~60 ms, docs/conventions.md);
 * Node 20, which has no compile cache, gets that one (loadWithCodeCache). The cache is an
 * optimisation only, and KP_NO_CODE_CACHE=1 turns both off.
 */
function loadCli(file) {
  const fs = require('node:fs');
  const Module = require('node:module');
  const dir = process.env.KP_NO_CODE_CACHE === '1' ? undefined : ownCacheDir(fs);
  if (typeof Module.enableCompileCache !== 'function') return loadWithCodeCache(file, fs, dir);
  if (dir) {
    try {
      Module.enableCompileCache(dir);
    } catch {
      // no cache this time: a plain compile
    }
  }
  return require(file);
}

/**
 * Node 20: load the bundle through vm.Script with V8's code cache, a file per bundle and Node version
 * in the cache folder, named by a hash of the bundle's content (V8 itself only checks the source's
 * LENGTH, so a name from size and mtime would run stale code after an mtime-preserving copy).
 * The module is registered in require's cache, so oclif's own require() of the bundle (command
 * discovery, hooks) gets this very instance. Any failure to read or write the cache falls back to a
 * plain compile.
 */
function loadWithCodeCache(file, fs, dir) {
  const vm = require('node:vm');
  const Module = require('node:module');
  const bytes = fs.readFileSync(file);
  const source = bytes.toString('utf8');
  // sha1 of the bytes (~1 ms for the bundle): a content fingerprint, not a security boundary (the
  // folder's ownership is).
  const digest = dir && require('node:crypto').createHash('sha1').update(bytes).digest('hex');
  const cache = dir && {dir, file: path.join(dir, `kp-${digest}-${process.version}-${process.arch}.bin`)};
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
