import { resolve } from 'node:path';
import type { DataConfig } from '@distillery/config';
import { DistilleryError } from '@distillery/core';
import { type ExampleStore, gaussianClusters, IndexedDataset, splitTrainValidation } from '@distillery/data';
import { loadCsvFile, loadMnist } from '@distillery/node';
import type { ExperimentData } from './ExperimentData.js';

/** Loads the data a config names and splits it into train, validation and test views. */
export async function loadExperimentData(config: DataConfig, baseDirectory: string): Promise<ExperimentData> {
  switch (config.source) {
    case 'mnist': {
      const trainStore = await loadMnist({ split: 'train' });
      const testStore = await loadMnist({ split: 'test' });
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
  }
}

function finish(train: IndexedDataset, validation: IndexedDataset, test: IndexedDataset): ExperimentData {
  return {
    train,
    validation,
    test,
    inputShape: train.inputShape,
    numClasses: train.numClasses,
    id: [train.id, validation.id, test.id].join(' | '),
  };
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
