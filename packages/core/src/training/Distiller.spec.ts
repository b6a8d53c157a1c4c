import '@tensorflow/tfjs-backend-cpu';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { expectNoLeaks, FakeStrategy, fakeStrategyFactory, fixtureMlp, silentLogger, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDistiller } from '../composition/createDistiller.js';
import type { ExperimentSpec } from '../composition/ExperimentSpec.js';
import { TensorDataset } from '../data/TensorDataset.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import { StrategyFailure } from '../errors/StrategyFailure.js';
import type { DistillationContext } from '../strategy/DistillationContext.js';
import type { DistillationStrategy } from '../strategy/DistillationStrategy.js';
import type { StrategyFactory as StrategyFactoryType } from '../strategy/StrategyFactory.js';
import { StrategyFactory } from '../strategy/StrategyFactory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function pluginOf(...factories: StrategyFactoryType[]): ContainerModule {
  return new ContainerModule(({ bind }) => {
    for (const factory of factories) bind(StrategyFactory).toConstantValue(factory);
  });
}

function factoryFor(strategy: DistillationStrategy): StrategyFactoryType {
  return { key: strategy.key, description: 'test strategy', create: () => strategy };
}

/** Records what the kernel hands a strategy, as plain numbers. */
class RecordingStrategy implements DistillationStrategy {
  readonly key = 'test.recording';
  readonly seen: { student: number[][]; teachers: number[][][]; features: Record<string, number[]>; step: number }[] = [];
  constructor(readonly taps: DistillationStrategy['taps'] = {}) {}
  loss(context: DistillationContext): tf.Scalar {
    this.seen.push({
      student: context.student.logits.arraySync(),
      teachers: context.teachers.map((teacher) => teacher.logits.arraySync()),
      features: Object.fromEntries(Object.entries(context.student.features).map(([name, tensor]) => [name, tensor.shape])),
      step: context.step,
    });
    return tf.mean(tf.square(context.student.logits)) as tf.Scalar;
  }
}

function spec(overrides: Partial<ExperimentSpec>): ExperimentSpec {
  return {
    student: { model: fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 's', seed: 3 }) },
    strategies: [{ key: 'task.ce' }],
    training: { epochs: 2, batchSize: 16, seed: 1 },
    backend: 'cpu',
    logger: silentLogger,
    ...overrides,
  };
}

