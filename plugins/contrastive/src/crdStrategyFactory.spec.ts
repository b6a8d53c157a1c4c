import '@tensorflow/tfjs-backend-cpu';
import {
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
  lossTotal,
  type TapShapes,
} from '@distillery/core';
import { creationContext, distillationContext, expectNoLeaks, strategyLossParts } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crdStrategyFactory } from './crdStrategyFactory.js';
import { embedded, type Matrix, normalized, normalizerOf, rawScores, sideLoss } from './crdTestKit.js';
import { drawNegatives } from './drawNegatives.js';

const creation = creationContext({
  path: 'strategies[1].options',
  teacherNames: ['wide', 'deep'],
  term: 'contrastive.crd',
  seed: 3,
});
const options = { teacher: 'deep', student: 's_pool', teacherLayer: 't_map', featureDim: 4, negatives: 3, temperature: 0.2 };
const shapes: TapShapes = {
  student: { s_pool: [null, 3] },
  teachers: { deep: { t_map: [null, 1, 1, 5] }, wide: {} },
  numClasses: 2,
};
const size = 6;
const studentRows = [
  [0.5, -1.0, 2.0],
  [1.0, 0.0, -0.5],
  [-0.3, 0.8, 0.1],
];
const teacherRows = [
  [1.0, 0.2, -0.4, 0.0, 0.7],
  [-0.6, 1.1, 0.3, 0.5, -0.2],
  [0.4, -0.9, 0.8, -1.2, 0.1],
];
let studentFeature: tf.Tensor2D;
let teacherFeature: tf.Tensor4D;
let logits: tf.Tensor2D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  studentFeature = tf.tensor2d(studentRows);
  teacherFeature = tf.tensor4d(teacherRows.flat(), [3, 1, 1, 5]);
  logits = tf.tensor2d([
    [1, 0],
    [0, 1],
    [1, 1],
  ]);
  labels = tf.tensor1d([0, 1, 0], 'int32');
});

afterAll(() => {
  tf.dispose([studentFeature, teacherFeature, logits, labels]);
});

/** The batch at a step, holding training-set examples `indices` (none: `null`). */
function contextAt(step: number, indices: Int32Array | null = Int32Array.from([4, 0, 2])): DistillationContext {
  const context = distillationContext({
    student: { logits, features: { s_pool: studentFeature } },
    teachers: { wide: logits, deep: { logits, features: { t_map: teacherFeature } } },
    labels,
    step,
  });
  return indices === null ? context : { ...context, indices };
}

function prepared(overrides: object = {}): DistillationStrategy {
  const strategy = crdStrategyFactory.create({ ...options, ...overrides }, creation);
  strategy.build?.(shapes);
  strategy.prepare?.({ size });
  return strategy;
}

/** Everything the float64 reference needs: the batch's embeddings by the strategy's heads, and its state. */
function snapshot(strategy: DistillationStrategy) {
  const [studentKernel, studentBias, teacherKernel, teacherBias] = (strategy.variables?.() ?? []).map(
    (variable) => variable.arraySync() as Matrix & number[],
  );
  const [studentMemory, teacherMemory, normalizers] = (strategy.state?.() ?? []).map((variable) => variable.arraySync());
  return {
    student: embedded(studentRows, studentKernel as Matrix, studentBias as number[]),
    teacher: embedded(teacherRows, teacherKernel as Matrix, teacherBias as number[]),
    studentMemory: studentMemory as Matrix,
    teacherMemory: teacherMemory as Matrix,
    normalizers: normalizers as number[],
  };
}

const drawnAt = (step: number, indices = Int32Array.from([4, 0, 2])) =>
  drawNegatives(indices, { k: 3, datasetSize: size, seed: 3, step });

/** The strategy's parts at a step, as numbers. */
function partsAt(strategy: DistillationStrategy, step: number): Record<string, number> {
  return tf.tidy(() => {
    const result = strategy.loss(contextAt(step));
    const parts = 'total' in result ? result.parts : {};
    return {
      total: lossTotal(result).dataSync()[0] as number,
      ...Object.fromEntries(Object.entries(parts).map(([name, value]) => [name, value.dataSync()[0] as number])),
    };
  });
}

