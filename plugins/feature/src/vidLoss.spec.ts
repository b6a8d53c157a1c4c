import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { vidLoss } from './vidLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs `compute` in a tidy and returns its values, freeing the result so expectNoLeaks sees only real leaks. */
async function valuesOf(compute: () => tf.Tensor): Promise<number[]> {
  const result = tf.tidy(compute);
  const values = Array.from(await result.data());
  result.dispose();
  return values;
}

/** s with softplus(s) = v exactly: log(e^v − 1). */
const logScaleFor = (variance: number) => Math.log(Math.expm1(variance));

// The gradient checks' μ, t [2, 1, 2, 3] (B = 2, C = 3) and s [3].
const gradientMean = [0.3, -1.2, 2.0, 0.7, -0.4, 1.1, -0.8, 0.25, 1.6, 0.05, -2.1, 0.9];
const gradientTarget = [1.0, 0.5, -0.5, 0.7, 2.2, -1.3, 0.4, -0.6, 1.1, 0.9, -1.5, 0.0];
const gradientLogScale = [0.2, -0.7, 1.3];
const gradientEps = 1e-3;
const gradientShape = [2, 1, 2, 3];

/**
 * An independent float64 VID for the finite differences: Σ_b w_b · loss_b, loss_b the mean over example b's
 * elements of ½((μ − t)²/σ²_c + log σ²_c), σ²_c = log(1 + e^{s_c}) + ε. Weights all 1/B give the 'mean' reduction.
 */
function vidReference(mean: number[], target: number[], logScale: number[], weights: number[]): number {
  const channels = logScale.length;
  const perExample = mean.length / weights.length;
  let total = 0;
  mean.forEach((mu, i) => {
    const variance = Math.log1p(Math.exp(logScale[i % channels] as number)) + gradientEps;
    const term = 0.5 * ((mu - (target[i] as number)) ** 2 / variance + Math.log(variance));
    total += ((weights[Math.floor(i / perExample)] as number) * term) / perExample;
  });
  return total;
}

/** Central differences of `reference` in each entry of `values`, in float64. */
function finiteDifferences(values: number[], reference: (values: number[]) => number, step = 1e-5): number[] {
  return values.map((_, i) => {
    const up = values.map((v, j) => (j === i ? v + step : v));
    const down = values.map((v, j) => (j === i ? v - step : v));
    return (reference(up) - reference(down)) / (2 * step);
  });
}

/** tf.grads of Σ_b w_b · loss_b ('none'), or of the scalar ('mean', no weights), w.r.t. μ and s; checks nothing leaks. */
function gradientsOf(weights?: number[]): Promise<[number[], number[]]> {
  return expectNoLeaks(async () => {
    const [meanGradient, logScaleGradient] = tf.tidy(() => {
      const target = tf.tensor(gradientTarget, gradientShape);
      return tf.grads((mean: tf.Tensor, logScale: tf.Tensor) =>
        weights === undefined
          ? vidLoss(mean, target, logScale, { eps: gradientEps })
          : tf.sum(tf.mul(vidLoss(mean, target, logScale, { eps: gradientEps, reduction: 'none' }), weights)),
      )([tf.tensor(gradientMean, gradientShape), tf.tensor1d(gradientLogScale)]);
    }) as [tf.Tensor, tf.Tensor];
    const values: [number[], number[]] = [Array.from(await meanGradient.data()), Array.from(await logScaleGradient.data())];
    tf.dispose([meanGradient, logScaleGradient]);
    return values;
  });
}

function expectClose(actual: number[], expected: number[], digits: number): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((value, i) => {
    expect(actual[i]).toBeCloseTo(value, digits);
  });
}

