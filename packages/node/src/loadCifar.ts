import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DistilleryError } from '@distillery/core';
import { cifarFromBinary, type ExampleStore } from '@distillery/data';
import { dataDirectory } from './dataDirectory.js';
import { downloadFile } from './downloadFile.js';
import { readTarMembers } from './readTarMembers.js';

export interface LoadCifarOptions {
  readonly variant: 'cifar10' | 'cifar100';
  readonly split: 'train' | 'test';
  /** The folder holding (or to receive) the archive; default DISTILLERY_DATA, else ~/.cache/distillery (see dataDirectory). */
  readonly dir?: string;
  /** CIFAR-100 only: the 100 fine classes (the default) or the 20 coarse superclasses. */
  readonly labels?: 'fine' | 'coarse';
  /** Called while the archive downloads, when it is not in the folder yet. */
  readonly onProgress?: (received: number, total: number | undefined) => void;
  /** Where to download from; the official address when left out (tests point it at a local server). */
  readonly url?: string;
  /** The SHA-256 the archive must have; the official archive's when left out (tests use archives of their own). */
  readonly sha256?: string;
}

interface Archive {
  readonly title: string;
  readonly file: string;
  readonly url: string;
  /** SHA-256 of the archive published at `url` (the page lists MD5s; these agree with torchvision-style loaders' pins). */
  readonly sha256: string;
  readonly folder: string;
  readonly batches: Readonly<Record<'train' | 'test', readonly string[]>>;
}

const archives: Readonly<Record<'cifar10' | 'cifar100', Archive>> = {
  cifar10: {
    title: 'CIFAR-10',
    file: 'cifar-10-binary.tar.gz',
    url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
    sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
    folder: 'cifar-10-batches-bin',
    batches: {
      train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
      test: ['test_batch.bin'],
    },
  },
  cifar100: {
    title: 'CIFAR-100',
    file: 'cifar-100-binary.tar.gz',
    url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
    sha256: '58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec',
    folder: 'cifar-100-binary',
    batches: { train: ['train.bin'], test: ['test.bin'] },
  },
};

/**
 * CIFAR-10 or CIFAR-100 (Krizhevsky 2009) as an {@link ExampleStore} of bytes, examples [32, 32, 3]
 * in NHWC order with the archive's class names, un-normalised (normalise with the training split's
 * `channelStatistics`). Reads the members it needs straight from the official binary archive,
 * cifar-10-binary.tar.gz or cifar-100-binary.tar.gz, in the data folder (see {@link dataDirectory}),
 * after checking its SHA-256; when the archive is not there it downloads it from the official address
 * (atomically: a temporary file, checked, then renamed), reporting progress. Ids: `cifar10-train`,
 * `cifar100-fine-test`, `cifar100-coarse-train`, …. Every failure is one DistilleryError line naming
 * the file and what was wrong; a failed download says which file to put where.
 */
export async function loadCifar(options: LoadCifarOptions): Promise<ExampleStore> {
  const archive = archives[options.variant];
  if (archive === undefined) {
    throw new DistilleryError(`loadCifar: variant must be 'cifar10' or 'cifar100', got '${String(options.variant)}'`, 'variant');
  }
  const batchNames = archive.batches[options.split];
  if (batchNames === undefined) {
    throw new DistilleryError(`loadCifar: split must be 'train' or 'test', got '${String(options.split)}'`, 'split');
  }
  const labels = options.labels ?? 'fine';
  if (options.variant === 'cifar10' && options.labels !== undefined) {
    throw new DistilleryError("loadCifar: labels ('fine' or 'coarse') apply to CIFAR-100 only", 'labels');
  }
  const path = join(dataDirectory(options.dir), archive.file);
  const sha256 = (options.sha256 ?? archive.sha256).toLowerCase();
  if (!(await isFile(path))) await download(archive, path, sha256, options);
  await checkSha256(path, sha256, archive);

  const namesFile = options.variant === 'cifar10' ? 'batches.meta.txt' : `${labels}_label_names.txt`;
  const memberPaths = [...batchNames, namesFile].map((name) => `${archive.folder}/${name}`);
  let members: Map<string, Uint8Array>;
  try {
    members = await readTarMembers(path, memberPaths);
  } catch (error) {
    throw new DistilleryError(`${path}: cannot be read as a .tar.gz archive (${firstLine(error)}); ${advice(path, archive)}`);
  }
  const member = (name: string): Uint8Array => {
    const bytes = members.get(`${archive.folder}/${name}`);
    if (bytes === undefined) {
      throw new DistilleryError(
        `${path}: has no member ${archive.folder}/${name}, so it is not the ${archive.title} binary archive`,
      );
    }
    return bytes;
  };
  const namesBytes = member(namesFile);
  return cifarFromBinary({
    id: options.variant === 'cifar10' ? `cifar10-${options.split}` : `cifar100-${labels}-${options.split}`,
    variant: options.variant,
    label: labels,
    batches: batchNames.map((name) => ({ name: `${path}: ${archive.folder}/${name}`, bytes: member(name) })),
    classNames: { name: `${path}: ${archive.folder}/${namesFile}`, text: new TextDecoder().decode(namesBytes) },
  });
}

async function download(archive: Archive, path: string, sha256: string, options: LoadCifarOptions): Promise<void> {
  const url = options.url ?? archive.url;
  try {
    await downloadFile({ url, path, sha256, ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }) });
  } catch (error) {
    throw new DistilleryError(
      `${archive.title} is not in ${path} and downloading ${url} failed (${firstLine(error)}): download ${archive.file} yourself and put it at ${path}`,
    );
  }
}

async function checkSha256(path: string, expected: string, archive: Archive): Promise<void> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    throw new DistilleryError(`${path} cannot be read (${firstLine(error)})`);
  }
  const actual = hash.digest('hex');
  if (actual !== expected) {
    throw new DistilleryError(
      `${path}: SHA-256 is ${actual}, not ${expected} (the official ${archive.file}); ${advice(path, archive)}`,
    );
  }
}

function advice(path: string, archive: Archive): string {
  return `the file is damaged or not the official archive: delete ${path} to download it again from ${archive.url}`;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new DistilleryError(`${path} cannot be read (${firstLine(error)})`);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] as string;
}
