import '@tensorflow/tfjs-backend-cpu';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { expectNoLeaks, fixtureMlp, forwardModelOf, silentLogger, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDistiller } from '../composition/createDistiller.js';
import type { ExperimentSpec } from '../composition/ExperimentSpec.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import { inferLogits } from '../evaluation/inferLogits.js';
import type { ForwardModel } from '../models/ForwardModel.js';
import type { TeacherModel } from '../models/TeacherModel.js';
import type { DistillationContext } from '../strategy/DistillationContext.js';
import type { DistillationStrategy } from '../strategy/DistillationStrategy.js';
import { StrategyFactory } from '../strategy/StrategyFactory.js';
import { readTeacherLayerWeights } from '../teachers/readTeacherLayerWeights.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Pulls the student's hidden layer towards the teacher's tapped one and its logits towards the teacher's. */
class HintAndLogits implements DistillationStrategy {
  readonly key = 'test.hint-and-logits';
  readonly taps = { student: ['s_hidden1'], teachers: { teacher: ['t_hidden1'] } };
  loss(context: DistillationContext): tf.Scalar {
    const teacher = context.teachers[0] as DistillationContext['teachers'][number];
    return tf.add(
      tf.mean(tf.squaredDifference(context.student.features.s_hidden1 as tf.Tensor, teacher.features.t_hidden1 as tf.Tensor)),
      tf.mean(tf.squaredDifference(context.student.logits, teacher.logits)),
    ) as tf.Scalar;
  }
}

const plugin = new ContainerModule(({ bind }) => {
  bind(StrategyFactory).toConstantValue({
    key: 'test.hint-and-logits',
    description: 'test strategy',
    create: () => new HintAndLogits(),
  });
});

const data = new IndexedDataset(gaussianClusters({ examples: 96, features: 6, classes: 3, seed: 7, noise: 0.6 }));
const teacherOf = () => fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 't', seed: 11 });

function spec(teacher: TeacherModel, overrides: Partial<ExperimentSpec> = {}): ExperimentSpec {
  return {
    teachers: [{ name: 'teacher', model: teacher }],
    student: { model: fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 's', seed: 3 }) },
    strategies: [{ key: 'task.ce' }, { key: 'test.hint-and-logits', weight: 0.5 }],
    training: { epochs: 2, batchSize: 16, seed: 1, optimizer: { name: 'adam', learningRate: 0.01 } },
    backend: 'cpu',
    logger: silentLogger,
    plugins: [plugin],
    ...overrides,
  };
}

async function trained(teacher: TeacherModel, overrides: Partial<ExperimentSpec> = {}) {
  const distiller = createDistiller(spec(teacher, overrides));
  const history = await distiller.fit(data, { validation: data });
  const result = { weights: weightsOf(distiller.student.model), history, diagnostics: distiller.diagnostics };
  distiller.dispose();
  distiller.student.model.dispose();
  return result;
}

describe('A teacher only run forward (ForwardModel)', () => {
  it('trains the student exactly as the same teacher given as a LayersModel, taps included', async () => {
    const teacher = teacherOf();
    const asLayers = await trained(teacher);
    const asForward = await trained(forwardModelOf(teacher, ['t_hidden1']));
    expect(asForward.weights).toEqual(asLayers.weights);
    expect(asForward.history.map((epoch) => epoch.losses)).toEqual(asLayers.history.map((epoch) => epoch.losses));
    expect(asForward.diagnostics?.teachers).toEqual(asLayers.diagnostics?.teachers);
    expect(asForward.history.at(-1)?.validation).toEqual(asLayers.history.at(-1)?.validation);
    teacher.dispose();
  });

  it('reads its outputs from the teacher cache after the first epoch, as for any teacher', async () => {
    const teacher = teacherOf();
    let calls = 0;
    const forward = forwardModelOf(teacher, ['t_hidden1']);
    const counted: ForwardModel = {
      ...forward,
      predict: (inputs, features) => {
        calls++;
        return forward.predict(inputs, features);
      },
    };
    const cached = await trained(counted, { training: { epochs: 3, batchSize: 16, seed: 1 } });
    const uncached = await trained(forwardModelOf(teacher, ['t_hidden1']), {
      training: { epochs: 3, batchSize: 16, seed: 1, teacherCache: { enabled: false } },
    });
    expect(cached.weights).toEqual(uncached.weights);
    // The backend probe, the diagnostics' pass and the predictions kept for agreement on the validation set (6
    // batches each), and the first epoch (6 batches); none in the later epochs.
    expect(calls).toBe(1 + 6 + 6 + 6);
    teacher.dispose();
  });

  it('frees every tensor it makes over a fit', async () => {
    const teacher = teacherOf();
    const forward = forwardModelOf(teacher, ['t_hidden1']);
    await trained(forward); // the first fit creates the optimizer's and backend's lasting state
    await expectNoLeaks(() => trained(forward));
    teacher.dispose();
  });

  it('gives its logits on a dataset, as a LayersModel would', async () => {
    const teacher = teacherOf();
    const fromLayers = await inferLogits(teacher, data, 32);
    const fromForward = await inferLogits(forwardModelOf(teacher), data, 32);
    expect(fromForward).toEqual(fromLayers);
    teacher.dispose();
  });

  it('refuses a tap it does not give, listing the outputs it has', () => {
    const teacher = teacherOf();
    const error = errorOf(() => createDistiller(spec(forwardModelOf(teacher, ['t_logits']))));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe(
      "strategies[1]: teacher 'teacher' (forward-only copy of t) has no output named 't_hidden1'; its outputs are: t_logits [B,3]",
    );
    teacher.dispose();
  });

  it('stops with one line when it returns logits of the wrong shape', async () => {
    const teacher = teacherOf();
    const forward = forwardModelOf(teacher, ['t_hidden1']);
    const wrong: ForwardModel = { ...forward, numClasses: 4 };
    const error = errorOf(() => createDistiller(spec(wrong)));
    expect(error.message).toBe("teachers[0].model: teacher 'teacher' predicts 4 classes but the student predicts 3");
    const lying: ForwardModel = {
      ...forward,
      predict: async (inputs, features) => {
        const outputs = await forward.predict(inputs, features);
        const sliced = tf.slice(outputs.logits, [0, 0], [-1, 2]);
        outputs.logits.dispose();
        return { logits: sliced as tf.Tensor2D, features: outputs.features };
      },
    };
    const distiller = createDistiller(spec(lying));
    const before = tf.memory().numTensors;
    const failure = await distiller.fit(data).catch((caught: unknown) => caught as Error);
    expect(failure).toBeInstanceOf(DistilleryError);
    expect((failure as Error).message).toBe(
      "teacher 'teacher' (forward-only copy of t): output 'logits' has shape [2, 2], expected [2, 3]",
    );
    expect(tf.memory().numTensors).toBe(before);
    distiller.dispose();
    teacher.dispose();
  });

  it("says that a strategy cannot read a forward model's layer weights", () => {
    const teacher = teacherOf();
    const error = errorOf(() =>
      readTeacherLayerWeights([{ name: 'teacher', model: forwardModelOf(teacher) }], 'teacher', 't_hidden1'),
    );
    expect(error.message).toBe(
      "cannot read layer 't_hidden1' of teacher 'teacher': it is forward-only copy of t, run forward only; a strategy that reads a teacher's weights needs a tfjs LayersModel teacher",
    );
    teacher.dispose();
  });
});

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
