import '@tensorflow/tfjs-backend-cpu';
import { type DistillationStrategy, lossTotal, StrategyFactory, type TapShapes } from '@distillery/core';
import { creationContext, distillationContext, expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { Container } from 'inversify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correlationCongruenceStrategyFactory } from './correlationCongruenceStrategyFactory.js';
import { fspStrategyFactory } from './fspStrategyFactory.js';
import defaultExport, { relationPlugin } from './index.js';
import { nstStrategyFactory } from './nstStrategyFactory.js';
import { pktStrategyFactory } from './pktStrategyFactory.js';
import { rkdStrategyFactory } from './rkdStrategyFactory.js';
import { similarityPreservingStrategyFactory } from './similarityPreservingStrategyFactory.js';

let teacherLogits: tf.Tensor2D;
let labels: tf.Tensor1D;
let studentLogits: tf.Tensor2D;
let studentStem: tf.Tensor4D;
let studentMap: tf.Tensor4D;
let teacherStem: tf.Tensor4D;
let teacherMap: tf.Tensor4D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  teacherLogits = tf.randomNormal([4, 3], 0, 1, 'float32', 60);
  labels = tf.tensor1d([0, 1, 2, 1], 'int32');
  studentLogits = tf.randomNormal([4, 3], 0, 1, 'float32', 61);
  studentStem = tf.randomNormal([4, 4, 4, 2], 0, 1, 'float32', 62);
  studentMap = tf.randomNormal([4, 4, 4, 3], 0, 1, 'float32', 63);
  teacherStem = tf.randomNormal([4, 4, 4, 2], 0, 1, 'float32', 64);
  teacherMap = tf.randomNormal([4, 2, 2, 5], 0, 1, 'float32', 65);
});

afterAll(() => {
  tf.dispose([teacherLogits, labels, studentLogits, studentStem, studentMap, teacherStem, teacherMap]);
});

const shapes: TapShapes = {
  student: { s_stem: [null, 4, 4, 2], s_map: [null, 4, 4, 3] },
  teachers: { teacher: { t_stem: [null, 4, 4, 2], t_map: [null, 2, 2, 5] } },
  numClasses: 3,
};
const mapPair = { pairs: [{ student: 's_map', teacher: 't_map' }] };

/** Each strategy as a config would set it up, and the student tensors its loss reads. */
const cases: { factory: StrategyFactory; options: object; reads: ('logits' | 's_stem' | 's_map')[] }[] = [
  ...[rkdStrategyFactory, pktStrategyFactory, similarityPreservingStrategyFactory, correlationCongruenceStrategyFactory].flatMap(
    (factory) => [
      { factory, options: {}, reads: ['logits' as const] },
      { factory, options: mapPair, reads: ['s_map' as const] },
    ],
  ),
  { factory: nstStrategyFactory, options: mapPair, reads: ['s_map'] },
  {
    factory: fspStrategyFactory,
    options: { pairs: [{ student: ['s_stem', 's_map'], teacher: ['t_stem', 't_map'] }] },
    reads: ['s_stem', 's_map'],
  },
];

describe('relationPlugin', () => {
  it('binds exactly the relation.rkd, .pkt, .sp, .nst, .fsp and .cc strategy factories', () => {
    const container = new Container();
    container.load(relationPlugin);
    const factories = container.getAll<StrategyFactory>(StrategyFactory);
    expect(factories.map((factory) => factory.key).sort()).toEqual([
      'relation.cc',
      'relation.fsp',
      'relation.nst',
      'relation.pkt',
      'relation.rkd',
      'relation.sp',
    ]);
    expect(new Set(factories)).toEqual(
      new Set([
        rkdStrategyFactory,
        pktStrategyFactory,
        similarityPreservingStrategyFactory,
        nstStrategyFactory,
        fspStrategyFactory,
        correlationCongruenceStrategyFactory,
      ]),
    );
  });

  it('is the package default export', () => {
    expect(defaultExport).toBe(relationPlugin);
  });

  it('gives every strategy finite, non-zero gradients in the student tensors its loss reads', async () => {
    for (const { factory, options, reads } of cases) {
      const strategy: DistillationStrategy = factory.create(options, creationContext({ term: factory.key }));
      strategy.build?.(shapes);
      const sizes = await expectNoLeaks(() =>
        tf.tidy(() => {
          const inputs = { logits: studentLogits, s_stem: studentStem, s_map: studentMap };
          const gradients = tf.grads((...read: tf.Tensor[]) => {
            const given: Record<string, tf.Tensor> = { ...inputs };
            reads.forEach((name, i) => {
              given[name] = read[i] as tf.Tensor;
            });
            const context = distillationContext({
              student: {
                logits: given.logits as tf.Tensor2D,
                features: { s_stem: given.s_stem as tf.Tensor, s_map: given.s_map as tf.Tensor },
              },
              teachers: { teacher: { logits: teacherLogits, features: { t_stem: teacherStem, t_map: teacherMap } } },
              labels,
            });
            return lossTotal(strategy.loss(context));
          })(reads.map((name) => inputs[name]));
          return gradients.map((gradient) => {
            const values = Array.from(gradient.dataSync());
            expect(values.every(Number.isFinite), `${factory.key} ${JSON.stringify(options)}`).toBe(true);
            return values.reduce((sum, value) => sum + Math.abs(value), 0);
          });
        }),
      );
      for (const size of sizes) expect(size, `${factory.key} ${JSON.stringify(options)}`).toBeGreaterThan(0);
      strategy.dispose?.();
    }
  });
});
