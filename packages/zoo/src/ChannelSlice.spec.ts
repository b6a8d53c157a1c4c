import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildZooModel } from './buildZooModel.js';
import { ChannelSlice } from './ChannelSlice.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ChannelSlice', () => {
  it('keeps channels [begin, begin + size) of an NHWC map, and passes the gradient to them only', () => {
    const input = tfl.input({ shape: [1, 2, 4] });
    const model = tfl.model({
      inputs: input,
      outputs: new ChannelSlice({ begin: 1, size: 2 }).apply(input) as tfl.SymbolicTensor,
    });
    const [kept, gradient] = tf.tidy(() => {
      const x = tf.tensor4d([0, 1, 2, 3, 10, 11, 12, 13], [1, 1, 2, 4]);
      const slice = (t: tf.Tensor) => model.apply(t) as tf.Tensor;
      return [
        slice(x).arraySync(),
        tf
          .grad((t: tf.Tensor) => tf.sum(slice(t)))(x)
          .arraySync(),
      ];
    });
    expect(kept).toEqual([
      [
        [
          [1, 2],
          [11, 12],
        ],
      ],
    ]);
    expect(gradient).toEqual([
      [
        [
          [0, 1, 1, 0],
          [0, 1, 1, 0],
        ],
      ],
    ]);
    expect(model.outputs[0]?.shape).toEqual([null, 1, 2, 2]);
    model.dispose();
  });

  it('saves and loads back: a saved ShuffleNetV2 gives the same logits after loading', async () => {
    const model = buildZooModel('shufflenetv2', { inputShape: [16, 16, 3], classes: 4, seed: 2 });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    await expectNoLeaks(() => {
      const [before, after] = tf.tidy(() => {
        const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 3);
        return [(model.predict(x) as tf.Tensor).arraySync(), (loaded.predict(x) as tf.Tensor).arraySync()];
      });
      expect(after).toEqual(before);
    });
    expect(loaded.layers.filter((layer) => layer instanceof ChannelSlice)).toHaveLength(26);
    model.dispose();
    loaded.dispose();
  });
});
