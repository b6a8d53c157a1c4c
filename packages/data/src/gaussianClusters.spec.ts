import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussianClusters } from './gaussianClusters.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gaussianClusters', () => {
  it('labels example i with class i mod classes and names itself after its options', () => {
    const store = gaussianClusters({ examples: 10, features: 3, classes: 4, seed: 2 });
    expect(Array.from(store.labels)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
    expect(store.inputs).toHaveLength(30);
    expect(store.exampleShape).toEqual([3]);
    expect(store.numClasses).toBe(4);
    expect(store.id).toBe('gaussian-clusters-v2(n=10,d=3,k=4,noise=0.7,seed=2)');
  });

  it('draws the same numbers as it always has, since every test dataset in the repository comes from this stream', () => {
    expect(Array.from(gaussianClusters({ examples: 4, features: 2, classes: 2, seed: 1 }).inputs)).toEqual([
      0.009799501858651638, 0.35130345821380615, -0.6254700422286987, 1.1858220100402832, -1.0758274793624878, -0.559407114982605,
      -2.792184829711914, 1.3014202117919922,
    ]);
  });

  it('gives the same data for the same options and other data for another seed', () => {
    const options = { examples: 20, features: 4, classes: 2, seed: 5 };
    expect(gaussianClusters(options).inputs).toEqual(gaussianClusters(options).inputs);
    expect(gaussianClusters({ ...options, seed: 6 }).inputs).not.toEqual(gaussianClusters(options).inputs);
  });

  it('scatters each class around its own centre with the given noise', () => {
    // Same seed, so the same centres; with noise 0 each example is exactly its class centre.
    const exact = gaussianClusters({ examples: 6, features: 2, classes: 3, noise: 0 });
    expect(Array.from(exact.inputs.subarray(0, 2))).toEqual(Array.from(exact.inputs.subarray(6, 8)));
    // With noise σ = 0.1 over 400 examples per class, each class mean is within ~3σ/√400 = 0.015 of its centre.
    const noisy = gaussianClusters({ examples: 1200, features: 2, classes: 3, noise: 0.1 });
    for (let c = 0; c < 3; c++) {
      for (let f = 0; f < 2; f++) {
        let sum = 0;
        for (let i = c; i < 1200; i += 3) sum += noisy.inputs[i * 2 + f] as number;
        expect(Math.abs(sum / 400 - (exact.inputs[c * 2 + f] as number))).toBeLessThan(0.03);
      }
    }
  });

  it('reshapes examples for conv nets and refuses a shape of another size', () => {
    expect(gaussianClusters({ examples: 2, features: 16, classes: 2, exampleShape: [4, 4, 1] }).exampleShape).toEqual([4, 4, 1]);
    expect(() => gaussianClusters({ examples: 2, features: 16, classes: 2, exampleShape: [4, 4, 2] })).toThrow(
      'gaussianClusters: exampleShape [4, 4, 2] does not hold 16 features',
    );
    expect(() => gaussianClusters({ examples: 0, features: 16, classes: 2 })).toThrow(
      'gaussianClusters: examples must be a positive integer, got 0',
    );
  });
});
