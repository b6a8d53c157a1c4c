import '@tensorflow/tfjs-backend-cpu';
import { nativeBackendAvailable, nativeBackendError } from '@distillery/backend-native';
import { createDistiller } from '@distillery/core';
import type { BackendPreference } from '@distillery/core/internal';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { loadBackends } from '@distillery/node';
import { responsePlugin } from '@distillery/plugin-response';
import { fixtureCnn, fixtureMlp, trainOnLabels } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const shape = [8, 8, 1] as const;
const classes = 3;

let train: IndexedDataset;
let validation: IndexedDataset;
let mlpTeacher: tfl.Sequential;
let cnnTeacher: tfl.Sequential;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // Fails, rather than skips, where the addon did not build (CI builds it in `npm ci`).
  expect(nativeBackendError).toBeUndefined();
  expect(nativeBackendAvailable).toBe(true);
  const data = new IndexedDataset(
    gaussianClusters({ examples: 96, features: 64, classes, noise: 1, seed: 4, exampleShape: shape }),
  );
  [train, validation] = [data.take(64), data.slice(64)];
  mlpTeacher = fixtureMlp({ inputSize: 64, inputShape: [...shape], hidden: [32], classes, seed: 7, prefix: 'mlp_teacher' });
  cnnTeacher = fixtureCnn({ inputShape: shape, channels: [6, 8], classes, seed: 8, prefix: 'cnn_teacher' });
  await trainOnLabels(mlpTeacher, train, { epochs: 3, seed: 2 });
  await trainOnLabels(cnnTeacher, train, { epochs: 3, seed: 2 });
});

afterAll(() => {
  mlpTeacher?.dispose();
  cnnTeacher?.dispose();
});

afterEach(async () => {
  await tf.setBackend('cpu');
});

interface Run {
  /** Every step's weighted total loss, then each epoch's KD term. */
  readonly stepLosses: number[];
  readonly kdByEpoch: number[];
  readonly tensorsAtEpochEnd: number[];
}

/** Distils `teacher` into a fresh, identically initialised `student()` on `backend`. */
async function distil(
  backend: BackendPreference,
  teacher: tfl.LayersModel,
  student: () => tfl.LayersModel,
  epochs = 3,
): Promise<Run> {
  const model = student();
  const distiller = createDistiller({
    teachers: [{ name: 'teacher', model: teacher }],
    student: { model },
    strategies: [
      { key: 'task.ce', weight: 0.5 },
      { key: 'response.kd', weight: 0.5, options: { temperature: 4 } },
    ],
    training: { epochs, batchSize: 16, seed: 5, optimizer: { name: 'adam', learningRate: 0.01 } },
    plugins: [responsePlugin],
    backend,
    logger: { info() {}, warn() {} },
  });
  const stepLosses: number[] = [];
  const tensorsAtEpochEnd: number[] = [];
  distiller.on('batchEnd', (event) => {
    stepLosses.push(event.total);
  });
  distiller.on('epochEnd', () => {
    tensorsAtEpochEnd.push(tf.memory().numTensors);
  });
  const history = await distiller.fit(train, { validation });
  expect(tf.getBackend()).toBe(backend);
  distiller.dispose();
  model.dispose();
  return { stepLosses, kdByEpoch: history.map((epoch) => epoch.losses['response.kd'] as number), tensorsAtEpochEnd };
}

/** Float32 sums in another order drift apart over a dozen Adam steps, but by about 1e-6 relative, far below 1e-4. */
function expectSameLosses(native: readonly number[], cpu: readonly number[]): void {
  expect(native).toHaveLength(cpu.length);
  native.forEach((loss, i) => {
    expect(Math.abs(loss - (cpu[i] as number)), `step ${i}: native ${loss}, cpu ${cpu[i]}`).toBeLessThanOrEqual(
      1e-4 * Math.abs(cpu[i] as number),
    );
  });
}

describe("the 'native' backend, trained end to end", () => {
  it('distils an MLP teacher into a conv-net student with the same losses as cpu, leaking nothing', async () => {
    const student = () => fixtureCnn({ inputShape: shape, channels: [4, 6], classes, seed: 21, prefix: 'cnn_student' });
    const cpu = await distil('cpu', mlpTeacher, student);
    const native = await distil('native', mlpTeacher, student);
    expectSameLosses(native.stepLosses, cpu.stepLosses);
    expect(native.kdByEpoch.at(-1)).toBeLessThan(native.kdByEpoch[0] as number);
    expect(new Set(native.tensorsAtEpochEnd).size).toBe(1);
  });

  it('distils a conv-net teacher into an MLP student with the same losses as cpu, leaking nothing', async () => {
    const student = () =>
      fixtureMlp({ inputSize: 64, inputShape: [...shape], hidden: [16], classes, seed: 22, prefix: 'mlp_student' });
    const cpu = await distil('cpu', cnnTeacher, student);
    const native = await distil('native', cnnTeacher, student);
    expectSameLosses(native.stepLosses, cpu.stepLosses);
    expect(native.kdByEpoch.at(-1)).toBeLessThan(native.kdByEpoch[0] as number);
    expect(new Set(native.tensorsAtEpochEnd).size).toBe(1);
  });
});