describe('vidLoss', () => {
  it('is the mean of ½((μ − t)²/σ² + log σ²) with σ²_c = softplus(s_c) + ε (hand-worked)', async () => {
    // s = [log(e − 1), log(e³ − 1)] and ε = 1: σ² = [1 + 1, 3 + 1] = [2, 4] for channels 0 and 1.
    // μ − t = [[1, 2], [3, 0]]: ½(1/2 + ln 2), ½(4/4 + ln 4), ½(9/2 + ln 2), ½(0 + ln 4)
    //   sum = ½(0.5 + 1 + 4.5 + 0) + ½(2 ln 2 + 2 ln 4) = 3 + 3 ln 2;  N = 4  →  (3 + 3 ln 2)/4 = 0.75 + 0.75 ln 2
    const [loss] = await expectNoLeaks(() =>
      valuesOf(() =>
        vidLoss(
          tf.tensor2d([
            [1, 2],
            [3, 0],
          ]),
          tf.zeros([2, 2]),
          tf.tensor1d([logScaleFor(1), logScaleFor(3)]),
          { eps: 1 },
        ),
      ),
    );
    expect(loss).toBeCloseTo(0.75 + 0.75 * Math.LN2, 5);
  });

  it('gives σ² = 5 everywhere at RepDistiller’s initial log-scale log(exp(5 − ε) − 1) with the default ε = 1e-5', async () => {
    // NHWC [1, 1, 2, 2], μ − t = [1, 2, 0, 3]: mean of ½(d²/5 + ln 5) = ½((1 + 4 + 0 + 9)/(5·4) + ln 5) = 0.35 + ½ ln 5
    const [loss] = await expectNoLeaks(() =>
      valuesOf(() =>
        vidLoss(
          tf.tensor4d([1.5, 2, -1, 3], [1, 1, 2, 2]),
          tf.tensor4d([0.5, 0, -1, 0], [1, 1, 2, 2]),
          tf.fill([2], logScaleFor(5 - 1e-5)),
        ),
      ),
    );
    expect(loss).toBeCloseTo(0.35 + 0.5 * Math.log(5), 5);
  });

  it('is ½ log σ² alone when the prediction is exact, whatever the variance', async () => {
    const [loss] = await expectNoLeaks(() =>
      valuesOf(() => {
        const feature = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 4);
        // σ² = [e⁻¹, e²] with ε = 0: ½ · mean(−1, 2) over equally many elements of each channel = 0.25
        return vidLoss(feature, feature, tf.tensor1d([logScaleFor(Math.exp(-1)), logScaleFor(Math.exp(2))]), { eps: 0 });
      }),
    );
    expect(loss).toBeCloseTo(0.25, 5);
  });

  it('has the float64 finite-difference gradients with respect to μ and the log-scale', async () => {
    const [meanGradient, logScaleGradient] = await gradientsOf();
    const weights = [0.5, 0.5];
    const expectedMean = finiteDifferences(gradientMean, (mean) => vidReference(mean, gradientTarget, gradientLogScale, weights));
    const expectedLogScale = finiteDifferences(gradientLogScale, (logScale) =>
      vidReference(gradientMean, gradientTarget, logScale, weights),
    );
    expectClose(meanGradient, expectedMean, 5);
    expectClose(logScaleGradient, expectedLogScale, 5);
    // And the closed form ∂loss/∂μ_i = (μ_i − t_i)/(N σ²_c).
    const variance = gradientLogScale.map((s) => Math.log1p(Math.exp(s)) + gradientEps);
    expectClose(
      meanGradient,
      gradientMean.map((mu, i) => (mu - (gradientTarget[i] as number)) / (12 * (variance[i % 3] as number))),
      5,
    );
  });

  it('refuses mismatched shapes, a log-scale that is not one per channel, and bad options, in one line each', async () => {
    await expectNoLeaks(() => {
      const mean = tf.zeros([2, 4, 4, 3]);
      const other = tf.zeros([2, 4, 4, 5]);
      const logScale = tf.zeros([3]);
      const wrongScale = tf.zeros([1, 3]);
      const scalar = tf.scalar(0);
      try {
        expect(() => vidLoss(mean, other, logScale)).toThrow(DistilleryError);
        expect(() => vidLoss(mean, other, logScale)).toThrow(
          'vidLoss: predicted mean [2, 4, 4, 3] and target [2, 4, 4, 5] differ in shape',
        );
        expect(() => vidLoss(other, other, logScale)).toThrow(
          'vidLoss: log-scale [3] must be [5], one per channel (last axis) of the target [2, 4, 4, 5]',
        );
        expect(() => vidLoss(mean, mean, wrongScale)).toThrow('vidLoss: log-scale [1, 3] must be [3]');
        expect(() => vidLoss(scalar, scalar, logScale)).toThrow(
          'vidLoss: the features need a channel axis [..., C], got predicted mean [] and target []',
        );
        expect(() => vidLoss(mean, mean, logScale, { eps: -1 })).toThrow('vidLoss: eps must be a finite number ≥ 0, got -1');
        const reduction = 'sum' as 'mean';
        expect(() => vidLoss(mean, mean, logScale, { reduction })).toThrow(
          "vidLoss: reduction must be 'mean' or 'none', got 'sum'",
        );
      } finally {
        tf.dispose([mean, other, logScale, wrongScale, scalar]);
      }
    });
  });
});