describe('Distiller', () => {
  it('lowers the task loss and beats chance on a learnable problem', async () => {
    const data = new IndexedDataset(gaussianClusters({ examples: 240, features: 6, classes: 3, seed: 2, noise: 0.5 }));
    const distiller = createDistiller(
      spec({ training: { epochs: 6, batchSize: 16, seed: 1, optimizer: { name: 'adam', learningRate: 0.02 } } }),
    );
    const history = await distiller.fit(data, { validation: data });
    expect(history).toHaveLength(6);
    expect(history[5]?.loss).toBeLessThan((history[0]?.loss as number) * 0.7);
    expect(history[5]?.validation?.accuracy).toBeGreaterThan(0.8);
    distiller.dispose();
  });

  it('minimises Σ weight · loss and reports each term unweighted', async () => {
    const fake = new FakeStrategy();
    const distiller = createDistiller(
      spec({
        strategies: [
          { key: 'task.ce', weight: 0.5 },
          { key: 'testing.fake', weight: 2 },
        ],
        plugins: [pluginOf(fakeStrategyFactory(fake))],
      }),
    );
    const data = new IndexedDataset(gaussianClusters({ examples: 32, features: 6, classes: 3, seed: 4 }));
    const events: { losses: Record<string, number>; total: number }[] = [];
    distiller.on('batchEnd', (event) => events.push(event));
    distiller.on('trainBegin', () => {
      fake.calls = 0; // forget the backend probe's call
    });
    await distiller.fit(data);
    expect(events).toHaveLength(4); // 2 epochs × 32/16 batches
    for (const { losses, total } of events) {
      expect(Object.keys(losses)).toEqual(['task.ce', 'testing.fake']);
      expect(total).toBeCloseTo(0.5 * (losses['task.ce'] as number) + 2 * (losses['testing.fake'] as number), 5);
    }
    expect(fake.calls).toBe(4);
    distiller.dispose();
  });

  it('runs teachers frozen in inference mode and the student in training mode', async () => {
    // Both models end in heavy dropout before the logits: only training mode makes their outputs random.
    const withDropout = (prefix: string) => {
      const model = tfl.sequential({ name: prefix });
      model.add(tfl.layers.dense({ name: `${prefix}_hidden`, units: 16, inputShape: [6], activation: 'relu' }));
      model.add(tfl.layers.dropout({ name: `${prefix}_dropout`, rate: 0.5 }));
      model.add(tfl.layers.dense({ name: `${prefix}_logits`, units: 3 }));
      return model;
    };
    const teacher = withDropout('t');
    const student = withDropout('s');
    const recording = new RecordingStrategy();
    const distiller = createDistiller(
      spec({
        teachers: [{ name: 'teacher', model: teacher }],
        student: { model: student },
        strategies: [{ key: 'test.recording' }],
        training: { epochs: 1, batchSize: 8, seed: 1, shuffle: false, optimizer: { name: 'sgd', learningRate: 0.1 } },
        plugins: [pluginOf(factoryFor(recording))],
      }),
    );
    const inputs = tf.randomNormal([8, 6], 0, 1, 'float32', 5);
    const teacherBefore = weightsOf(teacher);
    const expectedTeacher = (teacher.predict(inputs) as tf.Tensor).arraySync();
    const studentInference = (student.predict(inputs) as tf.Tensor).arraySync() as number[][];
    await distiller.fit(new TensorDataset(inputs, tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32')));

    const seen = recording.seen.at(-1); // the last call is the training step; the first probed the backend
    expect(seen?.teachers[0]).toEqual(expectedTeacher);
    expect(seen?.student).not.toEqual(studentInference);
    expect(teacher.trainable).toBe(false);
    expect(weightsOf(teacher)).toEqual(teacherBefore);
    expect(weightsOf(student)).not.toEqual(teacherBefore);
    distiller.dispose();
  });

  it('taps the layers strategies ask for and builds them from static shapes', async () => {
    const fake = new FakeStrategy(1, { student: ['s_hidden1'], teachers: { wide: ['w_hidden2'] } });
    const recording = new RecordingStrategy({ student: ['s_hidden1'] });
    const distiller = createDistiller(
      spec({
        teachers: [{ name: 'wide', model: fixtureMlp({ inputSize: 6, hidden: [12, 10], classes: 3, prefix: 'w' }) }],
        strategies: [{ key: 'testing.fake' }, { key: 'test.recording' }],
        plugins: [pluginOf(fakeStrategyFactory(fake), factoryFor(recording))],
      }),
    );
    expect(fake.shapes).toEqual({
      student: { s_hidden1: [null, 8] },
      teachers: { wide: { w_hidden2: [null, 10] } },
      numClasses: 3,
    });
    const data = new IndexedDataset(gaussianClusters({ examples: 16, features: 6, classes: 3 }));
    await distiller.fit(data);
    expect(recording.seen.at(-1)?.features).toEqual({ s_hidden1: [16, 8] });
    distiller.dispose();
  });

  it('trains the variables a strategy owns with the student', async () => {
    let offset: tf.Variable | undefined;
    const owning: DistillationStrategy = {
      key: 'test.owning',
      build() {
        offset = tf.variable(tf.zeros([3]), true, 'test.owning/offset');
      },
      variables: () => (offset === undefined ? [] : [offset]),
      // Pulls student logits + offset towards 1: the offset gets a gradient.
      loss: ({ student }) => tf.mean(tf.square(tf.sub(tf.add(student.logits, offset as tf.Variable), 1))) as tf.Scalar,
      dispose: () => offset?.dispose(),
    };
    const distiller = createDistiller(spec({ strategies: [{ key: 'test.owning' }], plugins: [pluginOf(factoryFor(owning))] }));
    expect(distiller.strategyVariables()).toEqual([offset]);
    const data = new IndexedDataset(gaussianClusters({ examples: 16, features: 6, classes: 3 }));
    await distiller.fit(data);
    expect(Array.from((offset as tf.Variable).dataSync()).some((value) => value !== 0)).toBe(true);
    distiller.dispose();
    expect(offset?.isDisposed).toBe(true);
  });

  it('counts a term only inside its epoch window', async () => {
    const early = new FakeStrategy();
    const distiller = createDistiller(
      spec({
        strategies: [
          { key: 'testing.fake', until: 1 },
          { key: 'task.ce', from: 1 },
        ],
        training: { epochs: 3, batchSize: 16, seed: 1 },
        plugins: [pluginOf(fakeStrategyFactory(early))],
      }),
    );
    const data = new IndexedDataset(gaussianClusters({ examples: 32, features: 6, classes: 3 }));
    distiller.on('trainBegin', () => {
      early.calls = 0;
    });
    const history = await distiller.fit(data);
    expect(early.calls).toBe(2); // epoch 0 only, two batches
    expect(history[0]?.losses['task.ce']).toBe(0);
    expect(history[0]?.losses['testing.fake']).toBeGreaterThan(0);
    expect(history[2]?.losses['testing.fake']).toBe(0);
    expect(history[2]?.losses['task.ce']).toBeGreaterThan(0);
    distiller.dispose();
  });

  it('leaks no tensor from step to step or epoch to epoch', async () => {
    const distiller = createDistiller(
      spec({
        teachers: [{ name: 'wide', model: fixtureMlp({ inputSize: 6, hidden: [12], classes: 3, prefix: 'w' }) }],
        strategies: [{ key: 'task.ce' }, { key: 'testing.fake', weight: 0.1 }],
        training: { epochs: 3, batchSize: 8, seed: 1, clipGradNorm: 1 },
        plugins: [
          pluginOf(fakeStrategyFactory(new FakeStrategy(1, { student: ['s_hidden1'], teachers: { wide: ['w_hidden1'] } }))),
        ],
      }),
    );
    const data = new IndexedDataset(gaussianClusters({ examples: 40, features: 6, classes: 3 }));
    const counts: number[] = [];
    distiller.on('epochEnd', () => counts.push(tf.memory().numTensors));
    await distiller.fit(data, { validation: data });
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    const [batch] = data.batches({ batchSize: 8, shuffle: false, seed: 0, epoch: 0 });
    await expectNoLeaks(() => distiller.step(batch as never).then(() => undefined));
    tf.dispose([batch?.inputs as tf.Tensor, batch?.labels as tf.Tensor]);
    distiller.dispose();
  });

  it('rescales gradients whose global norm exceeds clipGradNorm', async () => {
    // One SGD step moves the weights by lr·g·min(1, c/‖g‖): with c tiny the whole move has norm lr·c.
    const model = fixtureMlp({ inputSize: 6, hidden: [], classes: 3, prefix: 'c' });
    const distiller = createDistiller(
      spec({
        student: { model },
        training: { epochs: 1, batchSize: 16, seed: 1, clipGradNorm: 1e-3, optimizer: { name: 'sgd', learningRate: 0.5 } },
      }),
    );
    const before = weightsOf(model).flatMap((weight) => Array.from(weight));
    const data = new IndexedDataset(gaussianClusters({ examples: 16, features: 6, classes: 3 }));
    await distiller.fit(data);
    const after = weightsOf(model).flatMap((weight) => Array.from(weight));
    const moved = Math.hypot(...after.map((value, i) => value - (before[i] as number)));
    expect(moved).toBeCloseTo(0.5 * 1e-3, 6);
    distiller.dispose();
  });

  it('emits events in order and awaits callbacks before going on', async () => {
    const distiller = createDistiller(spec({ training: { epochs: 2, batchSize: 16, seed: 1 } }));
    const order: string[] = [];
    for (const name of ['trainBegin', 'epochBegin', 'epochEnd', 'trainEnd'] as const) distiller.on(name, () => order.push(name));
    let slowCallbackDone = false;
    const data = new IndexedDataset(gaussianClusters({ examples: 16, features: 6, classes: 3 }));
    await distiller.fit(data, {
      callbacks: [
        {
          onEpochEnd: async ({ epoch }) => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            if (epoch === 0) slowCallbackDone = true;
          },
          onEpochBegin: ({ epoch }) => {
            if (epoch === 1) order.push(`callback saw epoch 0 finished: ${slowCallbackDone}`);
          },
        },
      ],
    });
    expect(order).toEqual([
      'trainBegin',
      'epochBegin',
      'epochEnd',
      'epochBegin',
      'callback saw epoch 0 finished: true',
      'epochEnd',
      'trainEnd',
    ]);
    distiller.dispose();
  });

  it('stops after the current batch when asked', async () => {
    const distiller = createDistiller(spec({ training: { epochs: 5, batchSize: 4, seed: 1 } }));
    const data = new IndexedDataset(gaussianClusters({ examples: 16, features: 6, classes: 3 }));
    let batches = 0;
    const history = await distiller.fit(data, {
      callbacks: [
        {
          onBatchEnd: () => {
            batches++;
            if (batches === 6) distiller.stop();
          },
        },
      ],
    });
    expect(batches).toBe(6);
    expect(history).toHaveLength(2);
    distiller.dispose();
  });

  it('measures accuracy and agreement with each teacher', async () => {
    // The student is a copy of the teacher, so they agree on every example; accuracy is checked by hand.
    const teacher = fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 't', seed: 9 });
    const student = fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 's', seed: 9 });
    const distiller = createDistiller(spec({ teachers: [{ name: 'twin', model: teacher }], student: { model: student } }));
    const data = new IndexedDataset(gaussianClusters({ examples: 30, features: 6, classes: 3, seed: 8 }));
    const metrics = await distiller.evaluate(data);
    const [inputs, labels] = (() => {
      const [batch] = data.batches({ batchSize: 30, shuffle: false, seed: 0, epoch: 0 });
      return [batch?.inputs as tf.Tensor, batch?.labels as tf.Tensor];
    })();
    const predicted = tf.argMax(student.predict(inputs) as tf.Tensor, 1).arraySync() as number[];
    const truth = labels.arraySync() as number[];
    expect(metrics.accuracy).toBeCloseTo(predicted.filter((p, i) => p === truth[i]).length / 30, 10);
    expect(metrics.agreement).toEqual({ twin: 1 });
    tf.dispose([inputs, labels]);
    distiller.dispose();
  });
});

