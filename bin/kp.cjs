#!/bin/sh
':' //; exec node -- "$0" "$@"
// kp's program: one file that is both a POSIX sh script and CommonJS. Run as a program, sh runs
// line 2, which starts Node with `--` before this file: Node reads `--env-file` anywhere in its argv
// (and exits 9 when the file is missing) but stops at `--` (src/node_dotenv.cc
// Dotenv::GetDataFromArgs), so kp's own `--env-file` reaches kp. Not `#!/usr/bin/env -S node --`:
// BusyBox env has no -S, and without -S Linux passes "node --" to env as one word. Node skips the
// `#!` line and reads line 2 as a string and a comment. Prettier would add a `;` after the string,
// which sh runs as the command `//`, so this file is in .prettierignore: keep it this short.
'use strict';
require('./run.cjs');
