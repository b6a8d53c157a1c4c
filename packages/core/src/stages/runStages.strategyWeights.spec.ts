import '@tensorflow/tfjs-backend-cpu';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { fixtureMlp, silentLogger, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DistillationContext } from '../strategy/DistillationContext.js';
import type { DistillationStrategy } from '../strategy/DistillationStrategy.js';
import type { StrategyCreationContext } from '../strategy/StrategyCreationContext.js';
import { StrategyFactory } from '../strategy/StrategyFactory.js';
import { stopGradient } from '../strategy/stopGradient.js';
import { runStages } from './runStages.js';
import type { StagedExperimentSpec } from './StagedExperimentSpec.js';
import type { StageResult } from './StageResult.js';

const train = new IndexedDataset(gaussianClusters({ examples: 48, features: 6, classes: 3, seed: 5 }));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
const training = { epochs: 3, batchSize: 16, seed: 1, optimizer: { name: 'adam' as const, learningRate: 0.05 } };

/**
 * A module pre-trained in one stage and used in the next, in miniature: `test.fit-module` trains `module/scale`
 * ([3]) so that scale · logits matches 2 · logits of the fixed student; `test.use-module` holds the same local name
 * as frozen state and pulls the student's logits towards scale · (its own detached logits).
 */
const moduleStrategies = (shape: number[] = [3]) =>
  new ContainerModule(({ bind }) => {
    bind(StrategyFactory).toConstantValue({
      key: 'test.fit-module',
      description: 'fits module/scale to twice the fixed student’s logits',
      create: (_options: unknown, context: StrategyCreationContext) => {
        const scale = tf.tidy(() => tf.variable(tf.ones(shape), true, context.variableName('module/scale')));
        const strategy: DistillationStrategy = {
          key: 'test.fit-module',
          variables: () => [scale],
          loss: ({ student }: DistillationContext) =>
            tf.tidy(() => {
              const logits = stopGradient(student.logits);
              return tf.mean(tf.squaredDifference(tf.mul(logits, scale), tf.mul(logits, 2)));
            }) as tf.Scalar,
          dispose: () => scale.dispose(),
        };
        return strategy;
      },
    });
    bind(StrategyFactory).toConstantValue({
      key: 'test.use-module',
      description: 'holds module/scale as frozen state',
      create: (_options: unknown, context: StrategyCreationContext) => {
        const scale = tf.tidy(() => tf.variable(tf.ones(shape), false, context.variableName('module/scale')));
        return {
          key: 'test.use-module',
          state: () => [scale],
          loss: ({ student }: DistillationContext) =>
            tf.tidy(() =>
              tf.mean(tf.squaredDifference(student.logits, tf.mul(stopGradient(student.logits), scale))),
            ) as tf.Scalar,
          dispose: () => scale.dispose(),
        };
      },
    });
  });

function spec(plugins = [moduleStrategies()]): StagedExperimentSpec {
  return {
    stages: [
      {
        name: 'teacher',
        student: { model: () => fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 't', seed: 2 }) },
        strategies: [{ key: 'task.ce' }],
        training,
      },
      { name: 'module', student: { stage: 'teacher', trainable: false }, strategies: [{ key: 'test.fit-module' }], training },
      {
        name: 'student',
        teachers: [{ name: 'teacher', stage: 'teacher' }],
        student: { model: () => fixtureMlp({ inputSize: 6, hidden: [4], classes: 3, prefix: 's', seed: 3 }) },
        strategies: [{ key: 'task.ce' }, { key: 'test.use-module' }],
        strategyWeightsFrom: 'module',
        training: { ...training, epochs: 1 },
      },
    ],
    plugins,
    backend: 'cpu',
    logger: silentLogger,
  };
}

function disposeAll(results: readonly StageResult[]): void {
  for (const model of new Set(results.map((result) => result.model))) model.dispose();
}

