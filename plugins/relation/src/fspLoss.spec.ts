import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fspLoss } from './fspLoss.js';
import { fspMatrix } from './fspMatrix.js';
import type { RelationReduction } from './RelationReduction.js';
import { type FeatureValues, type Shape4, waveFeatures } from './relationLossTestKit.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type FeatureMap = FeatureValues<Shape4>;
/** One layer pair of one network: the FSP matrix goes from `first` to `second`. */
type MapPair = [FeatureMap, FeatureMap];

async function lossOfMatrices(
  student: number[][][][],
  teacher: number[][][][],
  reduction: RelationReduction = 'mean',
): Promise<number[]> {
  return expectNoLeaks(async () => {
    const loss = tf.tidy(() =>
      fspLoss(
        student.map((m) => tf.tensor3d(m)),
        teacher.map((m) => tf.tensor3d(m)),
        { reduction },
      ),
    );
    const values = Array.from(await loss.data());
    loss.dispose();
    return values;
  });
}

async function lossOfMaps(student: MapPair[], teacher: MapPair[], reduction: RelationReduction = 'mean'): Promise<number[]> {
  return expectNoLeaks(async () => {
    const loss = tf.tidy(() => {
      const matrices = (pairs: MapPair[]) =>
        pairs.map(([a, b]) => fspMatrix(tf.tensor4d(a.values, a.shape), tf.tensor4d(b.values, b.shape)));
      return fspLoss(matrices(student), matrices(teacher), { reduction });
    });
    const values = Array.from(await loss.data());
    loss.dispose();
    return values;
  });
}

/** An independent float64 FSP loss (batch mean) from NHWC maps, for finite differences. */
function fspReference(student: MapPair[], teacher: MapPair[]): number {
  const matrix = ([a, b]: MapPair) => {
    const [batch, height, width, aChannels] = a.shape;
    const bChannels = b.shape[3];
    const positions = height * width;
    return Array.from({ length: batch }, (_, example) =>
      Array.from({ length: aChannels }, (_, i) =>
        Array.from({ length: bChannels }, (_, j) => {
          let total = 0;
          for (let p = 0; p < positions; p++) {
            const at = example * positions + p;
            total += (a.values[at * aChannels + i] as number) * (b.values[at * bChannels + j] as number);
          }
          return total / positions;
        }),
      ),
    );
  };
  let loss = 0;
  for (const [n, pair] of student.entries()) {
    const [s, t] = [matrix(pair).flat(2), matrix(teacher[n] as MapPair).flat(2)];
    loss += s.reduce((sum, v, k) => sum + (v - (t[k] as number)) ** 2, 0) / s.length;
  }
  return loss / student.length;
}

const fixtureStudent: MapPair[] = [
  [waveFeatures([2, 4, 4, 2], 0.2), waveFeatures([2, 4, 4, 3], 0.5)],
  [waveFeatures([2, 2, 2, 3], 0.3), waveFeatures([2, 2, 2, 4], 0.9)],
];
const fixtureTeacher: MapPair[] = [
  [waveFeatures([2, 4, 4, 2], 1.1), waveFeatures([2, 4, 4, 3], 1.7)],
  [waveFeatures([2, 2, 2, 3], 2.0), waveFeatures([2, 2, 2, 4], 2.6)],
];

