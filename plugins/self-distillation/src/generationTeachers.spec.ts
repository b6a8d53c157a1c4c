import '@tensorflow/tfjs-backend-cpu';
import { fixtureMlp } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generationTeachers } from './generationTeachers.js';

const models = [0, 1, 2].map((k) => fixtureMlp({ inputSize: 3, hidden: [2], classes: 2, seed: k, prefix: `g${k}` }));
const generations = models.map((model, k) => ({ name: `gen${k}`, model, history: [], fingerprint: String(k), reused: false }));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  for (const model of models) model.dispose();
});

describe('generationTeachers', () => {
  it('names each generation’s model after its stage, sharing the model', () => {
    const teachers = generationTeachers(generations);
    expect(teachers.map((teacher) => teacher.name)).toEqual(['gen0', 'gen1', 'gen2']);
    teachers.forEach((teacher, k) => {
      expect(teacher.model).toBe(models[k]);
      expect(Object.keys(teacher)).toEqual(['name', 'model']);
    });
  });

  it('takes the chosen generations in the order given', () => {
    const teachers = generationTeachers(generations, { generations: [2, 1] });
    expect(teachers.map((teacher) => teacher.name)).toEqual(['gen2', 'gen1']);
    expect(teachers[0]?.model).toBe(models[2]);
  });

  it('names a bad index', () => {
    expect(() => generationTeachers(generations, { generations: [3] })).toThrow(
      'generations[0]: expected an integer in 0 … 2, got 3',
    );
    expect(() => generationTeachers(generations, { generations: [] })).toThrow(
      'generations: expected a non-empty list of generation indices',
    );
  });
});
