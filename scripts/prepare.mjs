#!/usr/bin/env node
/**
 * npm's `prepare` script: build kp (scripts/build.mjs) wherever npm prepares it — `npm ci` in a
 * checkout, and `npm install -g <git URL>`.
 *
 * The second case needs a workaround: npm prepares a git dependency of a GLOBAL install without
 * installing its devDependencies in the clone (npm/cli#8440, open: the inner `npm install` inherits
 * the global flag and installs into the global prefix instead). So when the build tools are missing
 * here, install them into this folder first — locally, without scripts, without touching a lockfile.
 */
import {execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildTools = ['esbuild', 'typescript', 'oclif'];
const missing = buildTools.filter((name) => !existsSync(path.join(root, 'node_modules', name, 'package.json')));

if (missing.length > 0) {
  process.stderr.write(`kp prepare: ${missing.join(', ')} missing (npm prepares git installs without devDependencies, npm/cli#8440): installing the build tools here\n`);
  // npm sets these for a global install (and --allow-scripts, refused in a project install); the
  // inner install must be a local one into this folder.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_(global|location|prefix|allow[-_]scripts)$/i.test(key)));
  const npmCli = process.env.npm_execpath;
  const [command, prefixArgs] = npmCli && npmCli.endsWith('.js') ? [process.execPath, [npmCli]] : ['npm', []];
  execFileSync(
    command,
    [...prefixArgs, 'install', '--include=dev', '--ignore-scripts', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--global=false', '--prefix', root],
    {cwd: root, env, stdio: ['ignore', 'inherit', 'inherit']},
  );
}

execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {cwd: root, stdio: 'inherit'});
