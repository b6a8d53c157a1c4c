// Loading the CIFAR-10 JPEG copy (60,000 files, image-folder layout) with loadImageFolder: first with a cold
// image cache (every file decoded by sharp), then warm (one cache file read). Prints each time, images/s,
// the CPU time the process spent (all threads: a fairer figure than wall time on a shared machine) and its
// memory after loading. Prints figures; it is not a test.
//
//   npm run build && node bench/image-folder.mjs [--archive /work/shared/data/cifar10-jpeg.tar.gz] [--data <dir>]
//
// The archive is extracted once into <data>/cifar10-jpeg (default: the data folder, $DISTILLERY_DATA or
// ~/.cache/distillery), never into the repository. Each phase runs in a child process of its own, so its
// memory figures are its own; the cold phase gets an empty cache folder (a fresh temporary one), which the
// warm phase then reads. The copy is re-encoded JPEG (quality 75), not the official CIFAR-10 files.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dataDirectory, loadImageFolder } from '@distillery/node';

const { values: options } = parseArgs({
  options: {
    archive: { type: 'string', default: '/work/shared/data/cifar10-jpeg.tar.gz' },
    data: { type: 'string' },
    phase: { type: 'string' },
    root: { type: 'string' },
    'cache-dir': { type: 'string' },
  },
});

const megabytes = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

if (options.phase !== undefined) {
  // A child: load once and report as one JSON line.
  const started = performance.now();
  const data = await loadImageFolder({ root: options.root, size: [32, 32], cacheDir: options['cache-dir'] });
  const seconds = (performance.now() - started) / 1000;
  const { rss, arrayBuffers } = process.memoryUsage();
  const { user, system } = process.cpuUsage();
  const images = data.train.size + data.test.size;
  const { mean, std } = data.train.normalization;
  console.log(
    JSON.stringify({
      seconds,
      cpuSeconds: (user + system) / 1e6,
      images,
      fromCache: data.fromCache,
      skipped: data.skipped.length,
      rss,
      arrayBuffers,
      mean,
      std,
    }),
  );
  process.exit(0);
}

const dataFolder = dataDirectory(options.data);
const root = join(dataFolder, 'cifar10-jpeg');
if (!existsSync(join(root, 'train')) || !existsSync(join(root, 'test'))) {
  // Extract beside the target, then rename: an interrupted extraction never looks complete.
  await mkdir(dataFolder, { recursive: true });
  const partial = await mkdtemp(join(dataFolder, '.cifar10-jpeg-'));
  const started = performance.now();
  execFileSync('tar', ['xzf', options.archive, '-C', partial]);
  await rm(root, { recursive: true, force: true });
  await rename(join(partial, 'cifar10-jpeg'), root);
  await rm(partial, { recursive: true, force: true });
  console.log(`extracted ${options.archive} into ${root} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const cacheDir = await mkdtemp(join(tmpdir(), 'distillery-image-cache-bench-'));
try {
  console.log(`loadImageFolder ${root}, size [32, 32], cache ${cacheDir}; ${availableParallelism()} cores`);
  for (const phase of ['cold', 'warm']) {
    const child = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), '--phase', phase, '--root', root, '--cache-dir', cacheDir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    if (child.status !== 0) throw new Error(`the ${phase} phase failed (exit ${child.status})`);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1));
    console.log(
      `${phase.padEnd(4)} (${result.fromCache ? 'read from cache' : 'decoded'}): ${result.seconds.toFixed(2)} s ` +
        `(CPU ${result.cpuSeconds.toFixed(1)} s in all threads), ` +
        `${Math.round(result.images / result.seconds)} images/s, ${result.images} images (${result.skipped} skipped); ` +
        `rss ${megabytes(result.rss)}, arrayBuffers ${megabytes(result.arrayBuffers)}`,
    );
    if (phase === 'warm') {
      const format = (values) => values.map((value) => value.toFixed(2)).join(', ');
      console.log(`training-set mean [${format(result.mean)}], std [${format(result.std)}] (0–255)`);
    }
  }
} finally {
  await rm(cacheDir, { recursive: true, force: true });
}