describe('fspLoss', () => {
  it('averages the mean squared differences of two pairs of matrices worked by hand', async () => {
    // Pair 0, [2, 1, 2]: example 0 (1, 2) vs (1, 0) → (0 + 4)/2 = 2;  example 1 (0, 0) vs (3, 1) → (9 + 1)/2 = 5.
    // Pair 1, [2, 2, 1]: example 0 (1, 1) vs 0 → 1;                   example 1 (2, 2) vs 0 → 4.
    // Per example (mean over the pairs): (2 + 1)/2 = 1.5 and (5 + 4)/2 = 4.5; batch mean 3.
    const student = [
      [[[1, 2]], [[0, 0]]],
      [
        [[1], [1]],
        [[2], [2]],
      ],
    ];
    const teacher = [
      [[[1, 0]], [[3, 1]]],
      [
        [[0], [0]],
        [[0], [0]],
      ],
    ];
    const perExample = await lossOfMatrices(student, teacher, 'none');
    expect(perExample).toHaveLength(2);
    expect(perExample[0]).toBeCloseTo(1.5, 6);
    expect(perExample[1]).toBeCloseTo(4.5, 6);
    expect(await lossOfMatrices(student, teacher)).toEqual([expect.closeTo(3, 6)]);
  });

  it("matches float64 PyTorch on two layer pairs, and 'none' averages to 'mean'", async () => {
    // From fixtures/nst-fsp-cc-fixtures.py (Debian python3-torch, float64): per pair RepDistiller's
    // (fs − ft).pow(2).mean() = 0.0018130299605952493 and 0.04286027749857752, with fs, ft from
    // einsum('bchw,bdhw->bcd') / (H·W) on NCHW maps; the loss is their mean, per example over the pairs.
    const [mean] = await lossOfMaps(fixtureStudent, fixtureTeacher);
    expect(mean).toBeCloseTo(0.022336653729586386, 6);
    expect(mean).toBeCloseTo((0.0018130299605952493 + 0.04286027749857752) / 2, 6);
    const perExample = await lossOfMaps(fixtureStudent, fixtureTeacher, 'none');
    expect(perExample[0]).toBeCloseTo(0.03442185633507637, 6);
    expect(perExample[1]).toBeCloseTo(0.010251451124096405, 6);
    expect(((perExample[0] as number) + (perExample[1] as number)) / 2).toBeCloseTo(mean as number, 7);
  });

  it('is zero when the student matrices equal the teacher matrices', async () => {
    expect(await lossOfMaps(fixtureTeacher, fixtureTeacher)).toEqual([0]);
  });

  it('has the gradient of finite differences with respect to the student maps', async () => {
    const student: MapPair[] = [
      [waveFeatures([2, 2, 2, 2], 0.4), waveFeatures([2, 2, 2, 3], 1.2)],
      [waveFeatures([2, 1, 2, 3], 2.2), waveFeatures([2, 1, 2, 2], 0.8)],
    ];
    const teacher: MapPair[] = [
      [waveFeatures([2, 2, 2, 2], 2.4), waveFeatures([2, 2, 2, 3], 0.1)],
      [waveFeatures([2, 1, 2, 3], 1.4), waveFeatures([2, 1, 2, 2], 2.9)],
    ];
    const maps = student.flat();
    const gradients = await expectNoLeaks(async () => {
      const grads = tf.tidy(() => {
        const teacherMatrices = teacher.map(([a, b]) =>
          fspMatrix(tf.tensor4d(a.values, a.shape), tf.tensor4d(b.values, b.shape)),
        );
        const loss = (...tensors: tf.Tensor[]) =>
          fspLoss(
            [
              fspMatrix(tensors[0] as tf.Tensor, tensors[1] as tf.Tensor),
              fspMatrix(tensors[2] as tf.Tensor, tensors[3] as tf.Tensor),
            ],
            teacherMatrices,
          );
        return tf.grads(loss)(maps.map((m) => tf.tensor4d(m.values, m.shape)));
      });
      const values = await Promise.all(grads.map(async (g) => Array.from(await g.data())));
      tf.dispose(grads);
      return values;
    });
    const step = 1e-5;
    for (const [m, map] of maps.entries()) {
      for (const [i, value] of (gradients[m] as number[]).entries()) {
        const shifted = (delta: number): MapPair[] => {
          const moved = maps.map((other, k) =>
            k === m ? { values: other.values.map((v, j) => (j === i ? v + delta : v)), shape: other.shape } : other,
          );
          return [
            [moved[0] as FeatureMap, moved[1] as FeatureMap],
            [moved[2] as FeatureMap, moved[3] as FeatureMap],
          ];
        };
        const expected = (fspReference(shifted(step), teacher) - fspReference(shifted(-step), teacher)) / (2 * step);
        expect(value, `map ${m}, value ${i} of [${map.shape.join(', ')}]`).toBeCloseTo(expected, 5);
      }
    }
  });

  it('rejects an empty list, unequal counts, mismatched shapes or batches, and an unknown reduction', () => {
    const run =
      (student: number[][], teacher: number[][], reduction: string = 'mean') =>
      () =>
        tf.tidy(() =>
          fspLoss(
            student.map((shape) => tf.ones<tf.Rank>(shape) as tf.Tensor3D),
            teacher.map((shape) => tf.ones<tf.Rank>(shape) as tf.Tensor3D),
            { reduction: reduction as RelationReduction },
          ),
        );
    expect(run([], [])).toThrow(DistilleryError);
    expect(run([], [])).toThrow('fspLoss: expected at least one pair of FSP matrices, got none');
    expect(
      run(
        [[2, 3, 4]],
        [
          [2, 3, 4],
          [2, 4, 5],
        ],
      ),
    ).toThrow('fspLoss: got 1 student and 2 teacher FSP matrices; expected one teacher matrix per student matrix');
    expect(
      run(
        [
          [2, 3, 4],
          [2, 4, 5],
        ],
        [
          [2, 3, 4],
          [2, 4, 6],
        ],
      ),
    ).toThrow(
      'fspLoss: pair 1 has FSP matrices student [2, 4, 5] and teacher [2, 4, 6]; expected one shape [B, Ca, Cb] for both',
    );
    expect(run([[2, 12]], [[2, 12]])).toThrow(
      'fspLoss: pair 0 has FSP matrices student [2, 12] and teacher [2, 12]; expected one shape [B, Ca, Cb] for both',
    );
    expect(
      run(
        [
          [2, 3, 4],
          [3, 4, 5],
        ],
        [
          [2, 3, 4],
          [3, 4, 5],
        ],
      ),
    ).toThrow('fspLoss: pair 1 covers a batch of 3, pair 0 a batch of 2');
    expect(run([[2, 0, 4]], [[2, 0, 4]])).toThrow(
      'fspLoss: pair 0 has empty FSP matrices student [2, 0, 4] and teacher [2, 0, 4]',
    );
    expect(run([[2, 3, 4]], [[2, 3, 4]], 'sum')).toThrow("fspLoss: reduction must be 'mean' or 'none', got 'sum'");
  });
});
