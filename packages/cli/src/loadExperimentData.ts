import { resolve } from 'node:path';
import type { DataConfig } from '@distillery/config';
import { DistilleryError } from '@distillery/core';
import {
  channelStatistics,
  type ExampleStore,
  gaussianClusters,
  IndexedDataset,
  splitTrainValidation,
  withShuffledLabels,
} from '@distillery/data';
import { loadCifar, loadCsvFile, loadFashionMnist, loadImageFolder, loadMnist } from '@distillery/node';
import { decodingProgressBar } from './decodingProgressBar.js';
import { downloadProgressBar } from './downloadProgressBar.js';
import type { ExperimentData } from './ExperimentData.js';

/** The three views before any label noise. */
interface Splits {
  readonly train: IndexedDataset;
  readonly validation: IndexedDataset;
  readonly test: IndexedDataset;
}

/**
 * Loads the data a config names and splits it into train, validation and test views. With `labelNoise`,
 * the training view's labels are shuffled after validation is held out (withShuffledLabels), so validation
 * and test keep the true labels; `log` gets one line saying how many.
 */
export async function loadExperimentData(
  config: DataConfig,
  baseDirectory: string,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<ExperimentData> {
  const { train: cleanTrain, validation, test } = await loadSplits(config, baseDirectory);
  let train = cleanTrain;
  if (config.labelNoise !== undefined) {
    const noisy = withShuffledLabels(cleanTrain, config.labelNoise);
    train = noisy.dataset;
    log(
      `label noise: ${noisy.shuffled} of ${train.size} training labels shuffled (${noisy.changed} changed); validation and test labels untouched`,
    );
  }
  return {
    train,
    validation,
    test,
    inputShape: train.inputShape,
    numClasses: train.numClasses,
    id: [train.id, validation.id, test.id].join(' | '),
  };
}

async function loadSplits(config: DataConfig, baseDirectory: string): Promise<Splits> {
  switch (config.source) {
    case 'mnist':
      return firstTrainAndTest(await loadMnist({ split: 'train' }), await loadMnist({ split: 'test' }), config);
    case 'cifar10':
    case 'cifar100': {
      const progress = downloadProgressBar(`downloading ${config.source === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'}`);
      const load = (split: 'train' | 'test') =>
        loadCifar({
          variant: config.source,
          split,
          ...(config.dir === undefined ? {} : { dir: resolve(baseDirectory, config.dir) }),
          ...(config.source === 'cifar100' ? { labels: config.labels } : {}),
          onProgress: progress.onProgress,
        }).finally(progress.stop);
      const trainStore = await load('train');
      const testStore = await load('test');
      // The statistics of all 50,000 training images (as the published CIFAR constants are), applied to
      // the test images too; without normalize, pixels are scaled to [0, 1].
      const normalization = config.normalize ? channelStatistics(trainStore) : { mean: [0, 0, 0], std: [255, 255, 255] };
      return firstTrainAndTest(trainStore.withNormalization(normalization), testStore.withNormalization(normalization), config);
    }
    case 'fashion-mnist': {
      const dir = config.dir === undefined ? {} : { dir: resolve(baseDirectory, config.dir) };
      const trainStore = await loadFashionMnist({ split: 'train', ...dir });
      const testStore = await loadFashionMnist({ split: 'test', ...dir });
      return firstTrainAndTest(trainStore, testStore, config);
    }
    case 'csv': {
      const options = {
        labelColumn: config.labelColumn,
        ...(config.featureColumns === undefined ? {} : { featureColumns: config.featureColumns }),
        standardize: config.standardize,
      };
      const store = await loadCsvFile(resolve(baseDirectory, config.path), options);
      if (config.testPath === undefined) {
        checkHoldOut(store.size, { 'data.validation': config.validation, 'data.test': config.test });
        const { train: rest, validation: test } = splitTrainValidation(store, { validation: config.test, seed: 0 });
        const { train, validation } = splitTrainValidation(rest, { validation: config.validation, seed: 1 });
        return finish(train, validation, test);
      }
      // The test file is standardized with the training file's statistics, so no test information leaks in.
      const testStore = await loadCsvFile(resolve(baseDirectory, config.testPath), {
        ...options,
        ...(store.standardization === undefined ? {} : { standardize: store.standardization }),
        classes: store.classNames,
      });
      checkHoldOut(store.size, { 'data.validation': config.validation });
      const { train, validation } = splitTrainValidation(store, { validation: config.validation, seed: 1 });
      return finish(train, validation, new IndexedDataset(testStore));
    }
    case 'synthetic': {
      const store = gaussianClusters({
        examples: config.examples,
        features: config.features,
        classes: config.classes,
        noise: config.noise,
        seed: config.seed,
        ...(config.shape === undefined ? {} : { exampleShape: config.shape }),
      });
      checkHoldOut(store.size, { 'data.validation': config.validation, 'data.test': config.test });
      const { train: rest, validation: test } = splitTrainValidation(store, { validation: config.test });
      const { train, validation } = splitTrainValidation(rest, { validation: config.validation });
      return finish(train, validation, test);
    }
    case 'image-folder': {
      const progress = decodingProgressBar('decoding images');
      const images = await loadImageFolder({
        root: resolve(baseDirectory, config.root),
        size: config.size,
        ...(config.split === undefined ? {} : { split: config.split }),
        normalize: config.normalize,
        ...(config.cacheDir === undefined ? {} : { cacheDir: resolve(baseDirectory, config.cacheDir) }),
        onProgress: progress.onProgress,
        onWarning: (line) => process.stderr.write(`warning: ${line}\n`),
      }).finally(progress.stop);
      checkHoldOut(images.train.size, { 'data.validation': config.validation });
      // Seeded: the images are in class order, so the last ones would all be one class.
      const { train, validation } = splitTrainValidation(images.train, { validation: config.validation, seed: 1 });
      return finish(train, validation, new IndexedDataset(images.test));
    }
  }
}

function finish(train: IndexedDataset, validation: IndexedDataset, test: IndexedDataset): Splits {
  return { train, validation, test };
}

/**
 * A dataset with fixed train and test splits (MNIST, CIFAR, Fashion-MNIST): `trainExamples` and `testExamples`
 * keep the first examples of each, and validation is held out of the end of the training ones.
 */
function firstTrainAndTest(
  trainStore: ExampleStore,
  testStore: ExampleStore,
  config: {
    readonly validation: number;
    readonly trainExamples?: number | undefined;
    readonly testExamples?: number | undefined;
  },
): Splits {
  const pool =
    config.trainExamples === undefined ? trainStore : firstExamples(trainStore, config.trainExamples, 'data.trainExamples');
  checkHoldOut(pool.size, { 'data.validation': config.validation });
  const { train, validation } = splitTrainValidation(pool, { validation: config.validation });
  const test =
    config.testExamples === undefined
      ? new IndexedDataset(testStore)
      : firstExamples(testStore, config.testExamples, 'data.testExamples');
  return finish(train, validation, test);
}

function firstExamples(store: ExampleStore, count: number, field: string): IndexedDataset {
  if (count > store.size) throw new DistilleryError(`${field}: ${count} examples asked for, the data has ${store.size}`, field);
  return new IndexedDataset(store, { indices: Int32Array.from({ length: count }, (_, i) => i), subset: `[0:${count}]` });
}

/** Names every held-out count, so the message adds up: `data.validation + data.test: holding out 60 + 60 = 120 of 100 …`. */
function checkHoldOut(available: number, heldOut: Readonly<Record<string, number>>): void {
  const fields = Object.keys(heldOut);
  const counts = Object.values(heldOut);
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total >= available) {
    const sum = counts.length === 1 ? `${total}` : `${counts.join(' + ')} = ${total}`;
    throw new DistilleryError(
      `${fields.join(' + ')}: holding out ${sum} of ${available} examples leaves none to train on`,
      fields.at(-1),
    );
  }
}
