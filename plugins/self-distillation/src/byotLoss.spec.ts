import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ByotLossOptions } from './ByotLossOptions.js';
import type { ByotOutputs } from './ByotOutputs.js';
import { byotLoss } from './byotLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Matrix = number[][];

/** The loss and its parts as plain numbers; every tensor it makes is freed. */
async function lossValues(
  heads: readonly { logits: Matrix; feature: Matrix }[],
  deepest: { logits: Matrix; feature: Matrix },
  labels: number[],
  options: ByotLossOptions,
): Promise<{ total: number; ce: number; kd: number; feature: number }> {
  return expectNoLeaks(async () => {
    const outputs = (value: { logits: Matrix; feature: Matrix }): ByotOutputs => ({
      logits: tf.tensor2d(value.logits),
      feature: tf.tensor2d(value.feature),
    });
    const headTensors = heads.map(outputs);
    const deepestTensors = outputs(deepest);
    const labelTensor = tf.tensor1d(labels, 'int32');
    const inputs = [labelTensor, ...[...headTensors, deepestTensors].flatMap((output) => [output.logits, output.feature])];
    try {
      const { total, parts } = byotLoss(headTensors, deepestTensors, labelTensor, options);
      const scalars = [total, parts.ce, parts.kd, parts.feature] as tf.Scalar[];
      const [totalValue, ce, kd, feature] = await Promise.all(scalars.map(async (scalar) => (await scalar.data())[0] as number));
      tf.dispose(scalars);
      return { total: totalValue as number, ce: ce as number, kd: kd as number, feature: feature as number };
    } finally {
      tf.dispose(inputs);
    }
  });
}

/** byotLoss in float64 plain numbers: Σ_i (1 − α)·CE_i + α·T²·KL_i + λ·MSE_i, for the finite differences. */
function referenceLoss(
  heads: readonly { logits: Matrix; feature: Matrix }[],
  deepest: { logits: Matrix; feature: Matrix },
  labels: number[],
  { alpha, temperature: t, featureWeight }: ByotLossOptions,
): number {
  const logSoftmax = (row: number[]) => {
    const max = Math.max(...row);
    const log = Math.log(row.reduce((sum, value) => sum + Math.exp(value - max), 0)) + max;
    return row.map((value) => value - log);
  };
  return heads.reduce((total, head) => {
    const rows = head.logits.length;
    let ce = 0;
    let kl = 0;
    head.logits.forEach((row, b) => {
      ce -= logSoftmax(row)[labels[b] as number] as number;
      const teacher = logSoftmax((deepest.logits[b] as number[]).map((value) => value / t));
      const student = logSoftmax(row.map((value) => value / t));
      kl += teacher.reduce((sum, p, c) => sum + Math.exp(p) * (p - (student[c] as number)), 0);
    });
    const squares = head.feature.flatMap((row, b) => row.map((value, d) => (value - (deepest.feature[b]?.[d] as number)) ** 2));
    const mse = squares.reduce((sum, value) => sum + value, 0) / squares.length;
    return total + (1 - alpha) * (ce / rows) + alpha * t * t * (kl / rows) + featureWeight * mse;
  }, 0);
}

// Two heads, B = 3, C = 4, D = 5.
const labels = [3, 1, 2];
const head1 = {
  logits: [
    [1.2, -0.4, 0.3, 2.0],
    [0.1, 0.9, -1.5, 0.4],
    [-0.7, 0.2, 1.1, -0.3],
  ],
  feature: [
    [0.2, 1.0, 0.0, 0.5, 1.3],
    [0.0, 0.4, 0.9, 0.1, 0.0],
    [1.1, 0.0, 0.3, 0.7, 0.2],
  ],
};
const head2 = {
  logits: [
    [0.5, 0.5, -0.2, 1.0],
    [-1.0, 2.2, 0.3, 0.0],
    [0.8, -0.6, 0.4, 1.7],
  ],
  feature: [
    [0.6, 0.3, 0.2, 0.0, 0.9],
    [0.5, 0.0, 1.2, 0.3, 0.4],
    [0.0, 0.8, 0.1, 0.2, 0.6],
  ],
};
const deepest = {
  logits: [
    [2.5, -1.0, 0.0, 1.5],
    [0.3, 1.8, -0.9, -0.2],
    [-0.4, 0.6, 2.1, 0.1],
  ],
  feature: [
    [0.4, 0.7, 0.1, 0.3, 1.0],
    [0.2, 0.3, 1.0, 0.0, 0.1],
    [0.9, 0.2, 0.0, 0.5, 0.4],
  ],
};
const twoHeadOptions = { alpha: 0.3, temperature: 4, featureWeight: 0.5 };

