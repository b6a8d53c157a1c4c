import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks, silentLogger } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDistiller } from '../composition/createDistiller.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { LayerWeight } from '../strategy/LayerWeight.js';
import type { StrategyCreationContext } from '../strategy/StrategyCreationContext.js';
import { StrategyFactory } from '../strategy/StrategyFactory.js';
import { readTeacherLayerWeights } from './readTeacherLayerWeights.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 2×2×1 inputs → 1×1 conv (3 channels, named `conv`) → batch norm `bn` (with `bnOptions`) → ReLU → pool → logits. */
function tinyNet(bnOptions: { scale?: boolean; center?: boolean } = {}): tfl.LayersModel {
  const input = tfl.input({ shape: [2, 2, 1] });
  const conv = tfl.layers.conv2d({ name: 'conv', filters: 3, kernelSize: 1, useBias: false }).apply(input);
  const normalized = tfl.layers.batchNormalization({ name: 'bn', ...bnOptions }).apply(conv);
  const relu = tfl.layers.reLU({ name: 'relu' }).apply(normalized);
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(relu);
  const logits = tfl.layers.dense({ name: 'logits', units: 2 }).apply(pooled) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits });
}

const summary = (weights: readonly LayerWeight[]) =>
  weights.map(({ name, shape, values }) => ({ name, shape, values: Array.from(values) }));

describe('readTeacherLayerWeights', () => {
  it("copies a batch norm's γ, β and moving statistics, named within the layer, in the layer's order", async () => {
    const model = tinyNet();
    // A second model with the same layer names: tfjs makes its variable names unique (`bn/gamma_1`), the local names stay.
    const twin = tinyNet();
    tf.tidy(() => {
      const [gamma, beta] = model.getLayer('bn').weights;
      gamma?.write(tf.tensor1d([0.5, -2, 3]));
      beta?.write(tf.tensor1d([1, 0, -1]));
    });
    const weights = await expectNoLeaks(() =>
      readTeacherLayerWeights(
        [
          { name: 'other', model: twin },
          { name: 'wide', model },
        ],
        'wide',
        'bn',
      ),
    );
    expect(summary(weights)).toEqual([
      { name: 'gamma', shape: [3], values: [0.5, -2, 3] },
      { name: 'beta', shape: [3], values: [1, 0, -1] },
      { name: 'moving_mean', shape: [3], values: [0, 0, 0] },
      { name: 'moving_variance', shape: [3], values: [1, 1, 1] },
    ]);
    expect(twin.getLayer('bn').weights.map((weight) => weight.name)).toEqual([
      expect.stringMatching(/^bn\/gamma_\d+$/),
      expect.stringMatching(/^bn\/beta_\d+$/),
      expect.stringMatching(/^bn\/moving_mean_\d+$/),
      expect.stringMatching(/^bn\/moving_variance_\d+$/),
    ]);
    expect(readTeacherLayerWeights([{ name: 'other', model: twin }], 'other', 'bn').map(({ name }) => name)).toEqual([
      'gamma',
      'beta',
      'moving_mean',
      'moving_variance',
    ]);
    model.dispose();
    twin.dispose();
  });

  it('gives copies: writing to them leaves the model as it was, and the model changing leaves them as they were', () => {
    const model = tinyNet();
    const teachers = [{ name: 'wide', model }];
    const [kernel] = readTeacherLayerWeights(teachers, 'wide', 'conv') as [LayerWeight];
    expect(kernel).toMatchObject({ name: 'kernel', shape: [1, 1, 1, 3] });
    const read = Array.from(kernel.values);
    kernel.values.fill(7);
    expect(Array.from(model.getLayer('conv').weights[0]?.read().dataSync() ?? [])).toEqual(read);
    const again = readTeacherLayerWeights(teachers, 'wide', 'conv')[0] as LayerWeight;
    tf.tidy(() => {
      model.getLayer('conv').weights[0]?.write(tf.fill([1, 1, 1, 3], -1));
    });
    expect(Array.from(again.values)).toEqual(read);
    model.dispose();
  });

  it('leaves out γ with scale: false and β with center: false, and gives [] for a layer without weights', () => {
    const model = tinyNet({ scale: false, center: false });
    const teachers = [{ name: 't', model }];
    expect(readTeacherLayerWeights(teachers, 't', 'bn').map(({ name }) => name)).toEqual(['moving_mean', 'moving_variance']);
    expect(readTeacherLayerWeights(teachers, 't', 'relu')).toEqual([]);
    const onlyCentred = tinyNet({ scale: false });
    expect(readTeacherLayerWeights([{ name: 't', model: onlyCentred }], 't', 'bn').map(({ name }) => name)).toEqual([
      'beta',
      'moving_mean',
      'moving_variance',
    ]);
    model.dispose();
    onlyCentred.dispose();
  });

  it('names the teacher and the layer in one line when either does not exist', () => {
    const model = tinyNet();
    const teachers = [
      { name: 'wide', model },
      { name: 'deep', model },
    ];
    const failure = (teacherList: typeof teachers, teacher: string, layer: string) => {
      try {
        readTeacherLayerWeights(teacherList, teacher, layer);
      } catch (error) {
        expect(error).toBeInstanceOf(DistilleryError);
        return (error as Error).message;
      }
      throw new Error('expected readTeacherLayerWeights to throw');
    };
    expect(failure(teachers, 'wide', 'bn9')).toBe("teacher 'wide' has no layer 'bn9' (it has 6 layers)");
    expect(failure(teachers, 'tall', 'bn')).toBe(
      "cannot read layer 'bn' of unknown teacher 'tall'; the teachers are: wide, deep",
    );
    expect(failure([], 'wide', 'bn')).toBe("cannot read layer 'bn' of teacher 'wide': the experiment has no teachers");
    model.dispose();
  });
});

describe("a strategy's creation context in an experiment", () => {
  it("reads the experiment's teacher layers, and a missing one stops the experiment with that line", () => {
    const teacher = tinyNet();
    const student = tinyNet();
    const read: (readonly LayerWeight[])[] = [];
    const experiment = (layer: string) =>
      createDistiller({
        teachers: [{ name: 'wide', model: teacher }],
        student: { model: student },
        strategies: [{ key: 'test.reads' }],
        backend: 'cpu',
        logger: silentLogger,
        plugins: [
          new ContainerModule(({ bind }) => {
            bind(StrategyFactory).toConstantValue({
              key: 'test.reads',
              description: 'reads a teacher layer when created',
              create: (_options: unknown, context: StrategyCreationContext) => {
                read.push(context.teacherLayerWeights('wide', layer));
                return { key: 'test.reads', loss: () => tf.scalar(0) };
              },
            });
          }),
        ],
      });
    const distiller = experiment('bn');
    expect(summary(read[0] ?? [])).toEqual(summary(readTeacherLayerWeights([{ name: 'wide', model: teacher }], 'wide', 'bn')));
    expect(read[0]?.map(({ name }) => name)).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance']);
    distiller.dispose();
    expect(() => experiment('missing')).toThrow("teacher 'wide' has no layer 'missing' (it has 6 layers)");
    teacher.dispose();
    student.dispose();
  });
});