describe("vidLoss with reduction 'none'", () => {
  it('gives each example the mean over its own elements (hand-worked)', async () => {
    // As the first case: σ² = [2, 4], μ − t = [[1, 2], [3, 0]].
    // Example 1: ½(1/2 + ln 2 + 4/4 + ln 4)/2 = (1.5 + 3 ln 2)/4; example 2: ½(9/2 + ln 2 + 0 + ln 4)/2 = (4.5 + 3 ln 2)/4.
    const losses = await expectNoLeaks(() =>
      valuesOf(() =>
        vidLoss(
          tf.tensor2d([
            [1, 2],
            [3, 0],
          ]),
          tf.zeros([2, 2]),
          tf.tensor1d([logScaleFor(1), logScaleFor(3)]),
          { eps: 1, reduction: 'none' },
        ),
      ),
    );
    expectClose(losses, [(1.5 + 3 * Math.LN2) / 4, (4.5 + 3 * Math.LN2) / 4], 5);
  });

  it("averages over the batch to the 'mean' reduction, for vectors and NHWC maps", async () => {
    for (const shape of [
      [4, 7],
      [3, 2, 2, 4],
    ]) {
      const channels = shape[shape.length - 1] as number;
      const [perExampleMean, batchMean] = await expectNoLeaks(() =>
        valuesOf(() => {
          const mean = tf.randomNormal(shape, 0, 1, 'float32', 1);
          const target = tf.randomNormal(shape, 0, 1, 'float32', 2);
          const logScale = tf.randomNormal([channels], 0, 1, 'float32', 3);
          return tf.stack([tf.mean(vidLoss(mean, target, logScale, { reduction: 'none' })), vidLoss(mean, target, logScale)]);
        }),
      );
      expect(perExampleMean).toBeCloseTo(batchMean as number, 5);
    }
  });

  it('has the float64 finite-difference gradients of a weighted sum of the examples’ losses', async () => {
    const weights = [1, -2];
    const [meanGradient, logScaleGradient] = await gradientsOf(weights);
    expectClose(
      meanGradient,
      finiteDifferences(gradientMean, (mean) => vidReference(mean, gradientTarget, gradientLogScale, weights)),
      5,
    );
    expectClose(
      logScaleGradient,
      finiteDifferences(gradientLogScale, (logScale) => vidReference(gradientMean, gradientTarget, logScale, weights)),
      5,
    );
  });

  it('refuses features without a batch axis', () => {
    const vector = tf.zeros([3]);
    expect(() => vidLoss(vector, vector, vector, { reduction: 'none' })).toThrow(
      "vidLoss: reduction 'none' needs features with a batch axis and a channel axis [B, ..., C], got predicted mean [3] and target [3]",
    );
    vector.dispose();
  });
});
