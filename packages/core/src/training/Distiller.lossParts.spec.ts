import '@tensorflow/tfjs-backend-cpu';
import { fixtureMlp, silentLogger, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDistiller } from '../composition/createDistiller.js';
import type { ExperimentSpec } from '../composition/ExperimentSpec.js';
import { TensorDataset } from '../data/TensorDataset.js';
import type { DistillationContext } from '../strategy/DistillationContext.js';
import type { DistillationStrategy } from '../strategy/DistillationStrategy.js';
import { StrategyFactory } from '../strategy/StrategyFactory.js';
import type { StrategyLoss } from '../strategy/StrategyLoss.js';
import type { BatchEndEvent } from './DistillerEvents.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** total = mean(z²) + 2 · mean(|z|), reported as the parts `square` and `absolute` (unweighted). */
function partsStrategy(reports: (parts: Record<string, tf.Scalar>) => Record<string, tf.Scalar> = (parts) => parts) {
  return {
    key: 'test.parts',
    lossParts: ['square', 'absolute'],
    loss(context: DistillationContext): StrategyLoss {
      const square = tf.mean(tf.square(context.student.logits)) as tf.Scalar;
      const absolute = tf.mean(tf.abs(context.student.logits)) as tf.Scalar;
      return { total: tf.add(square, tf.mul(absolute, 2)) as tf.Scalar, parts: reports({ square, absolute }) };
    },
  } satisfies DistillationStrategy;
}

/** The same total, with no parts: training must not tell the two apart. */
const plainStrategy: DistillationStrategy = {
  key: 'test.parts',
  loss: (context) =>
    tf.add(tf.mean(tf.square(context.student.logits)), tf.mul(tf.mean(tf.abs(context.student.logits)), 2)) as tf.Scalar,
};

function experiment(strategy: DistillationStrategy, strategies: ExperimentSpec['strategies'] = [{ key: 'test.parts' }]) {
  return createDistiller({
    student: { model: fixtureMlp({ inputSize: 4, hidden: [6], classes: 3, prefix: 's', seed: 3 }) },
    strategies,
    training: { epochs: 2, batchSize: 4, seed: 1 },
    backend: 'cpu',
    logger: silentLogger,
    plugins: [
      new ContainerModule(({ bind }) => {
        bind(StrategyFactory).toConstantValue({ key: 'test.parts', description: 'parts', create: () => strategy });
      }),
    ],
  });
}

function data(): TensorDataset {
  return new TensorDataset(
    tf.tensor2d(
      Array.from({ length: 32 }, (_, i) => Math.sin(i)),
      [8, 4],
    ),
    tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'),
  );
}

describe('a strategy that reports named parts of its loss', () => {
  it('has them in every batch event and epoch record, while only the total is trained on', async () => {
    const train = data();
    const distiller = experiment(partsStrategy());
    const events: BatchEndEvent[] = [];
    distiller.on('batchEnd', (event) => events.push(event));
    const tensorsAtEpochEnd: number[] = [];
    distiller.on('epochEnd', () => tensorsAtEpochEnd.push(tf.memory().numTensors));
    const history = await distiller.fit(train);
    expect(tensorsAtEpochEnd[1]).toBe(tensorsAtEpochEnd[0]);
    expect(events).toHaveLength(4);
    for (const { losses, total, lossParts } of events) {
      const reported = lossParts?.['test.parts'];
      expect(Object.keys(reported ?? {})).toEqual(['square', 'absolute']);
      expect(losses['test.parts']).toBeCloseTo((reported?.square as number) + 2 * (reported?.absolute as number), 5);
      expect(total).toBeCloseTo(losses['test.parts'] as number, 6);
    }
    const [first, second] = events as [BatchEndEvent, BatchEndEvent];
    const mean = (part: string) =>
      ((first.lossParts?.['test.parts']?.[part] as number) + (second.lossParts?.['test.parts']?.[part] as number)) / 2;
    expect(history[0]?.lossParts?.['test.parts']?.square).toBeCloseTo(mean('square'), 6);
    expect(history[0]?.lossParts?.['test.parts']?.absolute).toBeCloseTo(mean('absolute'), 6);

    const plain = experiment(plainStrategy);
    const plainHistory = await plain.fit(data());
    expect(plainHistory.map(({ loss }) => loss)).toEqual(history.map(({ loss }) => loss));
    expect(plainHistory[0]?.lossParts).toBeUndefined();
    expect(weightsOf(plain.student.model)).toEqual(weightsOf(distiller.student.model));
    distiller.dispose();
    plain.dispose();
    train.dispose();
  });

  it('reports its parts as 0 outside its epoch window, as its loss', async () => {
    const train = data();
    const distiller = experiment(partsStrategy(), [{ key: 'task.ce' }, { key: 'test.parts', from: 1 }]);
    const history = await distiller.fit(train);
    expect(history[0]?.lossParts).toEqual({ 'test.parts': { square: 0, absolute: 0 } });
    expect(history[1]?.lossParts?.['test.parts']?.square).toBeGreaterThan(0);
    distiller.dispose();
    train.dispose();
  });

  it('stops with one line when it returns a part it does not declare, or leaves one out', async () => {
    const train = data();
    const undeclared = experiment(partsStrategy((parts) => ({ ...parts, cube: parts.square as tf.Scalar })));
    await expect(undeclared.fit(train)).rejects.toThrow(
      "strategy 'test.parts' returned a loss part 'cube' it does not declare in lossParts (square, absolute)",
    );
    undeclared.dispose();
    const missing = experiment(partsStrategy(({ square }) => ({ square: square as tf.Scalar })));
    await expect(missing.fit(train)).rejects.toThrow("strategy 'test.parts' declares loss part 'absolute' but returned none");
    missing.dispose();
    train.dispose();
  });
});
