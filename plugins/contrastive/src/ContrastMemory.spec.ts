import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContrastMemory } from './ContrastMemory.js';
import { type Matrix, normalizerOf, rawScores } from './crdTestKit.js';
import { drawNegatives } from './drawNegatives.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let made = 0;
const memoryOf = (size: number) =>
  new ContrastMemory({ size, featureDim: 3, seed: 'm', variableName: (local) => `memory${made++}/${local}` });

const student = [
  [0.6, 0.8, 0],
  [0, 0, 1],
];
const teacher = [
  [1, 0, 0],
  [0, 0.6, -0.8],
];
const indices = Int32Array.from([3, 1]);
const drawn = drawNegatives(indices, { k: 4, datasetSize: 5, seed: 0, step: 0 });

function scoresNow(memory: ContrastMemory): { student: Matrix; teacher: Matrix } {
  return tf.tidy(() => {
    const scores = memory.scores(tf.tensor2d(student), tf.tensor2d(teacher), drawn, 0.5);
    return { student: scores.student.arraySync(), teacher: scores.teacher.arraySync() };
  });
}

const updateNow = (memory: ContrastMemory) =>
  tf.tidy(() =>
    memory.update(tf.tensor2d(student), tf.tensor2d(teacher), indices, () => drawn, { temperature: 0.5, momentum: 0.5 }),
  );

describe('ContrastMemory', () => {
  it('holds two [N, D] memories and [Z_student, Z_teacher] = [0, 0] as untrained state', () => {
    const memory = memoryOf(5);
    expect(memory.state().map(({ shape, trainable }) => [shape, trainable])).toEqual([
      [[5, 3], false],
      [[5, 3], false],
      [[2], false],
    ]);
    expect(Array.from(memory.normalizers.dataSync())).toEqual([0, 0]);
    memory.dispose();
    expect(memory.state().every((variable) => variable.isDisposed)).toBe(true);
  });

  it('divides each side’s scores by its Z: the batch’s own before Z is set, the stored one after', async () => {
    const memory = memoryOf(5);
    const studentRaw = rawScores(student, memory.teacherMemory.arraySync() as Matrix, drawn, 0.5);
    const teacherRaw = rawScores(teacher, memory.studentMemory.arraySync() as Matrix, drawn, 0.5);
    const expected = [normalizerOf(studentRaw, 5), normalizerOf(teacherRaw, 5)];
    const before = await expectNoLeaks(() => scoresNow(memory));
    before.student.flat().forEach((value, i) => {
      expect(value).toBeCloseTo((studentRaw.flat()[i] as number) / (expected[0] as number), 5);
    });
    before.teacher.flat().forEach((value, i) => {
      expect(value).toBeCloseTo((teacherRaw.flat()[i] as number) / (expected[1] as number), 5);
    });
    expect(Array.from(memory.normalizers.dataSync())).toEqual([0, 0]);

    await expectNoLeaks(() => updateNow(memory));
    const stored = Array.from(memory.normalizers.dataSync());
    stored.forEach((z, i) => {
      expect(z).toBeCloseTo(expected[i] as number, 4);
    });
    // The memories moved, Z did not: the scores now use the stored Z with the new rows.
    const after = scoresNow(memory);
    const moved = rawScores(student, memory.teacherMemory.arraySync() as Matrix, drawn, 0.5);
    after.student.flat().forEach((value, i) => {
      expect(value).toBeCloseTo((moved.flat()[i] as number) / (stored[0] as number), 5);
    });
    updateNow(memory);
    expect(Array.from(memory.normalizers.dataSync())).toEqual(stored);
    memory.dispose();
  });

  it('sets Z again after recheck when a restored checkpoint cleared it, and keeps a restored Z', () => {
    const memory = memoryOf(5);
    updateNow(memory);
    // As the kernel restores a checkpoint made before the first update.
    tf.tidy(() => memory.normalizers.assign(tf.tensor1d([0, 0])));
    memory.recheck();
    updateNow(memory);
    expect(Array.from(memory.normalizers.dataSync()).every((z) => z > 0)).toBe(true);
    // A restored Z is kept.
    tf.tidy(() => memory.normalizers.assign(tf.tensor1d([7, 9])));
    memory.recheck();
    updateNow(memory);
    expect(Array.from(memory.normalizers.dataSync())).toEqual([7, 9]);
    memory.dispose();
  });
});
