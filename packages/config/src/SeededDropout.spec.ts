import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededDropout } from './SeededDropout.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Which of 64 ones survive one training call (kept ones are scaled to 1 / (1 − rate) = 2). */
function mask(layer: tfl.layers.Layer): number[] {
  return tf.tidy(() => Array.from((layer.apply(tf.ones([1, 64]), { training: true }) as tf.Tensor).dataSync()));
}

describe('SeededDropout', () => {
  it('draws a new mask at every training call, where a seeded tfjs Dropout repeats one', () => {
    const ours = new SeededDropout({ rate: 0.5, seed: 3 });
    const first = mask(ours);
    const second = mask(ours);
    expect(second).not.toEqual(first);
    expect(new Set([...first, ...second])).toEqual(new Set([0, 2]));
    const theirs = tfl.layers.dropout({ rate: 0.5, seed: 3 });
    expect(mask(theirs)).toEqual(mask(theirs));
  });

  it('repeats its sequence of masks from its seed and count of draws, which is what a checkpoint restores', () => {
    const a = new SeededDropout({ rate: 0.5, seed: 11 });
    const masks = [mask(a), mask(a), mask(a)];
    expect(a.randomDraws).toBe(3);
    const b = new SeededDropout({ rate: 0.5, seed: 11 });
    expect([mask(b), mask(b), mask(b)]).toEqual(masks);
    b.randomDraws = 1;
    expect(mask(b)).toEqual(masks[1]);
  });

  it('passes its input through unchanged, and draws nothing, in inference', () => {
    const layer = new SeededDropout({ rate: 0.5, seed: 1 });
    const x = tf.tensor2d([[1, -2, 3]]);
    const y = layer.apply(x, { training: false }) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3]);
    expect(layer.randomDraws).toBe(0);
    x.dispose();
  });

  it('saves as a plain Dropout with the same config, and loads back as itself in this process', async () => {
    const model = tfl.sequential({ layers: [new SeededDropout({ rate: 0.25, seed: 7, inputShape: [4], name: 'drop' })] });
    const json = model.toJSON(null, false) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const saved = json.config.layers.find((layer) => layer.config.name === 'drop');
    expect(saved?.class_name).toBe('Dropout');
    expect(saved?.config).toMatchObject({ rate: 0.25, seed: 7, noise_shape: null });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    expect(loaded.getLayer('drop')).toBeInstanceOf(SeededDropout);
    expect((loaded.getLayer('drop') as SeededDropout).seed).toBe(7);
    model.dispose();
    loaded.dispose();
  });
});