describe('Distiller.diagnoseTeachers', () => {
  it('measures each teacher, how often they agree, and the mean-probs ensemble', async () => {
    const a = fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 'a', seed: 9 });
    const twin = fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 'twin', seed: 9 });
    const other = fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 'other', seed: 10 });
    const distiller = createDistiller(
      spec({
        teachers: [
          { name: 'a', model: a },
          { name: 'twin', model: twin },
          { name: 'other', model: other },
        ],
      }),
    );
    const data = new IndexedDataset(gaussianClusters({ examples: 30, features: 6, classes: 3, seed: 8 }));
    const diagnostics = await distiller.diagnoseTeachers(data);

    const [batch] = data.batches({ batchSize: 30, shuffle: false, seed: 0, epoch: 0 });
    const labels = batch?.labels.arraySync() as number[];
    const probabilities = [a, twin, other].map(
      (model) => (model.predict(batch?.inputs as tf.Tensor) as tf.Tensor).arraySync() as number[][],
    );
    const argMax = (row: number[]) => row.indexOf(Math.max(...row));
    const predictions = probabilities.map((rows) =>
      rows.map((row) => tf.tidy(() => argMax(tf.softmax(tf.tensor1d(row)).arraySync() as number[]))),
    );
    const accuracyOf = (predicted: number[]) => predicted.filter((p, i) => p === labels[i]).length / 30;
    const meanProbs = labels.map((_, i) => {
      const mean = [0, 1, 2].map((c) =>
        probabilities.reduce(
          (sum, rows) => sum + (tf.tidy(() => tf.softmax(tf.tensor1d(rows[i] as number[])).arraySync() as number[])[c] as number),
          0,
        ),
      );
      return argMax(mean);
    });

    expect(diagnostics.examples).toBe(30);
    expect(diagnostics.teachers.a?.accuracy).toBeCloseTo(accuracyOf(predictions[0] as number[]), 10);
    expect(diagnostics.teachers.other?.accuracy).toBeCloseTo(accuracyOf(predictions[2] as number[]), 10);
    expect(diagnostics.agreement.a?.twin).toBe(1);
    expect(diagnostics.agreement.a?.a).toBe(1);
    const disagreeing = (predictions[0] as number[]).filter((p, i) => p === (predictions[2] as number[])[i]).length / 30;
    expect(diagnostics.agreement.a?.other).toBeCloseTo(disagreeing, 10);
    expect(diagnostics.agreement.other?.a).toBeCloseTo(disagreeing, 10);
    expect(diagnostics.ensembles['mean-probs']).toBeCloseTo(accuracyOf(meanProbs), 10);
    expect(diagnostics.teachers.a?.expectedCalibrationError).toBeGreaterThanOrEqual(0);
    expect(diagnostics.teachers.a?.expectedCalibrationError).toBe(diagnostics.teachers.twin?.expectedCalibrationError);
    tf.dispose([batch?.inputs as tf.Tensor, batch?.labels as tf.Tensor]);
    distiller.dispose();
  });

  it('reports the ensemble of each strategy that combines teachers, and runs before training', async () => {
    // A strategy whose ensemble is "always class 2": its accuracy is the share of label 2, a third.
    const alwaysTwo: DistillationStrategy = {
      key: 'test.combining',
      combineTeachers: (teachers) =>
        tf.oneHot(tf.fill([teachers[0]?.logits.shape[0] as number], 2, 'int32') as tf.Tensor1D, 3) as tf.Tensor2D,
      loss: ({ student }) => tf.mean(tf.square(student.logits)) as tf.Scalar,
    };
    const distiller = createDistiller(
      spec({
        teachers: [{ name: 't', model: fixtureMlp({ inputSize: 6, hidden: [4], classes: 3, prefix: 't' }) }],
        strategies: [{ key: 'test.combining', name: 'mine' }],
        plugins: [pluginOf(factoryFor(alwaysTwo))],
      }),
    );
    const order: string[] = [];
    distiller.on('teachersDiagnosed', (diagnostics) => order.push(`diagnosed ${diagnostics.ensembles.mine}`));
    distiller.on('trainBegin', () => order.push('trainBegin'));
    const data = new IndexedDataset(gaussianClusters({ examples: 30, features: 6, classes: 3 }));
    await distiller.fit(data);
    expect(order).toEqual([`diagnosed ${10 / 30}`, 'trainBegin']);
    expect(distiller.diagnostics?.ensembles.mine).toBeCloseTo(1 / 3, 12);
    await expectNoLeaks(() => distiller.diagnoseTeachers(data).then(() => undefined));
    distiller.dispose();
  });
});

