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

describe('loadExperimentData with labelNoise', () => {
  it('shuffles training labels only, after the hold-outs, and says how many changed', async () => {
    const clean = await loadExperimentData(dataSchema.parse({ source: 'synthetic' }), root, () => {
      throw new Error('no line without label noise');
    });
    const lines: string[] = [];
    const config = dataSchema.parse({ source: 'synthetic', labelNoise: { fraction: 0.4, seed: 2 } });
    const noisy = await loadExperimentData(config, root, (line) => lines.push(line));

    const trueLabels = clean.train.labels();
    const noisyLabels = noisy.train.labels();
    const changed = noisyLabels.filter((label, k) => label !== trueLabels[k]).length;
    // 1200 examples less 200 test and 200 validation leave 800 to train on; 0.4 of them is 320.
    expect(lines).toEqual([
      `label noise: 320 of 800 training labels shuffled (${changed} changed); validation and test labels untouched`,
    ]);
    expect(changed).toBeGreaterThan(0);
    expect(Array.from(noisy.validation.labels())).toEqual(Array.from(clean.validation.labels()));
    expect(Array.from(noisy.test.labels())).toEqual(Array.from(clean.test.labels()));
    expect([noisy.validation.id, noisy.test.id]).toEqual([clean.validation.id, clean.test.id]);
    const clusters = 'gaussian-clusters-v2(n=1200,d=16,k=4,noise=1,seed=0)';
    expect(clean.train.id).toBe(`${clusters}[0:1000][0:800]`);
    expect(noisy.train.id).toBe(`${clusters}+shuffledLabels(0.4 of [0:1000][0:800], seed 2)[0:1000][0:800]`);
    expect(noisy.id).not.toBe(clean.id);
    expect(noisy.train.store.inputs).toBe(noisy.validation.store.inputs);
  });
});
