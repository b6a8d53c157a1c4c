import '@tensorflow/tfjs-backend-cpu';
import { createDistiller, type EpochMetrics, TensorDataset } from '@distillery/core';
import { fixtureCnn, silentLogger, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { featurePlugin } from './featurePlugin.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('feature.ft.paraphraser in an experiment', () => {
  // 8 real training steps: a few seconds on a loaded 2-core machine; the limit only guards against hangs.
  it('fits the paraphraser to a network’s layer: the reconstruction falls, the network stays as it was, nothing leaks', {
    timeout: 60_000,
  }, async () => {
    const inputs = tf.randomNormal([32, 8, 8, 1], 0, 1, 'float32', 11);
    const classes = tf.tidy(() => tf.cast(tf.greater(tf.mean(inputs, [1, 2, 3]), 0), 'int32'));
    const data = new TensorDataset(inputs, classes);
    const network = fixtureCnn({ inputShape: [8, 8, 1], channels: [4, 8], classes: 2, prefix: 'teacher', seed: 1 });
    const networkBefore = weightsOf(network);
    // The paraphraser's stage runs the teacher as its fixed student: inference mode, nothing of it trained.
    const distiller = createDistiller({
      student: { model: network, trainable: false },
      strategies: [{ key: 'feature.ft.paraphraser', options: { layer: 'teacher_conv2' } }],
      training: { epochs: 4, batchSize: 16, seed: 2, optimizer: { name: 'adam', learningRate: 0.02 } },
      plugins: [featurePlugin],
      backend: 'cpu',
      logger: silentLogger,
    });
    const variables = distiller.strategyVariables();
    // teacher_conv2 is [B, 4, 4, 8]: an encoder 8 → 8 → 4 → 4 and a decoder back to 8.
    expect(variables.map((variable) => [variable.name, variable.shape])).toEqual([
      ['feature.ft.paraphraser/paraphraser/encoder/conv1/kernel', [3, 3, 8, 8]],
      ['feature.ft.paraphraser/paraphraser/encoder/conv1/bias', [8]],
      ['feature.ft.paraphraser/paraphraser/encoder/conv2/kernel', [3, 3, 8, 4]],
      ['feature.ft.paraphraser/paraphraser/encoder/conv2/bias', [4]],
      ['feature.ft.paraphraser/paraphraser/encoder/conv3/kernel', [3, 3, 4, 4]],
      ['feature.ft.paraphraser/paraphraser/encoder/conv3/bias', [4]],
      ['feature.ft.paraphraser/paraphraser/decoder/deconv1/kernel', [3, 3, 4, 4]],
      ['feature.ft.paraphraser/paraphraser/decoder/deconv1/bias', [4]],
      ['feature.ft.paraphraser/paraphraser/decoder/deconv2/kernel', [3, 3, 8, 4]],
      ['feature.ft.paraphraser/paraphraser/decoder/deconv2/bias', [8]],
      ['feature.ft.paraphraser/paraphraser/decoder/deconv3/kernel', [3, 3, 8, 8]],
      ['feature.ft.paraphraser/paraphraser/decoder/deconv3/bias', [8]],
    ]);
    const tensorsAtEpochEnd: number[] = [];
    distiller.on('epochEnd', () => {
      tensorsAtEpochEnd.push(tf.memory().numTensors);
    });
    const history: EpochMetrics[] = await distiller.fit(data);

    const reconstruction = history.map((epoch) => epoch.lossParts?.['feature.ft.paraphraser']?.reconstruction as number);
    expect(reconstruction.every(Number.isFinite)).toBe(true);
    history.forEach((epoch, i) => {
      expect(epoch.losses['feature.ft.paraphraser']).toBeCloseTo(reconstruction[i] as number, 6);
    });
    expect(reconstruction[reconstruction.length - 1]).toBeLessThan((reconstruction[0] as number) * 0.8);
    expect(weightsOf(network)).toEqual(networkBefore);
    expect(tensorsAtEpochEnd).toHaveLength(4);
    expect(new Set(tensorsAtEpochEnd).size).toBe(1);

    distiller.dispose();
    expect(variables.every((variable) => variable.isDisposed)).toBe(true);
    data.dispose();
    network.dispose();
  });
});