describe('Distiller refuses', () => {
  it('a strategy whose loss is not a scalar, naming it', async () => {
    const vector: DistillationStrategy = { key: 'test.vector', loss: ({ student }) => tf.mean(student.logits, 0) as never };
    const distiller = createDistiller(spec({ strategies: [{ key: 'test.vector' }], plugins: [pluginOf(factoryFor(vector))] }));
    const data = new IndexedDataset(gaussianClusters({ examples: 8, features: 6, classes: 3 }));
    await expect(distiller.fit(data)).rejects.toThrow("strategy 'test.vector' returned a loss of shape [3]; expected a scalar");
    distiller.dispose();
  });

  it('taps on a teacher the experiment does not have', () => {
    const fake = new FakeStrategy(1, { teachers: { ghost: ['x'] } });
    expect(() =>
      createDistiller(spec({ strategies: [{ key: 'testing.fake' }], plugins: [pluginOf(fakeStrategyFactory(fake))] })),
    ).toThrow("strategies[0]: taps teacher 'ghost', but the teachers are: none");
  });

  it('a tap on a layer the model does not have, listing its layers', () => {
    const fake = new FakeStrategy(1, { student: ['s_hidden9'] });
    expect(() =>
      createDistiller(spec({ strategies: [{ key: 'testing.fake' }], plugins: [pluginOf(fakeStrategyFactory(fake))] })),
    ).toThrow("strategies[0]: the student has no layer named 's_hidden9'; its layers are: s_hidden1 [B,8], s_logits [B,3]");
  });
});

