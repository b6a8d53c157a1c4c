import { parseConfig } from '@distillery/config';
import { ExampleStore, IndexedDataset } from '@distillery/data';
import '@tensorflow/tfjs-backend-cpu';
import type { StageSpec } from '@distillery/core';
import { weightsOf } from '@distillery/testing';
import type * as tfl from '@tensorflow/tfjs-layers';
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

  it('gives the distilled student its peers, each built from a seed of its own, and the baseline none', () => {
    const config = parseConfig(
      `
data: { source: synthetic }
student: { model: { type: mlp, hidden: [4] } }
peers: [{ name: left, model: { type: mlp, hidden: [4] } }, { name: right, model: { type: mlp, hidden: [4] } }]
strategies: [{ key: online.dml }]
training: { epochs: 1 }
`,
      'c.yaml',
    );
    const [student, baseline] = experimentStages(config, 1, imageData(), new Map()) as [StageSpec, StageSpec];
    expect(student.peers?.map(({ name }) => name)).toEqual(['left', 'right']);
    expect(baseline.peers).toBeUndefined();
    const built: tfl.LayersModel[] = [];
    const build = (source: tfl.LayersModel | (() => tfl.LayersModel) | undefined) => {
      const model = typeof source === 'function' ? source() : (source as tfl.LayersModel);
      built.push(model);
      return weightsOf(model);
    };
    const own = build((student.student as { model: () => tfl.LayersModel }).model);
    const [left, right] = (student.peers ?? []).map(({ model }) => build(model));
    // Same architecture, three different initialisations; rebuilding a peer gives its initialisation again.
    expect(left).not.toEqual(own);
    expect(right).not.toEqual(left);
    expect(build(student.peers?.[0]?.model)).toEqual(left);
    for (const model of built) model.dispose();
  });

  it('runs a strategy’s pretraining as a stage of its own, on the teacher held fixed, before the student’s stage', () => {
    const config = parseConfig(
      `
data: { source: synthetic }
teachers: [{ name: big, model: { type: mlp, hidden: [8] }, training: { epochs: 2 } }]
student: { model: { type: mlp, hidden: [4] } }
strategies: [{ key: feature.ft }, { key: task.ce }]
training: { epochs: 5 }
`,
      'c.yaml',
    );
    const pretraining = {
      teacher: 'big',
      strategies: [{ key: 'feature.ft.paraphraser', options: { layer: 'big_hidden1' } }],
      epochs: 3,
    };
    const stages = experimentStages(config, 1, imageData(), new Map(), [{ term: 'feature.ft', pretraining }]);
    expect(stages.map(({ name }) => name)).toEqual([
      'seed1-teacher-big',
      'seed1-pretrain-feature.ft',
      'seed1-student',
      'seed1-baseline',
    ]);
    const [, pre, student, baseline] = stages as [StageSpec, StageSpec, StageSpec, StageSpec];
    expect(pre.student).toEqual({ name: 'big', stage: 'seed1-teacher-big', trainable: false });
    expect(pre.strategies).toEqual([{ key: 'feature.ft.paraphraser', weight: 1, options: { layer: 'big_hidden1' } }]);
    expect(pre.training).toMatchObject({ epochs: 3, seed: 1 });
    expect(student.strategyWeightsFrom).toBe('seed1-pretrain-feature.ft');
    expect(baseline.strategyWeightsFrom).toBeUndefined();
  });
});
