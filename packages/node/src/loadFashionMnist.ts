import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DistilleryError } from '@distillery/core';
import { type ExampleStore, mnistFromIdx } from '@distillery/data';
import { dataDirectory } from './dataDirectory.js';

export interface LoadFashionMnistOptions {
  readonly split: 'train' | 'test';
  /** The folder holding the IDX files; default /usr/share/datasets/fashion-mnist, else <data folder>/fashion-mnist. */
  readonly dir?: string;
}

/** Where Debian's dataset-fashion-mnist package puts the (gzipped) IDX files. */
const debianDirectory = '/usr/share/datasets/fashion-mnist';

const files = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** Zalando's class names, in label order (Xiao, Rasul & Vollgraf 2017). */
const classNames = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const gunzipBytes = promisify(gunzip);

/**
 * Fashion-MNIST (Xiao et al. 2017): 60,000 training or 10,000 test images [28, 28, 1] of ten kinds of
 * clothing, read from the MNIST-format IDX files, gzipped (`.gz`, as Debian ships them) or not. Looks
 * in `dir` when given, else in /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist),
 * else in <data folder>/fashion-mnist (see dataDirectory). The store keeps the pixels as bytes and
 * normalises them to [0, 1] (mean 0, std 255): batches hold the same values as MNIST's, for a quarter
 * of the memory. Ids: `fashion-mnist-train+normalize(mean 0; std 255)`, …. Missing files or a corrupt
 * one are one DistilleryError line naming them.
 */
export async function loadFashionMnist(options: LoadFashionMnistOptions): Promise<ExampleStore> {
  const names = files[options.split];
  if (names === undefined) {
    throw new DistilleryError(`loadFashionMnist: split must be 'train' or 'test', got '${String(options.split)}'`, 'split');
  }
  const folders =
    options.dir !== undefined ? [dataDirectory(options.dir)] : [debianDirectory, join(dataDirectory(), 'fashion-mnist')];
  for (const folder of folders) {
    const images = await findFile(folder, names.images);
    const labels = await findFile(folder, names.labels);
    if (images === undefined || labels === undefined) continue;
    return mnistFromIdx(await readIdx(images), await readIdx(labels), {
      id: `fashion-mnist-${options.split}`,
      imagesSource: `IDX file ${images}`,
      labelsSource: `IDX file ${labels}`,
      classNames,
      storage: 'uint8',
    });
  }
  throw new DistilleryError(
    `Fashion-MNIST ${options.split} files not found: looked for ${names.images}(.gz) and ${names.labels}(.gz) in ${folders.join(' and ')}; ` +
      `install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist) or put the files in ${folders.at(-1)}`,
  );
}

/** The file `name` or `name.gz` in `folder`, whichever exists. */
async function findFile(folder: string, name: string): Promise<string | undefined> {
  for (const path of [join(folder, name), join(folder, `${name}.gz`)]) {
    try {
      if ((await stat(path)).isFile()) return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
      throw new DistilleryError(`Fashion-MNIST file ${path} cannot be read (${(error as Error).message.split('\n')[0]})`);
    }
  }
  return undefined;
}

async function readIdx(path: string): Promise<Uint8Array> {
  const bytes = await readFile(path);
  if (!path.endsWith('.gz')) return bytes;
  try {
    return await gunzipBytes(bytes);
  } catch (error) {
    throw new DistilleryError(
      `Fashion-MNIST file ${path} is not a valid gzip file (${(error as Error).message.split('\n')[0]}); it is damaged`,
    );
  }
}
