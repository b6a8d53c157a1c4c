import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { uniqueVariableName } from '@distillery/core/internal';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OfdConnector } from './OfdConnector.js';
import type { OfdConnectorOptions } from './OfdConnectorOptions.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const made: OfdConnector[] = [];

afterEach(() => {
  for (const connector of made.splice(0)) connector.dispose();
});

const variableName = (local: string) => uniqueVariableName(`test/${local}`);

function connector(options: Omit<OfdConnectorOptions, 'variableName' | 'seed'> & { seed?: number | string }): OfdConnector {
  const created = new OfdConnector({ variableName, seed: 1, ...options });
  made.push(created);
  return created;
}

function failure(options: Omit<OfdConnectorOptions, 'variableName' | 'seed'>): string {
  const before = tf.memory().numTensors;
  try {
    connector(options);
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    expect(tf.memory().numTensors).toBe(before);
    return (error as Error).message;
  }
  throw new Error('expected OfdConnector to throw');
}

describe('OfdConnector', () => {
  it('is a 1×1 conv kernel [1, 1, Cs, Ct] and a batch norm γ, β [Ct] for maps, a dense kernel [Ds, Dt] for vectors', () => {
    const map = connector({ studentShape: [null, 8, 8, 4], teacherShape: [null, 8, 8, 16] });
    expect(map.kind).toBe('conv');
    expect(map.variables().map((variable) => variable.shape)).toEqual([[1, 1, 4, 16], [16], [16]]);
    expect(map.variables().every((variable) => variable.trainable)).toBe(true);
    const vector = connector({ studentShape: [null, 6], teacherShape: [null, 10] });
    expect(vector.kind).toBe('dense');
    expect(vector.variables().map((variable) => variable.shape)).toEqual([[6, 10], [10], [10]]);
    const output = tf.tidy(() => map.apply(tf.ones([3, 8, 8, 4])).shape);
    expect(output).toEqual([3, 8, 8, 16]);
  });

  it('starts as the reference: K ~ N(0, 2/Ct) untruncated and seeded, γ = 1, β = 0', () => {
    // 64 × 256 = 16384 draws with σ = √(2/256) = 0.0884: the sample σ is within 2 % of it, and the mean within 3σ/√n.
    const wide = connector({ studentShape: [null, 4, 4, 64], teacherShape: [null, 4, 4, 256], seed: 'a' });
    const values = Array.from(wide.kernel.dataSync());
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const spread = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
    const sigma = Math.sqrt(2 / 256);
    expect(Math.abs(spread / sigma - 1)).toBeLessThan(0.02);
    expect(Math.abs(mean)).toBeLessThan((3 * sigma) / Math.sqrt(values.length));
    // Untruncated: a truncated normal (tfjs's He normal) never reaches 2σ; 16384 normal draws have ~750 beyond it.
    expect(values.filter((value) => Math.abs(value) > 2 * sigma).length).toBeGreaterThan(500);
    expect(Array.from(wide.gamma.dataSync())).toEqual(new Array(256).fill(1));
    expect(Array.from(wide.beta.dataSync())).toEqual(new Array(256).fill(0));
    const again = connector({ studentShape: [null, 4, 4, 64], teacherShape: [null, 4, 4, 256], seed: 'a' });
    const other = connector({ studentShape: [null, 4, 4, 64], teacherShape: [null, 4, 4, 256], seed: 'b' });
    expect(Array.from(again.kernel.dataSync())).toEqual(values);
    expect(Array.from(other.kernel.dataSync())).not.toEqual(values);
  });

  it("normalises with the batch's own statistics, then scales by γ and shifts by β, by hand", async () => {
    const dense = connector({ studentShape: [null, 1], teacherShape: [null, 1] });
    dense.kernel.assign(tf.tensor2d([[2]]));
    dense.gamma.assign(tf.tensor1d([3]));
    dense.beta.assign(tf.tensor1d([0.5]));
    // f = [1, 3] → y = 2f = [2, 6]; batch mean 4, biased variance ((−2)² + 2²)/2 = 4;
    // c = 3 · (y − 4)/√(4 + 1e-5) + 0.5 = 3 · (∓2/2.0000025) + 0.5 = [−2.5, 3.5] to 5 decimals.
    const output = await expectNoLeaks(() => tf.tidy(() => Array.from(dense.apply(tf.tensor2d([[1], [3]])).dataSync())));
    expect(output[0]).toBeCloseTo(-2.5, 5);
    expect(output[1]).toBeCloseTo(3.5, 5);
    // A map: each output channel has mean β = 0 and variance ≈ 1 over batch, H and W together.
    const map = connector({ studentShape: [null, 3, 3, 2], teacherShape: [null, 3, 3, 4] });
    const moments = tf.tidy(() => {
      const { mean, variance } = tf.moments(map.apply(tf.randomNormal([5, 3, 3, 2], 1, 2, 'float32', 3)), [0, 1, 2]);
      return [Array.from(mean.dataSync()), Array.from(variance.dataSync())];
    });
    for (const value of moments[0] ?? []) expect(value).toBeCloseTo(0, 5);
    for (const value of moments[1] ?? []) expect(value).toBeCloseTo(1, 3);
  });

  it('sends the central-difference gradient to its input, kernel, γ and β', async () => {
    const conv = connector({ studentShape: [null, 2, 2, 2], teacherShape: [null, 2, 2, 3], seed: 5 });
    conv.gamma.assign(tf.tensor1d([1.5, -0.5, 1]));
    conv.beta.assign(tf.tensor1d([0.1, 0.2, -0.3]));
    const input = tf.randomNormal([2, 2, 2, 2], 0, 1, 'float32', 6);
    const weights = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 7);
    // A smooth scalar of the output: Σ w ⊙ c(x)².
    const objective = (x: tf.Tensor) => tf.sum(tf.mul(weights, tf.square(conv.apply(x)))) as tf.Scalar;
    const h = 1e-2;
    const numeric = (tensor: tf.Tensor, set: (value: tf.Tensor) => void, index: number) => {
      const base = Array.from(tensor.dataSync());
      const at = (delta: number) => {
        const values = [...base];
        values[index] = (values[index] as number) + delta;
        return tf.tidy(() => {
          set(tf.tensor(values, tensor.shape));
          return objective(input).dataSync()[0] as number;
        });
      };
      const difference = (at(h) - at(-h)) / (2 * h);
      tf.tidy(() => set(tf.tensor(base, tensor.shape)));
      return difference;
    };
    const analytic = await expectNoLeaks(() =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => objective(input), conv.variables());
        const inputGradient = tf.grad((x: tf.Tensor) => objective(x))(input);
        return {
          input: Array.from(inputGradient.dataSync()),
          kernel: Array.from((grads[conv.kernel.name] as tf.Tensor).dataSync()),
          gamma: Array.from((grads[conv.gamma.name] as tf.Tensor).dataSync()),
          beta: Array.from((grads[conv.beta.name] as tf.Tensor).dataSync()),
        };
      }),
    );
    for (const [variable, name] of [
      [conv.kernel, 'kernel'],
      [conv.gamma, 'gamma'],
      [conv.beta, 'beta'],
    ] as const) {
      for (let i = 0; i < variable.size; i++) {
        expect(analytic[name][i]).toBeCloseTo(
          numeric(variable, (value) => variable.assign(value), i),
          2,
        );
      }
    }
    // The input's gradient, by differences of a copy of the input.
    const inputValues = Array.from(input.dataSync());
    for (const i of [0, 3, 9, 14]) {
      const at = (delta: number) =>
        tf.tidy(() => {
          const values = [...inputValues];
          values[i] = (values[i] as number) + delta;
          return objective(tf.tensor(values, input.shape)).dataSync()[0] as number;
        });
      expect(analytic.input[i]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 2);
    }
    // Not trivially 0: for Σ c(x) it would be, since the batch norm fixes each channel's sum; hence w ⊙ c(x)² above.
    expect(analytic.input.some((value) => Math.abs(value) > 1e-3)).toBe(true);
    tf.dispose([input, weights]);
  });

  it('refuses a map paired with a vector, maps of another H×W and an unknown channel count, freeing what it made', () => {
    expect(failure({ studentShape: [null, 4, 4, 2], teacherShape: [null, 10] })).toBe(
      'OfdConnector: cannot connect student feature [B, 4, 4, 2] to teacher feature [B, 10]: pair two NHWC maps [B, H, W, C] (1×1 conv connector) or two vectors [B, D] (dense connector)',
    );
    expect(
      failure({
        studentShape: [null, 8, 8, 2],
        teacherShape: [null, 4, 4, 6],
        labels: { where: 'pairs[1]', student: "student layer 's'", teacher: "teacher 't' layer 'x'" },
      }),
    ).toBe(
      "pairs[1]: cannot connect student layer 's' [B, 8, 8, 2] to teacher 't' layer 'x' [B, 4, 4, 6]: OFD compares maps of one H×W; pair layers of the same resolution",
    );
    expect(failure({ studentShape: [null, 4, 4, null], teacherShape: [null, 4, 4, 6] })).toBe(
      'OfdConnector: cannot connect student feature [B, 4, 4, ?] to teacher feature [B, 4, 4, 6]: the last dimension must be known to size the connector',
    );
    // Sizes the model leaves open are not compared.
    expect(connector({ studentShape: [null, null, null, 2], teacherShape: [null, 4, 4, 6] }).kind).toBe('conv');
  });

  it('names its variables through variableName and frees what it made when naming one fails', () => {
    const names: string[] = [];
    const named = connector({ studentShape: [null, 3], teacherShape: [null, 5] });
    expect(named.variables().map((variable) => variable.name)).toEqual(['test/kernel', 'test/gamma', 'test/beta']);
    const before = tf.memory().numTensors;
    const failing = (local: string) => {
      names.push(local);
      if (local === 'beta') throw new Error('no name for beta');
      return uniqueVariableName(`failing/${local}`);
    };
    expect(() => new OfdConnector({ variableName: failing, studentShape: [null, 3], teacherShape: [null, 5], seed: 1 })).toThrow(
      'no name for beta',
    );
    expect(names).toEqual(['kernel', 'gamma', 'beta']);
    expect(tf.memory().numTensors).toBe(before);
    named.dispose();
    expect(named.variables().every((variable) => variable.isDisposed)).toBe(true);
    made.splice(made.indexOf(named), 1);
  });
});
