import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import type { RelationReduction } from './RelationReduction.js';

// Fixtures and helpers the relation-loss specs share; test-only (tsconfig.build.json leaves *TestKit.ts out of dist).

/** The shape of an NHWC feature map, [B, H, W, C]. */
export type Shape4 = [number, number, number, number];

/** Features as flat row-major values and their shape, the form the Python fixture scripts write. */
export interface FeatureValues<S extends readonly number[] = readonly number[]> {
  readonly values: number[];
  readonly shape: S;
}

/** What a helper turns into a tensor: nested arrays (their own shape) or flat values with a shape. */
export type FeatureInput = tf.TensorLike | FeatureValues;

/** A relation of student and teacher features: one tensor, or named tensors (as `rkdTerms` gives). */
type RelationOutput = tf.Tensor | Readonly<Record<string, tf.Tensor>>;

/** The plain numbers of a relation's output: one array, or one array per name. */
export type RelationValues<T extends RelationOutput> = T extends tf.Tensor ? number[] : { [K in keyof T]: number[] };

// The inputs of fixtures/rkd-pkt-sp-fixtures.py (STUDENT, TEACHER): 4 examples, 6 student and 3 teacher features.
export const fixtureStudent = [
  [0.9, -1.2, 0.3, 2.1, -0.5, 0.7],
  [-0.4, 0.8, 1.5, -1.1, 0.2, 0.0],
  [1.3, 0.6, -0.9, 0.4, 1.8, -1.6],
  [0.1, -0.3, 0.5, 0.9, -2.0, 1.2],
];
export const fixtureTeacher = [
  [1.0, 0.2, -0.7],
  [-1.5, 0.9, 0.4],
  [0.3, -1.1, 1.6],
  [0.8, 0.5, 0.1],
];
// A 3-4-5 right triangle against an equilateral triangle of side 2 (the RKD hand examples).
export const rightTriangle = [
  [0, 0],
  [3, 0],
  [0, 4],
];
export const equilateralTriangle = [
  [0, 0],
  [2, 0],
  [1, Math.sqrt(3)],
];

/** `fixtureStudent` as [4, 1, 2, 3] NHWC maps whose row-major order is the fixture's rows. */
export const fixtureStudentMaps = fixtureStudent.map((row) => [[row.slice(0, 3), row.slice(3, 6)]]);
/** `fixtureTeacher` as [4, 3, 1, 1] maps. */
export const fixtureTeacherMaps = fixtureTeacher.map((row) => row.map((value) => [[value]]));

/** Deterministic test values, the same formula as fixtures/nst-fsp-cc-fixtures.py: sin(0.37 k + phase) + 0.2 cos(1.3 k). */
export function wave(shape: readonly number[], phase: number): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: size }, (_, k) => Math.sin(0.37 * k + phase) + 0.2 * Math.cos(1.3 * k));
}

/** {@link wave} values together with their shape. */
export function waveFeatures<S extends readonly number[]>(shape: S, phase: number): FeatureValues<S> {
  return { values: wave(shape, phase), shape };
}

function isFeatureValues(input: FeatureInput): input is FeatureValues {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && !ArrayBuffer.isView(input) && 'shape' in input;
}

function tensorOf(input: FeatureInput): tf.Tensor {
  return isFeatureValues(input) ? tf.tensor(input.values, [...input.shape]) : tf.tensor(input);
}

/**
 * `relation(student, teacher)` as plain numbers. Outside any tidy, so it also fails when the relation leaks an
 * intermediate tensor, or disposes its inputs.
 */
export async function relationValues<T extends RelationOutput>(
  relation: (student: tf.Tensor, teacher: tf.Tensor) => T,
  student: FeatureInput,
  teacher: FeatureInput,
): Promise<RelationValues<T>> {
  return expectNoLeaks(async () => {
    const [studentTensor, teacherTensor] = [tensorOf(student), tensorOf(teacher)];
    const output = relation(studentTensor, teacherTensor);
    const named: Record<string, tf.Tensor> = output instanceof tf.Tensor ? { value: output } : { ...output };
    const values: Record<string, number[]> = {};
    for (const [name, tensor] of Object.entries(named)) values[name] = Array.from(await tensor.data());
    expect(studentTensor.isDisposed || teacherTensor.isDisposed).toBe(false);
    tf.dispose([...Object.values(named), studentTensor, teacherTensor]);
    return (output instanceof tf.Tensor ? values.value : values) as RelationValues<T>;
  });
}

/** ∂relation/∂student as plain numbers, after checking nothing leaks. */
export async function studentGradient(
  relation: (student: tf.Tensor, teacher: tf.Tensor) => tf.Tensor,
  student: FeatureInput,
  teacher: FeatureInput,
): Promise<number[]> {
  return expectNoLeaks(async () => {
    const gradient = tf.tidy(() => {
      const target = tensorOf(teacher);
      return tf.grad((features: tf.Tensor) => relation(features, target))(tensorOf(student));
    });
    const values = Array.from(await gradient.data());
    gradient.dispose();
    return values;
  });
}

