import '@tensorflow/tfjs-backend-cpu';
import type { DistillationContext, TapShapes } from '@distillery/core';
import { creationContext, distillationContext, expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HintAdapterSet } from './HintAdapterSet.js';
import type { HintPair } from './HintPair.js';

/** Pair 0: student 'a' [B, 2] → teacher 'wide' layer 'x' [B, 2]; pair 1: 'a' → teacher 'deep' layer 'y' [B, 1]. */
const pairs: HintPair[] = [
  { student: 'a', teacher: 'wide', teacherLayer: 'x' },
  { student: 'a', teacher: 'deep', teacherLayer: 'y' },
];
const shapes: TapShapes = {
  student: { a: [null, 2] },
  teachers: { wide: { x: [null, 2] }, deep: { y: [null, 1] } },
  numClasses: 2,
};
const context = creationContext({ teacherNames: ['wide', 'deep'], seed: 3, term: 'multi.hint' });

let tensors: Record<'labels' | 'logits' | 'a' | 'x' | 'y', tf.Tensor>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tensors = {
    labels: tf.tensor1d([0, 1], 'int32'),
    logits: tf.zeros([2, 2]),
    a: tf.tensor2d([
      [1, 2],
      [0, 1],
    ]),
    x: tf.tensor2d([
      [0, 0],
      [0, 1],
    ]),
    y: tf.tensor2d([[2], [2]]),
  };
});

afterAll(() => {
  tf.dispose(Object.values(tensors));
});

const made: HintAdapterSet[] = [];

afterEach(() => {
  for (const set of made.splice(0)) set.dispose();
});

function adapterSet(resize: 'bilinear' | 'refuse' = 'bilinear', forPairs: readonly HintPair[] = pairs): HintAdapterSet {
  const set = new HintAdapterSet(forPairs, { key: 'multi.hint', context, resize });
  made.push(set);
  return set;
}

function batch(studentFeatures: Record<string, tf.Tensor> = { a: tensors.a }): DistillationContext {
  const logits = tensors.logits as tf.Tensor2D;
  return distillationContext({
    student: { logits, features: studentFeatures },
    teachers: { wide: { logits, features: { x: tensors.x } }, deep: { logits, features: { y: tensors.y } } },
    labels: tensors.labels as tf.Tensor1D,
  });
}

/** Sets pair 0 to r(a) = a and pair 1 to r(a) = a_1 + a_2 − 1. */
function setAdapters(set: HintAdapterSet): void {
  const [kernel0, bias0, kernel1, bias1] = set.variables();
  tf.tidy(() => {
    kernel0?.assign(tf.eye(2));
    bias0?.assign(tf.zeros([2]));
    kernel1?.assign(tf.tensor2d([[1], [1]]));
    bias1?.assign(tf.tensor1d([-1]));
  });
}

async function valuesOf(losses: readonly tf.Tensor[]): Promise<number[][]> {
  const values = await Promise.all(losses.map(async (loss) => Array.from(await loss.data())));
  tf.dispose([...losses]);
  return values;
}

