import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inferLogits, TensorDataset } from '@distillery/core';
import { fileTeacherOutputStores } from '@distillery/node';
import { expectNoLeaks, fixtureMlp } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EvaluationLogits } from './EvaluationLogits.js';

let directory: string;
let data: TensorDataset;
let teacher: ReturnType<typeof fixtureMlp>;
let student: ReturnType<typeof fixtureMlp>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  teacher = fixtureMlp({ inputSize: 4, hidden: [6], classes: 3, prefix: 't', seed: 1 });
  student = fixtureMlp({ inputSize: 4, hidden: [5], classes: 3, prefix: 's', seed: 2 });
  directory = await mkdtemp(join(tmpdir(), 'distillery-evaluation-logits-'));
  data = new TensorDataset(
    tf.randomNormal([200, 4], 0, 1, 'float32', 3),
    tf.tensor1d(
      Array.from({ length: 200 }, (_, i) => (i * 7) % 3),
      'int32',
    ),
    'numbers-200',
  );
});

afterAll(async () => {
  data.dispose();
  teacher.dispose();
  student.dispose();
  await rm(directory, { recursive: true, force: true });
});

describe('evaluation logits', () => {
  it('keep a frozen model’s logits for the next run, which reads them bit for bit without a forward pass', async () => {
    const apply = vi.spyOn(teacher, 'apply');
    const computed = await new EvaluationLogits(fileTeacherOutputStores(directory)).of(teacher, data, true);
    // Two batches of 128 and 72.
    expect(apply).toHaveBeenCalledTimes(2);
    apply.mockClear();
    expect(computed).toEqual(await inferLogits(teacher, data));
    apply.mockClear();
    expect((await readdir(directory)).filter((name) => name.endsWith('.json'))).toHaveLength(1);

    const read = await new EvaluationLogits(fileTeacherOutputStores(directory)).of(teacher, data, true);
    expect(apply).not.toHaveBeenCalled();
    apply.mockRestore();
    expect(Array.from(read.logits)).toEqual(Array.from(computed.logits));
    expect(Array.from(read.labels)).toEqual(Array.from(computed.labels));
    expect(read.classes).toBe(3);
  });

  it('compute a model once per run, and keep nothing of a model that is not frozen', async () => {
    const logits = new EvaluationLogits(fileTeacherOutputStores(directory));
    const before = await readdir(directory);
    const first = logits.of(student, data, false);
    expect(logits.of(student, data, false)).toBe(first);
    await first;
    expect(await readdir(directory)).toEqual(before);
  });

  it('leak no tensor, computing or reading', async () => {
    await expectNoLeaks(async () => {
      await new EvaluationLogits(fileTeacherOutputStores(directory)).of(teacher, data, true);
      await new EvaluationLogits(fileTeacherOutputStores(directory)).of(student, data, false);
    });
  });
});
