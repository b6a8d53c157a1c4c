import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { crdNceLoss } from './crdNceLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function lossOf(rows: number[][], datasetSize: number, eps?: number): Promise<number> {
  return expectNoLeaks(() =>
    tf.tidy(() => crdNceLoss(tf.tensor2d(rows), { datasetSize, ...(eps === undefined ? {} : { eps }) }).dataSync()[0] as number),
  );
}

describe('crdNceLoss', () => {
  it('gives −ln(3/128) / 2 ≈ 1.876709 on a batch of two with K = 2 negatives out of N = 4, worked by hand', async () => {
    // K·P_n = 2 / 4 = 1/2.
    // Row 1, scores [3/2, 1/2, 3/2]: D1 = 1.5 / (1.5 + 0.5) = 3/4; D0 = 0.5 / (0.5 + 0.5) = 1/2 and 0.5 / 2 = 1/4.
    // Row 2, scores [1/2, 0, 1/2]:   D1 = 0.5 / 1 = 1/2;           D0 = 0.5 / 0.5 = 1 and 0.5 / 1 = 1/2.
    // loss = −(ln 3/4 + ln 1/2 + ln 1/4 + ln 1/2 + ln 1 + ln 1/2) / 2 = −ln(3/128) / 2 = 1.8767089876…
    const rows = [
      [1.5, 0.5, 1.5],
      [0.5, 0, 0.5],
    ];
    expect(await lossOf(rows, 4, 0)).toBeCloseTo(1.8767089876, 6);
    // ε = 1e-7 (the default, RepDistiller's) moves it by about 3e-7.
    expect(await lossOf(rows, 4)).toBeCloseTo(1.8767092876, 6);
  });

  it('uses K·P_n = K/N, so the same scores cost more when they are drawn from a smaller training set', async () => {
    // One row [1, 1], K = 1: N = 1 gives K·P_n = 1, D1 = 1/2, D0 = 1/2 → 2 ln 2;
    // N = 2 gives K·P_n = 1/2, D1 = 1 / 1.5 = 2/3, D0 = 0.5 / 1.5 = 1/3 → −ln(2/9) = ln 4.5.
    expect(await lossOf([[1, 1]], 1, 0)).toBeCloseTo(2 * Math.log(2), 6);
    expect(await lossOf([[1, 1]], 2, 0)).toBeCloseTo(Math.log(4.5), 6);
  });

  it('falls as the positive score rises and the negative scores fall', async () => {
    const base = await lossOf([[1, 1, 1]], 10);
    expect(await lossOf([[4, 1, 1]], 10)).toBeLessThan(base);
    expect(await lossOf([[1, 0.1, 0.1]], 10)).toBeLessThan(base);
  });

  it('has the gradient of the formula in the positive score, −(K/N) / (P (P + K/N)) / B', async () => {
    // d/dP of −ln(P / (P + c)) = −1/P + 1/(P + c) = −c / (P (P + c)); with P = 2, c = 2/8 = 1/4, B = 1: −(1/4) / (2 · 9/4) = −1/18.
    const gradient = await expectNoLeaks(() =>
      tf.tidy(() =>
        Array.from(
          tf
            .grad((scores: tf.Tensor) => crdNceLoss(scores as tf.Tensor2D, { datasetSize: 8, eps: 0 }))(tf.tensor2d([[2, 1, 3]]))
            .dataSync(),
        ),
      ),
    );
    expect(gradient[0]).toBeCloseTo(-1 / 18, 6);
    // And in a negative score P_k: d/dP_k of −ln(c / (P_k + c)) = 1 / (P_k + c): 1 / 1.25 and 1 / 3.25.
    expect(gradient[1]).toBeCloseTo(1 / 1.25, 6);
    expect(gradient[2]).toBeCloseTo(1 / 3.25, 6);
  });

  it("gives each example's own term with reduction 'none', ln(32/3) and ln 4 on the hand-worked batch, whose mean is the loss", async () => {
    // The batch of the first test, K·P_n = 1/2, ε = 0: row 1 −(ln 3/4 + ln 1/2 + ln 1/4) = −ln(3/32) = ln(32/3) =
    // 2.3671236141…; row 2 −(ln 1/2 + ln 1 + ln 1/2) = ln 4 = 1.3862943611…; their mean is −ln(3/128) / 2.
    const rows = [
      [1.5, 0.5, 1.5],
      [0.5, 0, 0.5],
    ];
    const perExample = await expectNoLeaks(() =>
      tf.tidy(() => {
        const losses = crdNceLoss(tf.tensor2d(rows), { datasetSize: 4, eps: 0, reduction: 'none' });
        return { shape: losses.shape, values: Array.from(losses.dataSync()) };
      }),
    );
    expect(perExample.shape).toEqual([2]);
    expect(perExample.values[0]).toBeCloseTo(Math.log(32 / 3), 6);
    expect(perExample.values[1]).toBeCloseTo(Math.log(4), 6);
    expect(((perExample.values[0] as number) + (perExample.values[1] as number)) / 2).toBeCloseTo(await lossOf(rows, 4, 0), 6);
  });

  it("weights each example's gradient by its weight with reduction 'none': Σ_b w_b · loss_b", async () => {
    // One row per example, K = 1, N = 4 (c = K/N = 1/4), ε = 0. d loss_b / dP_b0 = −c / (P (P + c)) and
    // d loss_b / dP_b1 = 1 / (P_b1 + c). Row 1 [1, 1] with w = 2: 2 · −0.25 / 1.25 = −0.4 and 2 / 1.25 = 1.6.
    // Row 2 [0.5, 0.25] with w = 0.5: 0.5 · −0.25 / (0.5 · 0.75) = −1/3 and 0.5 / 0.5 = 1.
    const gradient = await expectNoLeaks(() =>
      tf.tidy(() =>
        Array.from(
          tf
            .grad((scores: tf.Tensor) =>
              tf.sum(tf.mul(crdNceLoss(scores as tf.Tensor2D, { datasetSize: 4, eps: 0, reduction: 'none' }), [2, 0.5])),
            )(
              tf.tensor2d([
                [1, 1],
                [0.5, 0.25],
              ]),
            )
            .dataSync(),
        ),
      ),
    );
    const expected = [-0.4, 1.6, -1 / 3, 1];
    expected.forEach((value, i) => {
      expect(gradient[i]).toBeCloseTo(value, 5);
    });
  });

  it('refuses scores without a negative column and a dataset size that is not a positive integer, in one line', () => {
    const one = tf.tensor2d([[1], [2]]);
    const two = tf.tensor2d([[1, 2]]);
    expect(() => crdNceLoss(one, { datasetSize: 4 })).toThrow(
      new DistilleryError('crdNceLoss: expected scores [B, K+1] with K ≥ 1 negatives, got shape [2, 1]'),
    );
    expect(() => crdNceLoss(two, { datasetSize: 2.5 })).toThrow('crdNceLoss: datasetSize must be a positive integer, got 2.5');
    expect(() => crdNceLoss(two, { datasetSize: 2, reduction: 'sum' as 'mean' })).toThrow(
      new DistilleryError("crdNceLoss: reduction must be 'mean' or 'none', got 'sum'"),
    );
    tf.dispose([one, two]);
  });
});
