import '@tensorflow/tfjs-backend-cpu';
import { TensorDataset } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureCnn } from './fixtureCnn.js';
import { fixtureMlp } from './fixtureMlp.js';
import { splitDataset } from './splitDataset.js';
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

  it('puts a batch norm before each ReLU when asked, keeping the ReLU outputs named conv<i>', () => {
    const model = fixtureCnn({ inputShape: [8, 8, 1], channels: [4, 8], classes: 3, prefix: 'c', batchNorm: true });
    const layers = model.layers.map((layer) => [layer.name, layer.getClassName(), layer.outputShape]);
    expect(layers).toEqual([
      ['c_linear1', 'Conv2D', [null, 8, 8, 4]],
      ['c_bn1', 'BatchNormalization', [null, 8, 8, 4]],
      ['c_conv1', 'ReLU', [null, 8, 8, 4]],
      ['c_pool1', 'MaxPooling2D', [null, 4, 4, 4]],
      ['c_linear2', 'Conv2D', [null, 4, 4, 8]],
      ['c_bn2', 'BatchNormalization', [null, 4, 4, 8]],
      ['c_conv2', 'ReLU', [null, 4, 4, 8]],
      ['c_gap', 'GlobalAveragePooling2D', [null, 8]],
      ['c_logits', 'Dense', [null, 3]],
    ]);
    // No conv bias: the batch norm's β takes its place.
    expect(model.getLayer('c_linear1').weights.map((weight) => weight.shape)).toEqual([[3, 3, 1, 4]]);
    model.dispose();
  });
});

/** Examples 0…n−1: example i is the row [i, −i] with label i mod classes, so a test can tell where each one went. */
function numbered(n: number, classes: number): TensorDataset {
  const rows = Array.from({ length: n }, (_, i) => [i, -i]);
  return new TensorDataset(
    tf.tensor2d(rows),
    tf.tensor1d(
      rows.map((_, i) => i % classes),
      'int32',
    ),
  );
}

describe('splitDataset', () => {
  it('keeps the order: the first examples, then the rest', () => {
    const [first, rest] = splitDataset(numbered(10, 5), 7);
    expect([first.size, rest.size]).toEqual([7, 3]);
    const [batch] = rest.batches({ batchSize: 3, shuffle: false, seed: 0, epoch: 0 });
    expect(batch?.inputs.arraySync()).toEqual([
      [7, -7],
      [8, -8],
      [9, -9],
    ]);
    expect(batch?.labels.arraySync()).toEqual([2, 3, 4]);
    tf.dispose([batch?.inputs as tf.Tensor, batch?.labels as tf.Tensor]);
    first.dispose();
    rest.dispose();
  });

  it('refuses a split that leaves a part empty', () => {
    const data = numbered(4, 2);
    expect(() => splitDataset(data, 4)).toThrow('splitDataset: expected 0 < firstSize < 4, got 4');
    data.dispose();
  });
});

describe('trainOnLabels', () => {
  it('trains the model in place until it fits an easy problem', async () => {
    // Easy on purpose: class c lights up feature c, and offsets of at most 0.4 stay far below the gap of 2.
    const rows = Array.from({ length: 90 }, (_, i) =>
      [0, 1, 2, 3].map((f) => (f === i % 3 ? 2 : 0) + ((i * 7 + f * 3) % 5) / 10),
    );
    const data = new TensorDataset(
      tf.tensor2d(rows),
      tf.tensor1d(
        rows.map((_, i) => i % 3),
        'int32',
      ),
    );
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
