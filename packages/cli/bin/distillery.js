#!/usr/bin/env node
// The `distillery` command. This file is committed rather than built, so that npm links the command
// on the first `npm install` of a fresh clone (it skips a bin whose file does not exist yet) and its
// execute bit comes from git, not from a build cache that may not keep file modes.
try {
  await import('../dist/bin.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bin.js')) throw error;
  process.stderr.write('error: @distillery/cli is not built yet; run `npm run build` at the repository root\n');
  process.exitCode = 1;
}
