// CI check: the browser-safe packages (core, data, config, zoo, the strategy plugins, teacher-graph-model) bundle for
// the browser with no Node built-in and no unresolved import (esbuild, platform browser), and distillation trains in
// Debian's headless Chromium on cpu, webgl (SwiftShader) and, when the adapter comes up, webgpu: losses finite and
// falling, accuracy above a floor, tf.memory().numTensors back where it was after each fit, no console error. It
// runs once more on a page served over plain http from a host other than localhost (no Web Crypto there). Prints
// the sizes of the bundle and of core + plugin-response, minified and gzipped.
// Usage: node scripts/check-browser.mjs
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const root = join(import.meta.dirname, '..');
const directory = mkdtempSync(join(tmpdir(), 'distillery-browser-'));
const failures = new Set();
const fail = (line) => failures.add(line);

// esbuild lets a browser bundle import `node:fs` and friends without a word (they stay external, and the page then
// fails to load): every import of a Node built-in is caught here and named with the file that makes it. Third-party
// CommonJS code may keep a guarded `require('crypto')` that never runs in a browser (seedrandom, tfjs-core's Node
// platform); only Distillery's own files and static imports anywhere are refused.
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(builder) {
    builder.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (!builtins.has(args.path)) return undefined;
      const ours = !args.importer.includes('/node_modules/');
      if (ours || args.kind === 'import-statement') {
        fail(`browser bundle: ${args.importer.replace(`${root}/`, '')} imports the Node built-in '${args.path}'`);
      }
      return { path: args.path, external: true };
    });
  },
};

async function bundle(entry, outfile) {
  try {
    const result = await build({
      ...entry,
      plugins: [noNodeBuiltins],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      minify: true,
      outfile,
      logLevel: 'silent',
      metafile: true,
      absWorkingDir: root,
    });
    const bytes = readFileSync(outfile);
    return { bytes: bytes.length, gzipped: gzipSync(bytes).length, metafile: result.metafile };
  } catch (error) {
    for (const message of error.errors ?? [error]) {
      const where =
        message.location === undefined || message.location === null ? '' : `${message.location.file}:${message.location.line}: `;
      fail(`browser bundle: ${where}${message.text ?? message.message}`);
    }
    return undefined;
  }
}

const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const program = await bundle({ entryPoints: [join(root, 'scripts/browser-check/program.mjs')] }, join(directory, 'program.js'));
const corePlusPlugin = await bundle(
  {
    stdin: {
      contents:
        "export { createDistiller } from '@distillery/core'; export { responsePlugin } from '@distillery/plugin-response';",
      resolveDir: root,
      loader: 'js',
    },
    external: ['@tensorflow/*'],
  },
  join(directory, 'core-plus-plugin.js'),
);

if (program !== undefined) {
  const zod = Object.entries(program.metafile.outputs)[0][1].inputs;
  const zodBytes = Object.entries(zod)
    .filter(([path]) => path.includes('node_modules/zod/'))
    .reduce((total, [, input]) => total + input.bytesInOutput, 0);
  console.log(
    `bundle of every browser-safe package with tfjs (cpu, webgl, webgpu): ${kib(program.bytes)} minified, ${kib(program.gzipped)} gzipped; zod ${kib(zodBytes)} of it`,
  );
}
if (corePlusPlugin !== undefined) {
  console.log(
    `core + plugin-response, tfjs excluded: ${kib(corePlusPlugin.bytes)} minified, ${kib(corePlusPlugin.gzipped)} gzipped`,
  );
}

if (program !== undefined && failures.size === 0) {
  const page =
    '<!doctype html><meta charset="utf-8"><title>Distillery in the browser</title><script type="module" src="/program.js"></script>';
  const server = createServer((request, response) => {
    if (request.url === '/program.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(readFileSync(join(directory, 'program.js')));
    } else {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(page);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--enable-unsafe-swiftshader',
      '--enable-unsafe-webgpu',
      '--use-vulkan=swiftshader',
      '--use-webgpu-adapter=swiftshader',
      // A host other than localhost, served over plain http: not a secure context.
      '--host-resolver-rules=MAP distillery.test 127.0.0.1',
    ],
  });
  try {
    const visits = [
      { url: `http://127.0.0.1:${port}/`, backends: ['cpu', 'webgl', 'webgpu'] },
      { url: `http://distillery.test:${port}/`, backends: ['cpu'] },
    ];
    console.log('page                      backend  key          loss first → last   val. acc.  s/fit  tensors before → after');
    for (const visit of visits) {
      const tab = await browser.newPage();
      tab.on('console', (message) => {
        if (message.type() === 'error') fail(`${visit.url}: console error: ${message.text()}`);
      });
      tab.on('pageerror', (error) => fail(`${visit.url}: page error: ${error.message}`));
      await tab.goto(visit.url);
      const loaded = await tab
        .waitForFunction(() => typeof globalThis.distil === 'function', undefined, { timeout: 60_000 })
        .then(() => true)
        .catch(() => false);
      if (!loaded) fail(`${visit.url}: the program did not load within 60 s`);
      for (const backend of loaded ? visit.backends : []) {
        const outcome = await tab
          .evaluate((name) => globalThis.distil(name), backend)
          .catch((error) => {
            fail(`${visit.url} ${backend}: ${error.message.split('\n')[0]}`);
            return undefined;
          });
        if (outcome === undefined) continue;
        if (outcome.unavailable) {
          if (backend === 'webgpu') console.log(`${visit.url.padEnd(25)} webgpu   (no adapter in this Chromium; not checked)`);
          else fail(`${visit.url}: backend ${backend} is not available`);
          continue;
        }
        if (visit.url.includes('distillery.test') && (outcome.secureContext || outcome.webCrypto)) {
          fail(`${visit.url}: expected an insecure context without Web Crypto, got secureContext ${outcome.secureContext}`);
        }
        for (const [key, run] of Object.entries(outcome.runs)) {
          const [first, last] = [run.losses[0], run.losses.at(-1)];
          console.log(
            `${visit.url.replace(/\/$/, '').padEnd(25)} ${backend.padEnd(8)} ${key.padEnd(12)} ${first.toFixed(3)} → ${last.toFixed(3)}      ${(100 * run.accuracy).toFixed(1).padStart(5)} %  ${run.seconds.toFixed(1).padStart(5)}  ${run.tensorsBefore} → ${run.tensorsAfter}`,
          );
          if (!run.losses.every(Number.isFinite)) fail(`${visit.url} ${backend} ${key}: a loss is not finite: ${run.losses}`);
          if (!(last < first)) fail(`${visit.url} ${backend} ${key}: the loss did not fall (${first} → ${last})`);
          if (run.accuracy < 0.8) fail(`${visit.url} ${backend} ${key}: validation accuracy ${run.accuracy} is below 0.8`);
          if (run.tensorsAfter !== run.tensorsBefore) {
            fail(`${visit.url} ${backend} ${key}: ${run.tensorsAfter - run.tensorsBefore} tensors leaked by one fit`);
          }
        }
        if (outcome.tensorsEnded !== outcome.tensorsStarted) {
          fail(
            `${visit.url} ${backend}: ${outcome.tensorsEnded - outcome.tensorsStarted} tensors left after the teachers were freed`,
          );
        }
      }
      await tab.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
}
rmSync(directory, { recursive: true, force: true });
if (failures.size > 0) {
  for (const line of failures) console.error(`error: ${line}`);
  process.exit(1);
}
console.log('the browser path works: bundled without Node built-ins, trained on every backend above without a leak');
