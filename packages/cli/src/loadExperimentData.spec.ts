import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { dataSchema } from '@distillery/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperimentData } from './loadExperimentData.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'distillery-data-'));
  // Fashion-MNIST in miniature: 6 training and 3 test images of 2×2 pixels, in a folder `fm` beside the config.
  await mkdir(join(root, 'fm'));
  const idx = (typeCode: number, shape: readonly number[], payload: readonly number[]) => {
    const header = [0, 0, typeCode, shape.length];
    for (const size of shape) header.push(0, 0, 0, size);
    return gzipSync(Buffer.from([...header, ...payload]));
  };
  const pixels = (count: number) => Array.from({ length: count * 4 }, (_, i) => (i * 37) % 256);
  await writeFile(join(root, 'fm', 'train-images-idx3-ubyte.gz'), idx(0x08, [6, 2, 2], pixels(6)));
  await writeFile(join(root, 'fm', 'train-labels-idx1-ubyte.gz'), idx(0x08, [6], [0, 1, 2, 3, 4, 5]));
  await writeFile(join(root, 'fm', 't10k-images-idx3-ubyte.gz'), idx(0x08, [3, 2, 2], pixels(3)));
  await writeFile(join(root, 'fm', 't10k-labels-idx1-ubyte.gz'), idx(0x08, [3], [9, 8, 7]));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadExperimentData for Fashion-MNIST', () => {
  it('holds validation out of the end of the training images and keeps the first test images asked for', async () => {
    const config = dataSchema.parse({ source: 'fashion-mnist', dir: 'fm', validation: 2, trainExamples: 5, testExamples: 2 });
    const data = await loadExperimentData(config, root);
    expect([data.train.size, data.validation.size, data.test.size]).toEqual([3, 2, 2]);
    expect(Array.from(data.validation.labels())).toEqual([3, 4]);
    expect(Array.from(data.test.labels())).toEqual([9, 8]);
    expect(data.inputShape).toEqual([2, 2, 1]);
    expect(data.train.id).toBe('fashion-mnist-train+normalize(mean 0; std 255)[0:5][0:3]');
    // Pixel values reach models scaled to [0, 1]: the first is 0, the second 37 / 255.
    expect(Array.from(data.train.valuesAt(Int32Array.from([0])).subarray(0, 2))).toEqual([0, Math.fround(37 / 255)]);
  });

  it('says when the validation count leaves nothing to train on', async () => {
    const config = dataSchema.parse({ source: 'fashion-mnist', dir: 'fm', validation: 6 });
    await expect(loadExperimentData(config, root)).rejects.toThrow(
      'data.validation: holding out 6 of 6 examples leaves none to train on',
    );
  });
});

describe('loadExperimentData for CIFAR', () => {
  it('looks for the archive in the folder named relative to the config, and checks it is the official one', async () => {
    await mkdir(join(root, 'c10'));
    await writeFile(join(root, 'c10', 'cifar-10-binary.tar.gz'), gzipSync(Buffer.from('not the archive')));
    const config = dataSchema.parse({ source: 'cifar10', dir: 'c10' });
    await expect(loadExperimentData(config, root)).rejects.toThrow(
      new RegExp(
        `^${join(root, 'c10', 'cifar-10-binary.tar.gz')}: SHA-256 is [0-9a-f]{64}, not c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd`,
      ),
    );
  });
});
