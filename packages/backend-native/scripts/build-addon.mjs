// Install step: builds the C++ addon with node-gyp (npm's own, which npm names in npm_config_node_gyp).
// A failed build must not fail the install: the package then registers no backend, and Distillery's
// `auto` falls back to the next one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const candidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
];
try {
  candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
} catch {
  // not installed as a package; npm's bundled copy is tried above
}
const nodeGyp = candidates.find((path) => path !== undefined && existsSync(path));
// node-gyp downloads Node's headers unless told where they are: use the ones installed beside this node
// (e.g. /usr/include/node from a distribution package) when they are there, since the download needs a
// network that a machine may not have. The addon uses only Node-API, whose ABI does not depend on them.
const prefix = join(dirname(process.execPath), '..');
const gypArgs = ['rebuild'];
if (process.env.npm_config_nodedir === undefined && existsSync(join(prefix, 'include/node/node_api.h'))) {
  gypArgs.push(`--nodedir=${prefix}`);
}
const result =
  nodeGyp === undefined
    ? { status: 1, error: new Error('node-gyp not found') }
    : spawnSync(process.execPath, [nodeGyp, ...gypArgs], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.warn(
    `@distillery/backend-native: the native addon was not built (${result.error?.message ?? `node-gyp exited with ${result.status}`}); the 'native' backend will not be available.`,
  );
}
