import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const archiveBeside = (root: string) => join(root, '..', 'shared', 'data', 'cifar10-jpeg.tar.gz');

/**
 * Where the archive is looked for: $CIFAR10_JPEG_ARCHIVE, else the shared data folder beside the repository (../shared
 * from its root, as on the CI machines), else beside the checkout this one was cloned from, when that is a folder on
 * this machine (a scratch clone of a developer's checkout).
 */
function archiveCandidates(): string[] {
  if (process.env.CIFAR10_JPEG_ARCHIVE !== undefined) return [resolve(process.env.CIFAR10_JPEG_ARCHIVE)];
  const candidates = [archiveBeside(repositoryRoot)];
  try {
    const origin = execFileSync('git', ['-C', repositoryRoot, 'config', '--get', 'remote.origin.url'], {
      encoding: 'utf8',
    }).trim();
    if (origin !== '' && existsSync(origin)) candidates.push(archiveBeside(resolve(origin)));
  } catch {
    // Not a git checkout, or no origin: the first place is the only one.
  }
  return candidates;
}

/**
 * Extracts the first `train` training and `test` test images of every class of the shared CIFAR-10 JPEG archive
 * (`cifar10-jpeg/{train,test}/<class>/NNNN.jpg`, found as {@link archiveCandidates} says; ../shared/data beside the
 * repository is the path examples/cifar10/prepare-data.mjs reads too) into `directory`, and returns the image-folder
 * root, `<directory>/cifar10-jpeg`. Only the named members are written, so a test pays for decompressing the
 * 19 MB archive once and keeps a few hundred small files. A missing archive throws: the tests that need it must
 * fail where the data is absent, not pass by skipping.
 */
export async function extractCifarSubset(
  directory: string,
  counts: { readonly train: number; readonly test: number },
): Promise<string> {
  const candidates = archiveCandidates();
  const archive = candidates.find((path) => existsSync(path));
  if (archive === undefined) {
    throw new Error(
      `CIFAR-10 JPEG archive not found at ${candidates.join(' or ')}: these tests need the shared data folder's cifar10-jpeg.tar.gz; set CIFAR10_JPEG_ARCHIVE to its path`,
    );
  }
  // One pattern per image number, with the class folder left to the wildcard, so the class names need not be listed.
  const members = (split: string, count: number) =>
    Array.from({ length: count }, (_, index) => `cifar10-jpeg/${split}/*/${String(index).padStart(4, '0')}.jpg`);
  await promisify(execFile)('tar', [
    'xzf',
    archive,
    '-C',
    directory,
    '--wildcards',
    ...members('train', counts.train),
    ...members('test', counts.test),
  ]);
  return join(directory, 'cifar10-jpeg');
}
