import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tappedFeature } from './tappedFeature.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tappedFeature', () => {
  it('returns the tapped output itself, neither copied nor disposed', () => {
    const before = tf.memory().numTensors;
    const feature = tf.zeros([1, 2, 2, 1]);
    expect(tappedFeature({ s_conv1: feature }, 's_conv1', 'student', 'attention.at')).toBe(feature);
    expect(feature.isDisposed).toBe(false);
    feature.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a layer that was not tapped, naming the strategy, whose outputs and the layer', () => {
    expect(() => tappedFeature({}, 't_conv2', "teacher 'wide'", 'multi.attention')).toThrow(DistilleryError);
    expect(() => tappedFeature({}, 't_conv2', "teacher 'wide'", 'multi.attention')).toThrow(
      "multi.attention: the teacher 'wide' outputs have no tapped layer 't_conv2'",
    );
  });
});
