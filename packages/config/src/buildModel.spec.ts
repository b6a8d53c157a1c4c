import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from './buildModel.js';
import { experimentJsonSchema } from './experimentJsonSchema.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('buildModel', () => {
  it('builds an MLP with predictable layer names that outputs logits', () => {
    const model = buildModel(
      { type: 'mlp', hidden: [12, 6], dropout: 0.5, inputDropout: 0 },
      { inputShape: [4, 4, 1], classes: 3, name: 't', seed: 1 },
    );
    expect(model.layers.map((layer) => [layer.name, layer.outputShape])).toEqual([
      ['t_flatten', [null, 16]],
      ['t_hidden1', [null, 12]],
      ['t_dropout1', [null, 12]],
      ['t_hidden2', [null, 6]],
      ['t_dropout2', [null, 6]],
      ['t_logits', [null, 3]],
    ]);
    expect(model.layers.at(-1)?.getConfig().activation).toBe('linear');
    // 16·12 + 12 + 12·6 + 6 + 6·3 + 3
    expect(model.countParams()).toBe(303);
  });

  it('builds a CNN whose blocks halve the map, with batch norm when asked', () => {
    const model = buildModel(
      { type: 'cnn', channels: [4, 8], batchNorm: true, dense: 10, dropout: 0 },
      { inputShape: [8, 8, 1], classes: 5, name: 's', seed: 2 },
    );
    const shapes = Object.fromEntries(model.layers.map((layer) => [layer.name, layer.outputShape]));
    expect(shapes.s_conv1).toEqual([null, 8, 8, 4]);
    expect(shapes.s_pool1).toEqual([null, 4, 4, 4]);
    expect(shapes.s_relu2).toEqual([null, 4, 4, 8]);
    expect(shapes.s_pool2).toEqual([null, 2, 2, 8]);
    expect(shapes.s_dense).toEqual([null, 10]);
    expect(shapes.s_logits).toEqual([null, 5]);
  });

  it('gives the same initial weights for the same seed', () => {
    const weights = (seed: number) =>
      buildModel({ type: 'mlp', hidden: [3], dropout: 0, inputDropout: 0 }, { inputShape: [2], classes: 2, name: 'm', seed })
        .getWeights()
        .map((weight) => Array.from(weight.dataSync()));
    expect(weights(7)).toEqual(weights(7));
    expect(weights(7)).not.toEqual(weights(8));
  });
});

describe('experimentJsonSchema', () => {
  it('describes the config for editors, with unknown keys refused', () => {
    const schema = experimentJsonSchema() as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
      required: string[];
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['data', 'teachers', 'student', 'strategies', 'training', 'seeds', 'baseline', 'plugins', 'output']),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['data', 'student', 'strategies']);
  });
});