describe('HintAdapterSet', () => {
  it("builds one adapter per pair, its variables named 'pairs[p]/kernel' and 'pairs[p]/bias' under the term", () => {
    const set = adapterSet();
    expect(set.variables()).toEqual([]);
    set.build(shapes);
    expect(set.variables().map((variable) => [variable.name, variable.shape])).toEqual([
      ['multi.hint/pairs[0]/kernel', [2, 2]],
      ['multi.hint/pairs[0]/bias', [2]],
      ['multi.hint/pairs[1]/kernel', [2, 1]],
      ['multi.hint/pairs[1]/bias', [1]],
    ]);
  });

  it("seeds pair p's kernel with '<seed>/<key>/<p>'", async () => {
    const set = adapterSet();
    set.build(shapes);
    const [kernel0, , kernel1] = set.variables();
    // Glorot-uniform limits √(6 / (2 + 2)) and √(6 / (2 + 1)).
    const expected = await expectNoLeaks(() =>
      tf.tidy(() => [
        Array.from(tf.randomUniform([2, 2], -Math.sqrt(1.5), Math.sqrt(1.5), 'float32', '3/multi.hint/0').dataSync()),
        Array.from(tf.randomUniform([2, 1], -Math.SQRT2, Math.SQRT2, 'float32', '3/multi.hint/1').dataSync()),
      ]),
    );
    expect(Array.from((kernel0 as tf.Variable).dataSync())).toEqual(expected[0]);
    expect(Array.from((kernel1 as tf.Variable).dataSync())).toEqual(expected[1]);
  });

  it("gives each pair's hint loss as a batch mean by default, worked by hand", async () => {
    const set = adapterSet();
    set.build(shapes);
    setAdapters(set);
    // Pair 0: r(a) = a = [[1, 2], [0, 1]] against x = [[0, 0], [0, 1]]: (1 + 4 + 0 + 0) / 4 = 1.25.
    // Pair 1: r(a) = [[2], [0]] against y = [[2], [2]]: (0 + 4) / 2 = 2.
    const values = await expectNoLeaks(() => valuesOf(set.losses(batch())));
    expect(values).toEqual([[1.25], [2]]);
  });

  it("gives each pair's loss per example with reduction 'none', worked by hand", async () => {
    const set = adapterSet();
    set.build(shapes);
    setAdapters(set);
    // Pair 0: example 1 (1 + 4) / 2 = 2.5, example 2 (0 + 0) / 2 = 0. Pair 1: example 1 0, example 2 (0 − 2)² = 4.
    const values = await expectNoLeaks(() => valuesOf(set.losses(batch(), 'none')));
    expect(values).toEqual([
      [2.5, 0],
      [0, 4],
    ]);
  });

  it('frees the adapters of an earlier build when it is built again', () => {
    const set = adapterSet();
    set.build(shapes);
    const first = set.variables();
    const afterFirst = tf.memory().numTensors;
    set.build(shapes);
    expect(first.every((variable) => variable.isDisposed)).toBe(true);
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(set.variables().map((variable) => variable.name)).toEqual(first.map((variable) => variable.name));
  });

  it('frees the adapters already made when a later pair is refused, naming the pair', () => {
    const set = adapterSet('refuse', [
      { student: 'a', teacher: 'wide', teacherLayer: 'x' },
      { student: 'm', teacher: 'deep', teacherLayer: 'n' },
    ]);
    const before = tf.memory().numTensors;
    const refused: TapShapes = {
      student: { a: [null, 2], m: [null, 8, 8, 2] },
      teachers: { wide: { x: [null, 2] }, deep: { n: [null, 4, 4, 2] } },
      numClasses: 2,
    };
    expect(() => set.build(refused)).toThrow(
      "strategies[0].options.pairs[1]: student layer 'm' [B, 8, 8, 2] and teacher 'deep' layer 'n' [B, 4, 4, 2] differ in spatial size and resize is 'refuse'",
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(set.variables()).toEqual([]);
  });

  it('refuses a pair whose layer the kernel gave no shape for', () => {
    const set = adapterSet();
    expect(() => set.build({ ...shapes, teachers: { wide: { x: [null, 2] } } })).toThrow(
      'strategies[0].options.pairs[1]: the kernel gave no shape for a tapped layer',
    );
  });

  it('refuses losses before it is built, and a batch without a tapped layer', () => {
    const set = adapterSet();
    expect(() => set.losses(batch())).toThrow('multi.hint: loss() called before build()');
    set.build(shapes);
    const before = tf.memory().numTensors;
    expect(() => set.losses(batch({}))).toThrow("multi.hint: the kernel did not tap 'a' or 'x'");
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frees every variable on dispose, and leaks nothing across repeated losses', async () => {
    const before = tf.memory().numTensors;
    const set = new HintAdapterSet(pairs, { key: 'multi.hint', context, resize: 'bilinear' });
    set.build(shapes);
    const variables = set.variables();
    expect(tf.memory().numTensors).toBe(before + 4);
    await expectNoLeaks(async () => {
      for (let i = 0; i < 3; i++) await valuesOf(set.losses(batch(), i % 2 === 0 ? 'mean' : 'none'));
    });
    set.dispose();
    expect(variables.every((variable) => variable.isDisposed)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
