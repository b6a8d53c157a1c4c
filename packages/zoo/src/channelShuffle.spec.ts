import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelShuffle } from './channelShuffle.js';
import { LayerFactory } from './LayerFactory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('channelShuffle', () => {
  it('interleaves the two halves of the channels at every pixel: 0 1 2 | 3 4 5 → 0 3 1 4 2 5', () => {
    const input = tfl.input({ shape: [2, 1, 6] });
    const model = tfl.model({ inputs: input, outputs: channelShuffle(new LayerFactory('s', 0), input, 'shuffle') });
    const shuffled = tf.tidy(() => {
      const pixel = [0, 1, 2, 3, 4, 5];
      const x = tf.tensor4d([...pixel, ...pixel.map((c) => c + 10)], [1, 2, 1, 6]);
      return (model.predict(x) as tf.Tensor).arraySync();
    });
    expect(shuffled).toEqual([[[[0, 3, 1, 4, 2, 5]], [[10, 13, 11, 14, 12, 15]]]]);
    expect(model.getLayer('s_shuffle').outputShape).toEqual([null, 2, 1, 6]);
    model.dispose();
  });
});