const update = (strategy: DistillationStrategy, step: number, indices?: Int32Array) =>
  tf.tidy(() => strategy.update?.(contextAt(step, indices)));

/** Asserts that `run` throws a DistilleryError whose message is exactly `message`. */
function expectOneLine(run: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DistilleryError);
  expect((thrown as Error).message).toBe(message);
}

describe('crdStrategyFactory', () => {
  it('is registered as contrastive.crd, declares RepDistiller’s defaults and cites Tian et al. 2020', () => {
    expect(crdStrategyFactory.key).toBe('contrastive.crd');
    expect(crdStrategyFactory.optionsSchema?.parse({ student: 's', teacherLayer: 't' })).toEqual({
      student: 's',
      teacherLayer: 't',
      featureDim: 128,
      negatives: 16384,
      temperature: 0.07,
      momentum: 0.5,
    });
    expect(crdStrategyFactory.paper).toBe('Tian, Krishnan, Isola 2020, "Contrastive Representation Distillation", ICLR');
  });

  it('refuses bad options in one line naming the option', () => {
    const cases: [object, string][] = [
      [{ teacherLayer: 't' }, 'strategies[1].options.student: expected a layer name'],
      [{ student: '', teacherLayer: 't' }, 'strategies[1].options.student: expected a layer name'],
      [{ student: 's' }, 'strategies[1].options.teacherLayer: expected a layer name'],
      [{ ...options, featureDim: 0 }, 'strategies[1].options.featureDim: expected a positive integer'],
      [{ ...options, negatives: 2.5 }, 'strategies[1].options.negatives: expected a positive integer'],
      [{ ...options, temperature: 0 }, 'strategies[1].options.temperature: expected a positive number'],
      [{ ...options, momentum: 1 }, 'strategies[1].options.momentum: expected a number in [0, 1)'],
      [{ ...options, momentum: -0.1 }, 'strategies[1].options.momentum: expected a number in [0, 1)'],
      [{ ...options, nceK: 5 }, "strategies[1].options: unknown key 'nceK'"],
      [{ ...options, teacher: 'tall' }, "strategies[1].options.teacher: unknown teacher 'tall'; the teachers are: wide, deep"],
    ];
    for (const [given, message] of cases) {
      expectOneLine(() => crdStrategyFactory.create(given, creation), message);
    }
  });

  it('taps the two layers and builds both heads from their flattened shapes, named under the term', () => {
    const strategy = prepared();
    expect(strategy.taps).toEqual({ student: ['s_pool'], teachers: { deep: ['t_map'] } });
    expect(strategy.lossParts).toEqual(['student', 'teacher']);
    expect(strategy.variables?.().map(({ name, shape, trainable }) => [name, shape, trainable])).toEqual([
      ['contrastive.crd/student/kernel', [3, 4], true],
      ['contrastive.crd/student/bias', [4], true],
      ['contrastive.crd/teacher/kernel', [5, 4], true],
      ['contrastive.crd/teacher/bias', [4], true],
    ]);
    // PyTorch's nn.Linear initialisation: U(±1/√fan_in), here 1/√3 and 1/√5.
    const [studentKernel, , teacherKernel] = strategy.variables?.() ?? [];
    expect(Math.max(...(studentKernel as tf.Variable).dataSync().map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(3));
    expect(Math.max(...(teacherKernel as tf.Variable).dataSync().map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(5));
    strategy.dispose?.();
  });

  it('refuses a tapped layer whose per-example size is not known, in one line', () => {
    const strategy = crdStrategyFactory.create(options, creation);
    expectOneLine(
      () => strategy.build?.({ ...shapes, student: { s_pool: [null, null, 4] } }),
      "strategies[1].options.student: student layer 's_pool' has output shape [B, ?, 4]; an embedding head needs every size but the batch known",
    );
    strategy.dispose?.();
  });

  it('makes the memories and Z in prepare, sized by the training set, and keeps them while the size holds', () => {
    const strategy = prepared();
    const state = strategy.state?.() ?? [];
    expect(state.map(({ name, shape, trainable }) => [name, shape, trainable])).toEqual([
      ['contrastive.crd/memory/student', [6, 4], false],
      ['contrastive.crd/memory/teacher', [6, 4], false],
      ['contrastive.crd/memory/normalizers', [2], false],
    ]);
    // Rows start in U(−s, s), s = 1/√(D/3) = √(3/4); Z starts unset.
    const bound = Math.sqrt(3 / 4);
    for (const memory of state.slice(0, 2)) {
      expect(memory.dataSync().every((value) => Math.abs(value) < bound)).toBe(true);
    }
    expect(Array.from((state[2] as tf.Variable).dataSync())).toEqual([0, 0]);
    strategy.prepare?.({ size });
    expect(strategy.state?.()).toEqual(state);
    strategy.prepare?.({ size: 9 });
    expect(strategy.state?.().map(({ shape }) => shape)).toEqual([[9, 4], [9, 4], [2]]);
    expect(state.every((variable) => variable.isDisposed)).toBe(true);
    strategy.dispose?.();
  });

  it('scores as the float64 reference, with the batch’s own Z before Z is set, and a loss alone (the probe) leaves the state alone', () => {
    const strategy = prepared();
    const before = snapshot(strategy);
    const parts = partsAt(strategy, 0);
    const drawn = drawnAt(0);
    const student = sideLoss(before.student, before.teacherMemory, drawn, { temperature: 0.2 });
    const teacher = sideLoss(before.teacher, before.studentMemory, drawn, { temperature: 0.2 });
    expect(parts.student).toBeCloseTo(student, 4);
    expect(parts.teacher).toBeCloseTo(teacher, 4);
    expect(parts.total).toBeCloseTo(student + teacher, 4);
    expect(snapshot(strategy)).toEqual(before);
    strategy.dispose?.();
  });

  it('sets Z on the first update to the batch’s mean score × N, as RepDistiller, and keeps it afterwards', () => {
    const strategy = prepared();
    const before = snapshot(strategy);
    const drawn = drawnAt(0);
    const expected = [
      normalizerOf(rawScores(before.student, before.teacherMemory, drawn, 0.2), size),
      normalizerOf(rawScores(before.teacher, before.studentMemory, drawn, 0.2), size),
    ];
    update(strategy, 0);
    const [studentZ, teacherZ] = snapshot(strategy).normalizers as [number, number];
    expect(studentZ).toBeCloseTo(expected[0] as number, 3);
    expect(teacherZ).toBeCloseTo(expected[1] as number, 3);
    // Later steps score with the stored Z, not their own.
    const now = snapshot(strategy);
    expect(partsAt(strategy, 1).student).toBeCloseTo(
      sideLoss(now.student, now.teacherMemory, drawnAt(1), { temperature: 0.2, z: studentZ }),
      4,
    );
    update(strategy, 1, Int32Array.from([1, 3, 5]));
    expect(snapshot(strategy).normalizers).toEqual([studentZ, teacherZ]);
    strategy.dispose?.();
  });

  it('moves the memory rows at the batch’s indices by the momentum rule and leaves every other row as it was', () => {
    const strategy = prepared({ momentum: 0.25 });
    const before = snapshot(strategy);
    update(strategy, 0);
    const after = snapshot(strategy);
    const indices = [4, 0, 2];
    const blend = (rows: Matrix, embeddings: Matrix) =>
      normalized(
        indices.map((index, b) =>
          (rows[index] as number[]).map((value, d) => 0.25 * value + 0.75 * (embeddings[b]?.[d] as number)),
        ),
      );
    for (const [memory, old, embeddings] of [
      [after.studentMemory, before.studentMemory, before.student],
      [after.teacherMemory, before.teacherMemory, before.teacher],
    ] as const) {
      const expected = blend(old, embeddings);
      indices.forEach((index, b) => {
        (memory[index] as number[]).forEach((value, d) => {
          expect(value).toBeCloseTo(expected[b]?.[d] as number, 5);
        });
      });
      for (const kept of [1, 3, 5]) expect(memory[kept]).toEqual(old[kept]);
    }
    strategy.dispose?.();
  });

  it('gives the student head the gradient of the float64 loss, by central differences (N = 6, K = 3, D = 4)', () => {
    const strategy = prepared();
    update(strategy, 0);
    const state = snapshot(strategy);
    const [kernel, bias] = strategy.variables?.() ?? [];
    const kernelRows = (kernel as tf.Variable).arraySync() as Matrix;
    const biasValues = (bias as tf.Variable).arraySync() as number[];
    const drawn = drawnAt(1);
    const lossWith = (rows: Matrix) =>
      sideLoss(embedded(studentRows, rows, biasValues), state.teacherMemory, drawn, {
        temperature: 0.2,
        z: state.normalizers[0] as number,
      });
    const gradient = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => lossTotal(strategy.loss(contextAt(1))), [kernel as tf.Variable]);
      return (grads[(kernel as tf.Variable).name] as tf.Tensor).arraySync() as Matrix;
    });
    const h = 1e-6;
    kernelRows.forEach((row, i) => {
      row.forEach((_, j) => {
        const shifted = (delta: number) =>
          kernelRows.map((r, a) => r.map((value, c) => (a === i && c === j ? value + delta : value)));
        const numeric = (lossWith(shifted(h)) - lossWith(shifted(-h))) / (2 * h);
        expect(gradient[i]?.[j]).toBeCloseTo(numeric, 3);
      });
    });
    expect(gradient.flat().some((value) => Math.abs(value) > 1e-3)).toBe(true);
    strategy.dispose?.();
  });

  it('gives the same gradients whether or not update runs in the same gradient scope after the loss', () => {
    const gradientsOf = (withUpdate: boolean) => {
      const strategy = prepared();
      const variables = strategy.variables?.() ?? [];
      const values = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const context = contextAt(0);
          const total = lossTotal(strategy.loss(context));
          if (withUpdate) strategy.update?.(context);
          return total;
        }, variables as tf.Variable[]);
        return variables.map(({ name }) => Array.from((grads[name] as tf.Tensor).dataSync()));
      });
      const z = Array.from(((strategy.state?.() ?? [])[2] as tf.Variable).dataSync());
      strategy.dispose?.();
      return { values, z };
    };
    const alone = gradientsOf(false);
    const updated = gradientsOf(true);
    expect(updated.z.every((value) => value > 0)).toBe(true);
    expect(updated.values).toEqual(alone.values);
  });

  it('refuses a batch without indices, with an index outside the training set, or with one twice, in one line', () => {
    const strategy = prepared();
    const missing = contextAt(0, null);
    const message =
      'contrastive.crd: the dataset gives no example indices (Batch.indices), and CRD keeps one memory row per training example; use a dataset whose batches carry them (TensorDataset and the in-tree datasets do)';
    expectOneLine(() => strategy.loss(missing), message);
    expectOneLine(() => strategy.update?.(missing), message);
    expectOneLine(
      () => strategy.loss(contextAt(0, Int32Array.from([4, 6, 2]))),
      "contrastive.crd: the batch holds example index 6, outside the training set's [0, 6)",
    );
    expectOneLine(
      () => strategy.update?.(contextAt(0, Int32Array.from([4, 0, 4]))),
      'contrastive.crd: the batch holds example index 4 twice; expected distinct indices',
    );
    strategy.dispose?.();
  });

  it('reports its parts through the kernel’s helpers and leaks no tensor over build, prepare, loss, update and dispose', async () => {
    await expectNoLeaks(async () => {
      const strategy = prepared();
      const { total, parts } = await strategyLossParts(strategy, contextAt(0));
      expect(total).toBeCloseTo((parts.student as number) + (parts.teacher as number), 5);
      update(strategy, 0);
      update(strategy, 1);
      strategy.dispose?.();
    });
  });
});
