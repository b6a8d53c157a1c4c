import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DistilleryError } from '@distillery/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from './loadFashionMnist.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'distillery-fashion-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function idxBytes(typeCode: number, shape: readonly number[], payload: readonly number[]): Buffer {
  const header = [0, 0, typeCode, shape.length];
  for (const size of shape) header.push((size >>> 24) & 0xff, (size >>> 16) & 0xff, (size >>> 8) & 0xff, size & 0xff);
  return Buffer.from([...header, ...payload]);
}

// Three 2×2 images and their labels: a T-shirt, a sneaker, an ankle boot.
const pixels = [0, 255, 51, 102, 1, 2, 3, 4, 128, 64, 32, 16];
const labels = [0, 7, 9];

async function folderWith(files: Readonly<Record<string, Buffer>>): Promise<string> {
  const folder = await mkdtemp(join(root, 'case-'));
  await mkdir(folder, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(folder, name), bytes);
  return folder;
}

describe('loadFashionMnist', () => {
  it('reads gzipped IDX files, as Debian ships them, into bytes scaled to [0, 1] with the class names', async () => {
    const dir = await folderWith({
      't10k-images-idx3-ubyte.gz': gzipSync(idxBytes(0x08, [3, 2, 2], pixels)),
      't10k-labels-idx1-ubyte.gz': gzipSync(idxBytes(0x08, [3], labels)),
    });
    const store = await loadFashionMnist({ split: 'test', dir });
    expect(store.id).toBe('fashion-mnist-test+normalize(mean 0; std 255)');
    expect(store.exampleShape).toEqual([2, 2, 1]);
    expect(store.inputs).toBeInstanceOf(Uint8Array);
    expect(Array.from(store.labels)).toEqual(labels);
    expect(store.classNames).toEqual([
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ]);
    expect(Array.from(store.valuesOf(Int32Array.from([0])))).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
  });

  it('reads plain IDX files too', async () => {
    const dir = await folderWith({
      'train-images-idx3-ubyte': idxBytes(0x08, [3, 2, 2], pixels),
      'train-labels-idx1-ubyte': idxBytes(0x08, [3], labels),
    });
    const store = await loadFashionMnist({ split: 'train', dir });
    expect([store.id, store.size]).toEqual(['fashion-mnist-train+normalize(mean 0; std 255)', 3]);
  });

  it('names the files, the folder and the Debian package when they are missing', async () => {
    const dir = await folderWith({ 'train-images-idx3-ubyte.gz': gzipSync(idxBytes(0x08, [3, 2, 2], pixels)) });
    const error = await loadFashionMnist({ split: 'train', dir }).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(DistilleryError);
    expect((error as Error).message).toBe(
      `Fashion-MNIST train files not found: looked for train-images-idx3-ubyte(.gz) and train-labels-idx1-ubyte(.gz) in ${dir}; ` +
        `install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist) or put the files in ${dir}`,
    );
  });

  it('names a file that is not valid gzip', async () => {
    const dir = await folderWith({
      'train-images-idx3-ubyte.gz': gzipSync(idxBytes(0x08, [3, 2, 2], pixels)).subarray(0, 20),
      'train-labels-idx1-ubyte.gz': gzipSync(idxBytes(0x08, [3], labels)),
    });
    const error = (await loadFashionMnist({ split: 'train', dir }).catch((caught: Error) => caught)) as Error;
    expect(error.message).toMatch(
      new RegExp(
        `^Fashion-MNIST file ${join(dir, 'train-images-idx3-ubyte.gz')} is not a valid gzip file \\(.+\\); it is damaged$`,
      ),
    );
  });

  it('names an IDX file whose contents are wrong', async () => {
    const dir = await folderWith({
      'train-images-idx3-ubyte.gz': gzipSync(idxBytes(0x08, [3, 2, 2], pixels.slice(1))),
      'train-labels-idx1-ubyte.gz': gzipSync(idxBytes(0x08, [3], labels)),
    });
    const error = (await loadFashionMnist({ split: 'train', dir }).catch((caught: Error) => caught)) as Error;
    expect(error.message).toBe(
      `IDX file ${join(dir, 'train-images-idx3-ubyte.gz')}: header says 3×2×2 = 12 bytes of data, found 11`,
    );
  });
});
