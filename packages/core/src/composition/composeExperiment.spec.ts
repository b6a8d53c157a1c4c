import '@tensorflow/tfjs-backend-cpu';
import { fixtureMlp } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { DistilleryError } from '../errors/DistilleryError.js';
import { Teacher } from '../models/Teacher.js';
import { StrategyFactory } from '../strategy/StrategyFactory.js';
import { StrategyRegistry } from '../strategy/StrategyRegistry.js';
import { composeExperiment } from './composeExperiment.js';
import { createDistiller } from './createDistiller.js';
import type { ExperimentSpec } from './ExperimentSpec.js';
import type { Logger } from './Logger.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    info() {},
    warn(message) {
      warnings.push(message);
    },
  };
}

const teacherModel = fixtureMlp({ inputSize: 4, hidden: [6], classes: 3, prefix: 'teacher' });
const studentModel = fixtureMlp({ inputSize: 4, hidden: [2], classes: 3, prefix: 'student' });
const otherTeacherModel = fixtureMlp({ inputSize: 4, hidden: [5], classes: 3, prefix: 'other' });
const twoClassTeacherModel = fixtureMlp({ inputSize: 4, hidden: [5], classes: 2, prefix: 'binary' });

/** A valid experiment; each bad-input row changes one thing in it. */
function validSpec(): ExperimentSpec {
  return {
    teachers: [{ name: 't', model: teacherModel }],
    student: { model: studentModel },
    strategies: [{ key: 'task.ce', weight: 1 }],
    training: { epochs: 1, batchSize: 4 },
    backend: 'cpu',
    logger: recordingLogger(),
  };
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

// Messages ending in zod's own words follow zod's English locale (zod/v4/locales/en.js).
const badInputs: [string, (spec: ExperimentSpec) => unknown, string][] = [
  [
    'an empty strategy list',
    (spec) => ({ ...spec, strategies: [] }),
    'strategies: expected at least one strategy, e.g. { key: "task.ce" }',
  ],
  [
    'a negative weight',
    (spec) => ({ ...spec, strategies: [{ key: 'task.ce', weight: -1 }] }),
    'strategies[0].weight: expected a finite number ≥ 0',
  ],
  [
    'a NaN weight',
    (spec) => ({ ...spec, strategies: [{ key: 'task.ce', weight: Number.NaN }] }),
    'strategies[0].weight: expected a finite number ≥ 0',
  ],
  [
    'an infinite weight',
    (spec) => ({ ...spec, strategies: [{ key: 'task.ce', weight: Number.POSITIVE_INFINITY }] }),
    'strategies[0].weight: expected a finite number ≥ 0',
  ],
  [
    'a strategy without a key',
    (spec) => ({ ...spec, strategies: [{ weight: 1 }] }),
    'strategies[0].key: Invalid input: expected string, received undefined',
  ],
  [
    'an empty strategy key',
    (spec) => ({ ...spec, strategies: [{ key: '', weight: 1 }] }),
    'strategies[0].key: expected a strategy key such as task.ce',
  ],
  [
    'an unknown strategy key',
    (spec) => ({ ...spec, strategies: [{ key: 'task.ce' }, { key: 'response.kd', weight: 1 }] }),
    "strategies[1].key: unknown strategy 'response.kd'; registered: task.ce",
  ],
  [
    'two teachers with the same name',
    (spec) => ({
      ...spec,
      teachers: [
        { name: 't', model: teacherModel },
        { name: 't', model: otherTeacherModel },
      ],
    }),
    "teachers[1].name: teacher name 't' is used twice",
  ],
  [
    'the same model as teacher and student',
    (spec) => ({ ...spec, teachers: [{ name: 't', model: studentModel }] }),
    'student.model: the student is also a teacher; distil into a fresh copy instead',
  ],
  [
    'a teacher that is not a LayersModel',
    (spec) => ({ ...spec, teachers: [{ name: 't', model: { predict() {} } }] }),
    'teachers[0].model: expected a tf.LayersModel or a ForwardModel (predict, fingerprint, dispose, numClasses, inputShape, featureShapes)',
  ],
  ['a typo in a top-level key', (spec) => ({ ...spec, strategy: [{ key: 'task.ce' }] }), "(root): unknown key 'strategy'"],
  ['an unknown training key', (spec) => ({ ...spec, training: { epochs: 1, lr: 0.1 } }), "training: unknown key 'lr'"],
  [
    'an invalid backend name',
    (spec) => ({ ...spec, backend: 'gpu' }),
    'backend: Invalid option: expected one of "auto"|"tensorflow"|"native"|"webgpu"|"webgl"|"wasm"|"cpu"',
  ],
  [
    'a teacher and student with different class counts',
    (spec) => ({ ...spec, teachers: [{ name: 'binary', model: twoClassTeacherModel }] }),
    "teachers[0].model: teacher 'binary' predicts 2 classes but the student predicts 3",
  ],
];

describe('composeExperiment', () => {
  it.each(badInputs)('refuses %s with one line naming the problem', (_, change, message) => {
    const error = errorOf(() => createDistiller(change(validSpec()) as ExperimentSpec));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain('\n');
  });

  it('composes a valid experiment into a Distiller', () => {
    const distiller = createDistiller(validSpec());
    expect(distiller.termNames).toEqual(['task.ce']);
    expect(distiller.teachers.map((teacher) => teacher.name)).toEqual(['t']);
    expect(distiller.student.name).toBe('student');
    distiller.optimizer.dispose();
  });

  it('freezes a teacher given as trainable and logs one warning through the spec logger', () => {
    const model = fixtureMlp({ inputSize: 4, hidden: [3], classes: 3, prefix: 'eager' });
    expect(model.trainable).toBe(true);
    const logger = recordingLogger();
    const container = composeExperiment({ ...validSpec(), teachers: [{ name: 'eager', model, trainable: true }], logger });
    expect(model.trainable).toBe(false);
    expect(model.trainableWeights).toEqual([]);
    expect(logger.warnings).toEqual(["teacher 'eager' was given as trainable; teachers are frozen, so it will not train"]);
    expect(container.getAll<Teacher>(Teacher).map((teacher) => teacher.name)).toEqual(['eager']);
    model.dispose();
  });

  it('freezes every teacher without a warning when trainable is not asked for', () => {
    const model = fixtureMlp({ inputSize: 4, hidden: [3], classes: 3, prefix: 'quiet' });
    const logger = recordingLogger();
    composeExperiment({ ...validSpec(), teachers: [{ name: 'quiet', model }], logger });
    expect(model.trainable).toBe(false);
    expect(logger.warnings).toEqual([]);
    model.dispose();
  });
});

describe('composeExperiment with a plugin listed twice', () => {
  it('loads it once, so its strategy keys do not clash', () => {
    const plugin = new ContainerModule(({ bind }) => {
      bind(StrategyFactory).toConstantValue({
        key: 'test.once',
        description: 'bound once',
        create: () => ({ key: 'test.once', loss: () => tf.scalar(0) }),
      });
    });
    const container = composeExperiment({ ...validSpec(), plugins: [plugin, plugin] });
    expect(container.get(StrategyRegistry).keys()).toEqual(['task.ce', 'test.once']);
  });
});
