import { parseConfig } from '@distillery/config';
import { ExampleStore, IndexedDataset } from '@distillery/data';
import { describe, expect, it } from 'vitest';
import type { ExperimentData } from './ExperimentData.js';
import { experimentStages } from './experimentStages.js';

/** Eight 4 × 4 grey images in one store, split 6 / 1 / 1. */
function imageData(): ExperimentData {
  const store = new ExampleStore({
    id: 'tiny',
    inputs: new Float32Array(8 * 16),
    exampleShape: [4, 4, 1],
    labels: new Int32Array(8),
    numClasses: 2,
  });
  const all = new IndexedDataset(store);
  return {
    train: all.slice(0, 6),
    validation: all.slice(6, 7),
    test: all.slice(7, 8),
    inputShape: [4, 4, 1],
    numClasses: 2,
    id: 'tiny',
  };
}

const configWith = (augment: string) =>
  parseConfig(
    `
data: { source: synthetic }
student: { model: { type: mlp, hidden: [4] } }
strategies: [{ key: task.ce }]
training: { epochs: 1${augment === '' ? '' : `, augment: ${augment}`} }
`,
    'c.yaml',
  );

describe('experimentStages', () => {
  it('composes the configured augmentations in the order crop, flip, cutout, shift, whatever order the config names them', () => {
    const stages = experimentStages(
      configWith('{ shift: 1, cutout: { size: 2 }, flip: true, crop: { padding: 2 } }'),
      1,
      imageData(),
      new Map(),
    );
    for (const stage of stages) {
      expect(stage.train?.id).toBe('tiny[0:6]+randomCrop(2)+horizontalFlip()+cutout(2)+randomShift(1)');
    }
    expect(stages).toHaveLength(2);
  });

  it('keeps a shift alone as it was described before, and no augmented view without augmentation', () => {
    const [shifted] = experimentStages(configWith('{ shift: 2 }'), 1, imageData(), new Map());
    expect(shifted?.train?.id).toBe('tiny[0:6]+randomShift(2)');
    const [plain] = experimentStages(configWith(''), 1, imageData(), new Map());
    expect(plain?.train).toBeUndefined();
    const [off] = experimentStages(configWith('{ shift: 0, flip: false }'), 1, imageData(), new Map());
    expect(off?.train).toBeUndefined();
  });
});