/** The central differences (f(x + h e_i) − f(x − h e_i)) / 2h of f at `values`, one per value. */
export function centralDifferences(f: (values: number[]) => number, values: readonly number[], step: number): number[] {
  return values.map((_, i) => {
    const shifted = (delta: number) => values.map((value, j) => (j === i ? value + delta : value));
    return (f(shifted(step)) - f(shifted(-step))) / (2 * step);
  });
}

/** {@link centralDifferences} of f at the rows of a [B, D] batch, in row-major order. */
export function centralDifferencesByRow(f: (rows: number[][]) => number, rows: readonly number[][], step: number): number[] {
  const width = rows[0]?.length ?? 0;
  const rowsOf = (values: number[]) => rows.map((_, b) => values.slice(b * width, (b + 1) * width));
  return centralDifferences((values) => f(rowsOf(values)), rows.flat(), step);
}

/**
 * A thunk that calls `relation` on zero tensors of the given shapes with `options`, in a tidy: for the checks on
 * what a relation rejects, where only the shapes and options matter.
 */
export function callOnZeros<O>(relation: (student: tf.Tensor, teacher: tf.Tensor, options?: O) => unknown) {
  return (studentShape: number[], teacherShape: number[], options?: O) => () =>
    tf.tidy(() => {
      relation(tf.zeros(studentShape), tf.zeros(teacherShape), options);
    });
}

/** A loss of [B, …] student and teacher features on plain arrays: [1] for 'mean', [B] for 'none'. */
export type ReducedLossValues = (
  student: FeatureInput,
  teacher: FeatureInput,
  reduction?: RelationReduction,
) => Promise<number[]>;

/** `loss` with only its reduction set (default 'mean'), on plain arrays, through {@link relationValues}. */
export function reducedLossValues(
  loss: (student: tf.Tensor, teacher: tf.Tensor, options: { reduction: RelationReduction }) => tf.Tensor,
): ReducedLossValues {
  return (student, teacher, reduction = 'mean') => relationValues((s, t) => loss(s, t, { reduction }), student, teacher);
}

/** Expects the loss to be `mean` with 'mean' and `shares` with 'none', to `digits` decimals. */
export async function expectMeanAndShares(
  lossOf: ReducedLossValues,
  student: FeatureInput,
  teacher: FeatureInput,
  mean: number,
  shares: number[],
  digits: number,
): Promise<void> {
  expect((await lossOf(student, teacher, 'mean'))[0]).toBeCloseTo(mean, digits);
  const actual = await lossOf(student, teacher, 'none');
  expect(actual).toHaveLength(shares.length);
  for (const [index, value] of shares.entries()) expect(actual[index]).toBeCloseTo(value, digits);
}

/** Registers the check that the 'none' shares on the fixtures average to the 'mean' value, to `digits` decimals. */
export function itGivesSharesWhoseMeanIsTheMean(lossOf: ReducedLossValues, digits: number): void {
  it("gives per-example shares whose mean is the 'mean' value", async () => {
    const [mean] = await lossOf(fixtureStudent, fixtureTeacher, 'mean');
    const shares = await lossOf(fixtureStudent, fixtureTeacher, 'none');
    expect(shares).toHaveLength(4);
    expect(shares.reduce((sum, value) => sum + value, 0) / shares.length).toBeCloseTo(mean as number, digits);
  });
}

/**
 * Registers the checks for the degenerate batches of a loss over a B × B matrix `matrix` that is [[1]] for one
 * example on both sides: zero with finite gradients there, and finite gradients for an all-zero student example.
 */
export function itHandlesDegenerateBatches(
  matrix: string,
  lossOf: ReducedLossValues,
  gradientOf: (student: number[][], teacher: number[][]) => Promise<number[]>,
): void {
  it(`gives zero, with finite gradients, for a batch of one (${matrix} = [[1]] on both sides)`, async () => {
    expect(await lossOf([[0.3, -2, 1]], [[4, 1]], 'none')).toEqual([0]);
    expect((await gradientOf([[0.3, -2, 1]], [[4, 1]])).every(Number.isFinite)).toBe(true);
  });

  it('keeps gradients finite for an all-zero student example', async () => {
    const student = [
      [0, 0, 0],
      [1, -0.5, 2],
      [0.3, 0.3, -1],
    ];
    const gradient = await gradientOf(student, fixtureTeacher.slice(0, 3));
    expect(gradient.every(Number.isFinite)).toBe(true);
  });
}

/** Registers the check that rank-4 fixture maps give the shares of the rank-2 fixture rows, to `digits` decimals. */
export function itFlattensRank4Features(lossOf: ReducedLossValues, digits: number): void {
  it('flattens rank-4 features per example, as the rank-2 call on the flattened rows', async () => {
    const flat = await lossOf(fixtureStudent, fixtureTeacher, 'none');
    const maps = await lossOf(fixtureStudentMaps, fixtureTeacherMaps, 'none');
    for (const [index, value] of flat.entries()) expect(maps[index]).toBeCloseTo(value, digits);
  });
}
