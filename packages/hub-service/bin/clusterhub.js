#!/usr/bin/env node
// The `clusterhub` command (package.json "bin"): `npx clusterhub …` from the checkout after
// `npm ci`. A committed file, so npm links it at install time, before the TypeScript build exists.
'use strict';
let cli;
try {
  cli = require('../lib/cli/main.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('lib/cli/main.js')) {
    process.stderr.write('clusterhub is not built yet: run `bash scripts/install.sh` (or `npm start`) in the checkout first.\n');
    process.exit(1);
  }
  throw err;
}
cli.run(process.argv.slice(2));
