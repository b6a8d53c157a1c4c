// Extracts the CIFAR-10 JPEG copy (image-folder layout) into ./data, once. The archive comes from the
// shared data folder these machines have (../../../shared/data), or from the path in CIFAR10_JPEG_ARCHIVE.
// Extraction goes to a temporary folder first and is renamed into place, so an interrupted run leaves no
// half-extracted data behind. ./data is ignored by git: the images are never committed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, 'data', 'cifar10-jpeg');
const archive = resolve(process.env.CIFAR10_JPEG_ARCHIVE ?? join(here, '../../../shared/data/cifar10-jpeg.tar.gz'));

if (existsSync(target)) process.exit(0);
if (!existsSync(archive)) {
  console.error(
    `prepare-data: ${archive} not found: set CIFAR10_JPEG_ARCHIVE to cifar10-jpeg.tar.gz, or use data.source cifar10`,
  );
  process.exit(2);
}
await mkdir(join(here, 'data'), { recursive: true });
const scratch = await mkdtemp(join(here, 'data', '.extracting-'));
try {
  execFileSync('tar', ['xzf', archive, '-C', scratch]);
  await rename(join(scratch, 'cifar10-jpeg'), target);
  console.log(`prepare-data: extracted ${archive} into ${target}`);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