describe("Distiller reports a strategy's own bug as that strategy's failure", () => {
  const data = () => new IndexedDataset(gaussianClusters({ examples: 16, features: 6, classes: 3, seed: 4 }));

  /** A loss through `tf.less`, which has no gradient in tfjs: the backward pass fails, not the loss. */
  const noGradient: DistillationStrategy = {
    key: 'test.no-gradient',
    loss: ({ student }) => tf.mean(tf.cast(tf.less(student.logits, 0), 'float32')) as tf.Scalar,
  };
  const throwing: DistillationStrategy = {
    key: 'test.throwing',
    loss: () => {
      throw new TypeError("Cannot read properties of undefined (reading 'logits')");
    },
  };

  it('names the strategy whose ops have no gradient, among several terms, keeping the cause', async () => {
    const distiller = createDistiller(
      spec({
        strategies: [{ key: 'task.ce' }, { key: 'test.no-gradient', weight: 0.5 }],
        plugins: [pluginOf(factoryFor(noGradient))],
      }),
    );
    const train = data();
    const failure = await expectNoLeaks(() => distiller.fit(train).catch((error: unknown) => error));
    expect(failure).toBeInstanceOf(StrategyFailure);
    expect((failure as StrategyFailure).message).toBe(
      'strategies[1] (test.no-gradient) failed while computing its gradient: Cannot compute gradient: gradient function not found for Less.',
    );
    expect((failure as StrategyFailure).index).toBe(1);
    expect((failure as StrategyFailure).cause).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(DistilleryError);
    distiller.dispose();
  });

  it('finds it while choosing the backend too, before any training, and leaks nothing on the way', async () => {
    const distiller = createDistiller(
      spec({ strategies: [{ key: 'test.no-gradient' }], plugins: [pluginOf(factoryFor(noGradient))], backend: 'auto' }),
    );
    const train = data();
    await expectNoLeaks(async () => {
      await expect(distiller.useBackend(train)).rejects.toThrow(
        /^strategies\[0\] \(test\.no-gradient\) failed while computing its gradient/,
      );
    });
    distiller.dispose();
  });

  it('names a strategy whose loss throws, and one whose factory throws', async () => {
    const distiller = createDistiller(
      spec({ strategies: [{ key: 'test.throwing' }], plugins: [pluginOf(factoryFor(throwing))] }),
    );
    const train = data();
    await expect(distiller.fit(train)).rejects.toThrow(
      "strategies[0] (test.throwing) failed while computing its loss: Cannot read properties of undefined (reading 'logits')",
    );
    distiller.dispose();
    const broken: StrategyFactoryType = {
      key: 'test.broken-factory',
      description: 'test strategy',
      create: () => JSON.parse('{') as DistillationStrategy,
    };
    expect(() =>
      createDistiller(spec({ strategies: [{ key: 'task.ce' }, { key: 'test.broken-factory' }], plugins: [pluginOf(broken)] })),
    ).toThrow(/^strategies\[1\] \(test\.broken-factory\) failed while creating it: /);
  });

  it("passes the user's own mistakes (a DistilleryError) through unchanged", async () => {
    const picky: DistillationStrategy = {
      key: 'test.picky',
      loss: () => {
        throw new DistilleryError('strategies[0].options.teacher: no teacher named ghost', 'strategies[0].options.teacher');
      },
    };
    const distiller = createDistiller(spec({ strategies: [{ key: 'test.picky' }], plugins: [pluginOf(factoryFor(picky))] }));
    const train = data();
    const failure = await distiller.fit(train).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DistilleryError);
    expect((failure as Error).message).toBe('strategies[0].options.teacher: no teacher named ghost');
    distiller.dispose();
  });
});