describe('byotLoss', () => {
  it('is (1 − α)·CE + α·T²·KL + λ·MSE for one head, worked out by hand', async () => {
    // Head logits [0, 0] on both rows: softmax [½, ½], so CE = ln 2 = 0.693147 whatever the label.
    // Deepest logits [ln 3, 0] → softmax [¾, ¼] and [0, 0] → [½, ½]. At T = 1,
    //   KL row 0 = ¾·ln(¾ / ½) + ¼·ln(¼ / ½) = 0.75·0.405465 − 0.25·0.693147 = 0.130812, row 1 = 0, KD = 0.130812 / 2 = 0.065406.
    // Features [[1, 2], [0, 0]] against [[1, 0], [0, 1]]: squares 0, 4, 0, 1, mean 1.25.
    // α = 0.5, λ = 0.2: 0.5·0.693147 + 0.5·0.065406 + 0.2·1.25 = 0.629277.
    const head = {
      logits: [
        [0, 0],
        [0, 0],
      ],
      feature: [
        [1, 2],
        [0, 0],
      ],
    };
    const teacher = {
      logits: [
        [Math.log(3), 0],
        [0, 0],
      ],
      feature: [
        [1, 0],
        [0, 1],
      ],
    };
    const values = await lossValues([head], teacher, [0, 1], { alpha: 0.5, temperature: 1, featureWeight: 0.2 });
    expect(values.ce).toBeCloseTo(Math.LN2, 5);
    expect(values.kd).toBeCloseTo(0.065406, 5);
    expect(values.feature).toBeCloseTo(1.25, 6);
    expect(values.total).toBeCloseTo(0.629277, 5);
  });

  it('scales the KL at temperature T by T², worked out by hand at T = 2', async () => {
    // softmax([ln 3, 0] / 2) = [√3, 1] / (√3 + 1) = [0.633975, 0.366025] against [½, ½]:
    //   KL = 0.633975·ln(1.267949) + 0.366025·ln(0.732051) = 0.633975·0.237401 − 0.366025·0.311905
    //      = 0.150506 − 0.114165 = 0.036341; KD = 2²·(0.036341 + 0) / 2 = 0.072682.
    const head = {
      logits: [
        [0, 0],
        [0, 0],
      ],
      feature: [[0], [0]],
    };
    const teacher = {
      logits: [
        [Math.log(3), 0],
        [0, 0],
      ],
      feature: [[0], [0]],
    };
    const values = await lossValues([head], teacher, [0, 1], { alpha: 1, temperature: 2, featureWeight: 0 });
    expect(values.kd).toBeCloseTo(0.072682, 5);
    expect(values.total).toBeCloseTo(values.kd, 6);
  });

  it('sums the heads, as PyTorch computes it in float64', async () => {
    // PyTorch float64: Σ_i (1 − 0.3)·F.cross_entropy(z_i, y) + 0.3·F.kl_div(F.log_softmax(z_i/4), F.softmax(z/4),
    // reduction='batchmean')·4² + 0.5·F.mse_loss(f_i, f) over the two heads; parts summed over the heads, unweighted.
    const values = await lossValues([head1, head2], deepest, labels, twoHeadOptions);
    expect(values.total).toBeCloseTo(1.5178628819445308, 5);
    expect(values.ce).toBeCloseTo(1.6557483697599185, 5);
    expect(values.kd).toBeCloseTo(0.9050189659308489, 5);
    expect(values.feature).toBeCloseTo(0.17466666666666666, 6);
    expect(values.total).toBeCloseTo(referenceLoss([head1, head2], deepest, labels, twoHeadOptions), 5);
  });

  it('leaves only the cross-entropy for a head that agrees with the deepest classifier', async () => {
    const values = await lossValues([deepest], deepest, labels, twoHeadOptions);
    expect(values.kd).toBeCloseTo(0, 6);
    expect(values.feature).toBe(0);
    expect(values.total).toBeCloseTo(0.7 * values.ce, 6);
  });

  it('has the gradient of the formula for the heads, and none for the detached deepest logits and feature', async () => {
    const h = 1e-6;
    const numeric = (which: 'logits' | 'feature') =>
      head1[which].map((row, b) =>
        row.map((_, j) => {
          const shifted = (delta: number) => {
            const moved = {
              ...head1,
              [which]: head1[which].map((r, i) => r.map((v, k) => (i === b && k === j ? v + delta : v))),
            };
            return referenceLoss([moved, head2], deepest, labels, twoHeadOptions);
          };
          return (shifted(h) - shifted(-h)) / (2 * h);
        }),
      );
    const gradients = await expectNoLeaks(async () => {
      const fixed = {
        head2: { logits: tf.tensor2d(head2.logits), feature: tf.tensor2d(head2.feature) },
        labels: tf.tensor1d(labels, 'int32'),
      };
      const inputs = [head1.logits, head1.feature, deepest.logits, deepest.feature].map((matrix) => tf.tensor2d(matrix));
      const grads = tf.grads(
        (z1: tf.Tensor, f1: tf.Tensor, z: tf.Tensor, f: tf.Tensor) =>
          byotLoss(
            [{ logits: z1 as tf.Tensor2D, feature: f1 as tf.Tensor2D }, fixed.head2],
            { logits: z as tf.Tensor2D, feature: f as tf.Tensor2D },
            fixed.labels,
            twoHeadOptions,
          ).total,
      )(inputs);
      const values = await Promise.all(grads.map((grad) => grad.array() as Promise<Matrix>));
      tf.dispose([...grads, ...inputs, fixed.head2.logits, fixed.head2.feature, fixed.labels]);
      return values;
    });
    const [logitsGrad, featureGrad, deepestLogitsGrad, deepestFeatureGrad] = gradients as [Matrix, Matrix, Matrix, Matrix];
    numeric('logits').forEach((row, b) => {
      row.forEach((value, j) => {
        expect(logitsGrad[b]?.[j]).toBeCloseTo(value, 4);
      });
    });
    numeric('feature').forEach((row, b) => {
      row.forEach((value, j) => {
        expect(featureGrad[b]?.[j]).toBeCloseTo(value, 4);
      });
    });
    expect(deepestLogitsGrad.flat().every((value) => value === 0)).toBe(true);
    expect(deepestFeatureGrad.flat().every((value) => value === 0)).toBe(true);
  });

  describe('refuses', () => {
    async function errorOf(
      heads: readonly { logits: Matrix; feature: Matrix }[],
      options: ByotLossOptions = twoHeadOptions,
      labelValues = labels,
    ): Promise<string> {
      try {
        await lossValues(heads, deepest, labelValues, options);
      } catch (error) {
        expect(error).toBeInstanceOf(DistilleryError);
        return (error as Error).message;
      }
      throw new Error('expected byotLoss to throw');
    }

    it('no heads', async () => {
      expect(await errorOf([])).toBe('byotLoss: expected at least one shallow head');
    });

    it('a head whose outputs do not match the deepest classifier', async () => {
      const narrow = { logits: head1.logits, feature: head1.feature.map((row) => row.slice(0, 4)) };
      expect(await errorOf([head1, narrow])).toBe(
        'byotLoss: head 1 gives logits [3, 4] and feature [3, 4]; the deepest classifier gives [3, 4] and [3, 5]',
      );
    });

    it('labels of another batch size', async () => {
      expect(await errorOf([head1], twoHeadOptions, [0, 1])).toBe('byotLoss: expected labels [3], got [2]');
    });

    it('weights out of range', async () => {
      expect(await errorOf([head1], { ...twoHeadOptions, alpha: 1.5 })).toBe('byotLoss: alpha must lie in [0, 1], got 1.5');
      expect(await errorOf([head1], { ...twoHeadOptions, temperature: 0 })).toBe(
        'byotLoss: temperature must be a finite number > 0, got 0',
      );
      expect(await errorOf([head1], { ...twoHeadOptions, featureWeight: -1 })).toBe(
        'byotLoss: featureWeight must be a finite number ≥ 0, got -1',
      );
    });
  });
});