describe('a stage with a fixed student', () => {
  it('trains only its strategy’s module, leaves the student as it was, and hands back that same model', async () => {
    const seen: { stage: string; before?: number[][] }[] = [];
    const results = await runStages(
      spec(),
      { train },
      {
        onStageBegin: (stage, distiller) => {
          if (stage === 'module') seen.push({ stage, before: weightsOf(distiller.student.model).map((w) => Array.from(w)) });
        },
      },
    );
    const [teacher, module] = results as [StageResult, StageResult];
    expect(module.model).toBe(teacher.model);
    expect(weightsOf(module.model).map((w) => Array.from(w))).toEqual(seen[0]?.before);
    // Adam at 0.05 for 9 steps moves the scale from 1 towards 2.
    const scale = Array.from(module.strategyWeights?.['module/scale']?.values ?? []);
    expect(scale).toHaveLength(3);
    for (const value of scale) expect(value).toBeGreaterThan(1.2);
    disposeAll(results);
  });

  it('runs the student in inference mode, so its batch-norm statistics stay as they were', async () => {
    const normed = () => {
      const model = tfl.sequential({ name: 'normed' });
      model.add(tfl.layers.dense({ inputShape: [6], units: 5, name: 'normed_dense' }));
      model.add(tfl.layers.batchNormalization({ name: 'normed_bn' }));
      model.add(tfl.layers.dense({ units: 3, name: 'normed_logits' }));
      return model;
    };
    const before: number[][] = [];
    const [result] = await runStages(
      {
        ...spec(),
        stages: [
          { name: 'module', student: { model: normed, trainable: false }, strategies: [{ key: 'test.fit-module' }], training },
        ],
      },
      { train },
      { onStageBegin: (_stage, distiller) => before.push(...weightsOf(distiller.student.model).map((w) => Array.from(w))) },
    );
    // Moving mean and variance included: getWeights lists the non-trainable weights too.
    expect(weightsOf(result?.model as tfl.LayersModel).map((w) => Array.from(w))).toEqual(before);
    // No later stage starts from it, so its strategy variables are not kept.
    expect(result?.strategyWeights).toBeUndefined();
    result?.model.dispose();
  });

  it('is refused when nothing would train', async () => {
    const frozenAlone: StagedExperimentSpec = {
      ...spec(),
      stages: [
        {
          name: 'alone',
          student: { model: () => fixtureMlp({ inputSize: 6, hidden: [4], classes: 3, prefix: 'a', seed: 1 }), trainable: false },
          strategies: [{ key: 'task.ce' }],
          training,
        },
      ],
    };
    await expect(runStages(frozenAlone, { train })).rejects.toThrow(
      'student.trainable: false leaves nothing to train: no peer, and no strategy with variables of its own',
    );
  });
});

describe('a stage starting from an earlier stage’s strategy weights', () => {
  it('starts its strategy’s state of the same local name from the value the earlier stage ended with', async () => {
    const started: number[][] = [];
    const results = await runStages(
      spec(),
      { train },
      {
        onStageBegin: (stage, distiller) => {
          if (stage === 'student') started.push(Array.from(distiller.strategyState()[0]?.dataSync() ?? []));
        },
      },
    );
    const module = results[1] as StageResult;
    expect(started[0]).toEqual(Array.from(module.strategyWeights?.['module/scale']?.values ?? []));
    disposeAll(results);
  });

  it('puts the earlier stage in its fingerprint', async () => {
    const first = await runStages(spec(), { train });
    const longer = spec();
    const stages = [...longer.stages];
    stages[1] = { ...(stages[1] as (typeof stages)[number]), training: { ...training, epochs: 4 } };
    const second = await runStages({ ...longer, stages }, { train });
    expect(second[0]?.fingerprint).toBe(first[0]?.fingerprint);
    expect(second[2]?.fingerprint).not.toBe(first[2]?.fingerprint);
    disposeAll(first);
    disposeAll(second);
  });

  it('refuses a source with nothing in common, or a shape that differs, naming the field', async () => {
    const unrelated = spec();
    const stages = [...unrelated.stages];
    stages[2] = { ...(stages[2] as (typeof stages)[number]), strategyWeightsFrom: 'teacher' };
    const before = tf.memory().numTensors;
    await expect(runStages({ ...unrelated, stages }, { train })).rejects.toThrow(
      "stages[2].strategyWeightsFrom: stage 'teacher' kept no strategy variable this stage's strategies have (it kept none)",
    );
    expect(tf.memory().numTensors).toBe(before);
    // The same local name with another shape in the using stage than the fitting one kept.
    const reshaped = spec([moduleStrategies()]);
    const mismatch = new ContainerModule(({ bind }) => {
      bind(StrategyFactory).toConstantValue({
        key: 'test.wide-module',
        description: 'module/scale of another shape',
        create: (_options: unknown, context: StrategyCreationContext) => {
          const scale = tf.tidy(() => tf.variable(tf.ones([1, 3]), false, context.variableName('module/scale')));
          return { key: 'test.wide-module', state: () => [scale], loss: () => tf.scalar(0), dispose: () => scale.dispose() };
        },
      });
    });
    const wide = [...reshaped.stages];
    wide[2] = { ...(wide[2] as (typeof wide)[number]), strategies: [{ key: 'task.ce' }, { key: 'test.wide-module' }] };
    await expect(runStages({ ...reshaped, stages: wide, plugins: [moduleStrategies(), mismatch] }, { train })).rejects.toThrow(
      "stages[2].strategyWeightsFrom: 'module/scale' has shape [3] in stage 'module', [1,3] here",
    );
  });

  it('refuses a reference to a stage that does not come earlier', async () => {
    const early = spec();
    const stages = [...early.stages];
    stages[0] = { ...(stages[0] as (typeof stages)[number]), strategyWeightsFrom: 'module' };
    await expect(runStages({ ...early, stages }, { train })).rejects.toThrow(
      "stages[0].strategyWeightsFrom: no earlier stage named 'module'; earlier stages: none",
    );
  });
});
