import { describe, expect, it } from 'vitest';
import { dataSchema } from './dataSchema.js';
import { parseConfig } from './parseConfig.js';

const withData = (data: string) => `
data: ${data}
student: { model: { type: mlp, hidden: [8] } }
strategies: [{ key: task.ce }]
`;

describe('dataSchema for CIFAR', () => {
  it('fills the defaults of CIFAR-10: 5000 validation images, per-channel normalisation', () => {
    expect(parseConfig(withData('{ source: cifar10 }'), 'c.yaml').data).toEqual({
      source: 'cifar10',
      validation: 5000,
      normalize: true,
    });
  });

  it('learns the fine CIFAR-100 labels unless told coarse', () => {
    expect(parseConfig(withData('{ source: cifar100 }'), 'c.yaml').data).toEqual({
      source: 'cifar100',
      validation: 5000,
      normalize: true,
      labels: 'fine',
    });
    expect(dataSchema.parse({ source: 'cifar100', labels: 'coarse' })).toMatchObject({ labels: 'coarse' });
  });

  it('keeps a folder, quick-run sizes and normalize: false', () => {
    const data = dataSchema.parse({
      source: 'cifar10',
      dir: 'data',
      trainExamples: 1000,
      testExamples: 500,
      validation: 100,
      normalize: false,
    });
    expect(data).toEqual({
      source: 'cifar10',
      dir: 'data',
      trainExamples: 1000,
      testExamples: 500,
      validation: 100,
      normalize: false,
    });
  });

  it('refuses labels for CIFAR-10, an unknown label kind and a count that is not positive', () => {
    expect(() => parseConfig(withData('{ source: cifar10, labels: coarse }'), 'c.yaml')).toThrow(
      "c.yaml: data: unknown key 'labels'",
    );
    expect(() => parseConfig(withData('{ source: cifar100, labels: medium }'), 'c.yaml')).toThrow(
      'c.yaml: data.labels: Invalid option: expected one of "fine"|"coarse"',
    );
    expect(() => parseConfig(withData('{ source: cifar10, validation: 0 }'), 'c.yaml')).toThrow(/^c\.yaml: data\.validation: /);
    expect(() => parseConfig(withData('{ source: cifar10, dir: "" }'), 'c.yaml')).toThrow(/^c\.yaml: data\.dir: /);
  });
});

describe('dataSchema for Fashion-MNIST', () => {
  it('fills the defaults: 5000 validation images, every example', () => {
    expect(parseConfig(withData('{ source: fashion-mnist }'), 'c.yaml').data).toEqual({
      source: 'fashion-mnist',
      validation: 5000,
    });
  });

  it('keeps a folder and quick-run sizes, and refuses CIFAR options', () => {
    expect(dataSchema.parse({ source: 'fashion-mnist', dir: 'fm', trainExamples: 600, testExamples: 100 })).toEqual({
      source: 'fashion-mnist',
      dir: 'fm',
      trainExamples: 600,
      testExamples: 100,
      validation: 5000,
    });
    expect(() => parseConfig(withData('{ source: fashion-mnist, normalize: false }'), 'c.yaml')).toThrow(
      "c.yaml: data: unknown key 'normalize'",
    );
    expect(() => parseConfig(withData('{ source: fashion-mnist, testExamples: 2.5 }'), 'c.yaml')).toThrow(
      /^c\.yaml: data\.testExamples: /,
    );
  });
});

describe('dataSchema labelNoise', () => {
  it('is accepted by every source, with seed 0 unless given', () => {
    const sources = [
      { source: 'mnist' },
      { source: 'cifar10' },
      { source: 'cifar100' },
      { source: 'fashion-mnist' },
      { source: 'csv', path: 'd.csv', labelColumn: 'y' },
      { source: 'synthetic' },
      { source: 'image-folder', root: 'images' },
    ];
    for (const data of sources) {
      expect(dataSchema.parse({ ...data, labelNoise: { fraction: 0.4 } }).labelNoise).toEqual({ fraction: 0.4, seed: 0 });
      expect(dataSchema.parse({ ...data, labelNoise: { fraction: 0.1, seed: 3 } }).labelNoise).toEqual({
        fraction: 0.1,
        seed: 3,
      });
      expect(dataSchema.parse(data).labelNoise).toBeUndefined();
    }
  });

  it('names the field of a fraction outside (0, 1), a bad seed and an unknown key', () => {
    for (const fraction of ['0', '1', '1.5', '-0.2', 'lots']) {
      expect(() => parseConfig(withData(`{ source: cifar10, labelNoise: { fraction: ${fraction} } }`), 'c.yaml')).toThrow(
        'c.yaml: data.labelNoise.fraction: expected a number in (0, 1)',
      );
    }
    for (const seed of ['-1', '0.5', 'first']) {
      expect(() => parseConfig(withData(`{ source: mnist, labelNoise: { fraction: 0.4, seed: ${seed} } }`), 'c.yaml')).toThrow(
        'c.yaml: data.labelNoise.seed: expected an integer ≥ 0',
      );
    }
    expect(() => parseConfig(withData('{ source: mnist, labelNoise: { fraction: 0.4, kind: uniform } }'), 'c.yaml')).toThrow(
      "c.yaml: data.labelNoise: unknown key 'kind'",
    );
  });
});
