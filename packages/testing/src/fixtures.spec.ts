import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureCnn } from './fixtureCnn.js';
import { fixtureMlp } from './fixtureMlp.js';
import { splitDataset } from './splitDataset.js';
import { syntheticClassification } from './syntheticClassification.js';
import { trainOnLabels } from './trainOnLabels.js';
import { weightsOf } from './weightsOf.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fixtureMlp', () => {
  it('names its layers for tapping and outputs logits', () => {
    const model = fixtureMlp({ inputSize: 5, hidden: [7, 6], classes: 4, prefix: 'm' });
    expect(model.layers.map((layer) => [layer.name, layer.outputShape])).toEqual([
      ['m_hidden1', [null, 7]],
      ['m_hidden2', [null, 6]],
      ['m_logits', [null, 4]],
    ]);
    expect(model.layers[2]?.getConfig().activation).toBe('linear');
  });

  it('is the same model for the same seed', () => {
    const weights = (seed: number) =>
      fixtureMlp({ inputSize: 3, hidden: [2], classes: 2, seed })
        .getWeights()
        .map((weight) => Array.from(weight.dataSync()));
    expect(weights(4)).toEqual(weights(4));
    expect(weights(4)).not.toEqual(weights(5));
  });
});

describe('fixtureMlp on image-shaped inputs', () => {
  it('flattens first, so it shares a dataset with conv nets', () => {
    const model = fixtureMlp({ inputSize: 16, inputShape: [4, 4, 1], hidden: [5], classes: 2, prefix: 'f' });
    expect(model.layers.map((layer) => [layer.name, layer.outputShape])).toEqual([
      ['f_flatten', [null, 16]],
      ['f_hidden1', [null, 5]],
      ['f_logits', [null, 2]],
    ]);
  });
});

describe('fixtureCnn', () => {
  it('pools between conv blocks and ends in logits', () => {
    const model = fixtureCnn({ inputShape: [8, 8, 1], channels: [4, 8], classes: 3, prefix: 'c' });
    const shapes = Object.fromEntries(model.layers.map((layer) => [layer.name, layer.outputShape]));
    expect(shapes).toEqual({
      c_conv1: [null, 8, 8, 4],
      c_pool1: [null, 4, 4, 4],
      c_conv2: [null, 4, 4, 8],
      c_gap: [null, 8],
      c_logits: [null, 3],
    });
  });
});

describe('syntheticClassification', () => {
  it('balances the classes and gives the same data for the same seed', () => {
    const read = (seed: number) => {
      const data = syntheticClassification({ examples: 12, features: 2, classes: 3, seed });
      const [batch] = data.batches({ batchSize: 12, shuffle: false, seed: 0, epoch: 0 });
      const result = { inputs: batch?.inputs.arraySync(), labels: batch?.labels.arraySync() as number[] };
      tf.dispose([batch?.inputs as tf.Tensor, batch?.labels as tf.Tensor]);
      data.dispose();
      return result;
    };
    const first = read(1);
    expect(first.labels).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(read(1)).toEqual(first);
    expect(read(2).inputs).not.toEqual(first.inputs);
  });

  it('reshapes examples for conv nets', () => {
    const data = syntheticClassification({ examples: 4, features: 16, classes: 2, shape: [4, 4, 1] });
    expect(data.inputShape).toEqual([4, 4, 1]);
    data.dispose();
  });
});

describe('splitDataset', () => {
  it('keeps the order: the first examples, then the rest', () => {
    const [first, rest] = splitDataset(syntheticClassification({ examples: 10, features: 2, classes: 5 }), 7);
    expect([first.size, rest.size]).toEqual([7, 3]);
    const [batch] = rest.batches({ batchSize: 3, shuffle: false, seed: 0, epoch: 0 });
    expect(batch?.labels.arraySync()).toEqual([2, 3, 4]); // labels cycle 0…4, examples 7, 8, 9
    tf.dispose([batch?.inputs as tf.Tensor, batch?.labels as tf.Tensor]);
    first.dispose();
    rest.dispose();
  });

  it('refuses a split that leaves a part empty', () => {
    const data = syntheticClassification({ examples: 4, features: 2, classes: 2 });
    expect(() => splitDataset(data, 4)).toThrow('splitDataset: expected 0 < firstSize < 4, got 4');
    data.dispose();
  });
});

describe('trainOnLabels', () => {
  it('trains the model in place until it fits an easy problem', async () => {
    const data = syntheticClassification({ examples: 90, features: 4, classes: 3, noise: 0.3, seed: 5 });
    const model = fixtureMlp({ inputSize: 4, hidden: [8], classes: 3, prefix: 'taught' });
    const before = weightsOf(model);
    await trainOnLabels(model, data, { epochs: 15 });
    expect(weightsOf(model)).not.toEqual(before);
    const [batch] = data.batches({ batchSize: 90, shuffle: false, seed: 0, epoch: 0 });
    const predicted = tf.tidy(() => tf.argMax(model.predict(batch?.inputs as tf.Tensor) as tf.Tensor, 1).arraySync() as number[]);
    const labels = batch?.labels.arraySync() as number[];
    expect(predicted.filter((p, i) => p === labels[i]).length / 90).toBeGreaterThan(0.9);
    tf.dispose([batch?.inputs as tf.Tensor, batch?.labels as tf.Tensor]);
    data.dispose();
  });
});