/**
 * A small residual net of the kinds vision distillation uses: a conv stem with batch norm, one block of
 * conv → BN → ReLU → depthwise 3×3 → BN added to its input, ReLU6 (minimum(relu, 6)), global average pooling.
 */
function residualNet(seed: number, prefix: string): tfl.LayersModel {
  const init = (offset: number) => tfl.initializers.glorotUniform({ seed: seed + offset });
  const input = tfl.input({ shape: [...shape] });
  const conv = (x: tfl.SymbolicTensor, name: string, offset: number) =>
    tfl.layers
      .conv2d({
        name: `${prefix}_${name}`,
        filters: 6,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: init(offset),
      })
      .apply(x) as tfl.SymbolicTensor;
  const norm = (x: tfl.SymbolicTensor, name: string) =>
    tfl.layers.batchNormalization({ name: `${prefix}_${name}`, momentum: 0.9, epsilon: 1e-5 }).apply(x) as tfl.SymbolicTensor;
  const relu = (x: tfl.SymbolicTensor, maxValue?: number) =>
    tfl.layers.reLU(maxValue === undefined ? {} : { maxValue }).apply(x) as tfl.SymbolicTensor;
  const stem = relu(norm(conv(input, 'stem', 0), 'stem_bn'));
  const depthwise = tfl.layers
    .depthwiseConv2d({ name: `${prefix}_dw`, kernelSize: 3, padding: 'same', useBias: false, depthwiseInitializer: init(2) })
    .apply(relu(norm(conv(stem, 'block', 1), 'block_bn'))) as tfl.SymbolicTensor;
  const block = tfl.layers.add().apply([norm(depthwise, 'dw_bn'), stem]) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(relu(block, 6)) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ name: `${prefix}_logits`, units: classes, kernelInitializer: init(3) }).apply(pooled);
  return tfl.model({ inputs: input, outputs: logits as tfl.SymbolicTensor, name: prefix });
}

describe("the 'native' backend on residual nets with batch norm and depthwise convolutions", () => {
  it('trains 20 KD steps with the same losses as cpu, leaking nothing', async () => {
    const teacher = residualNet(30, 'res_teacher');
    await trainOnLabels(teacher, train, { epochs: 2, seed: 2 });
    const cpu = await distil('cpu', teacher, () => residualNet(40, 'res_student'), 5);
    const native = await distil('native', teacher, () => residualNet(40, 'res_student'), 5);
    teacher.dispose();
    expect(native.stepLosses).toHaveLength(20);
    expectSameLosses(native.stepLosses, cpu.stepLosses);
    expect(native.kdByEpoch.at(-1)).toBeLessThan(native.kdByEpoch[0] as number);
    expect(new Set(native.tensorsAtEpochEnd).size).toBe(1);
  });
});

describe("'auto' once @distillery/node's loadBackends has run", () => {
  it('chooses native over wasm and cpu, for an MLP and for a conv net (which wasm cannot train)', async () => {
    const loaded = await loadBackends();
    expect(loaded).toContain('native');
    const expected = loaded.includes('tensorflow') ? 'tensorflow' : 'native';
    for (const model of [
      fixtureMlp({ inputSize: 64, inputShape: [...shape], hidden: [8], classes, seed: 3 }),
      fixtureCnn({ inputShape: shape, channels: [4], classes, seed: 3 }),
    ]) {
      const lines: string[] = [];
      const distiller = createDistiller({
        student: { model },
        strategies: [{ key: 'task.ce' }],
        training: { epochs: 1, batchSize: 32 },
        logger: { info: (line) => lines.push(line), warn: (line) => lines.push(line) },
      });
      await distiller.fit(train);
      expect(tf.getBackend()).toBe(expected);
      expect(lines.find((line) => line.startsWith('backend:'))).toMatch(
        new RegExp(`^backend: ${expected}, the fastest installed backend`),
      );
      distiller.dispose();
      model.dispose();
    }
  });
});
