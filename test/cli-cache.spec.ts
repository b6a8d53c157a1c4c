import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricsRecord } from '@distillery/cli';
import { loadModel } from '@distillery/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDistillery } from './support/runDistillery.js';

let directory: string;

const distillery = runDistillery;

const configText = (name: string, cache: string) => `
name: ${name}
plugins: ['@distillery/plugin-response']
data: { source: synthetic, examples: 200, features: 8, classes: 3, validation: 40, test: 40 }
teachers:
  - name: big
    model: { type: mlp, hidden: [32] }
    training: { epochs: 2, batchSize: 32, optimizer: { name: adam, learningRate: 0.01 } }
student:
  model: { type: mlp, hidden: [8] }
strategies:
  - { key: response.kd, weight: 0.9, options: { temperature: 4 } }
  - { key: task.ce, weight: 0.1 }
training: { epochs: 2, batchSize: 32, optimizer: { name: adam, learningRate: 0.01 }, teacherCache: ${cache} }
seeds: [1]
backend: cpu
output: ${'OUTPUT'}
`;

async function studentMetrics(run: string): Promise<MetricsRecord[]> {
  const lines = (await readFile(join(directory, 'runs', run, 'metrics.jsonl'), 'utf8')).trim().split('\n');
  return lines.map((line) => JSON.parse(line) as MetricsRecord).filter((record) => record.model === 'student');
}

async function studentWeights(run: string): Promise<number[][]> {
  const model = await loadModel(join(directory, 'runs', run, 'student'));
  const weights = model.getWeights().map((weight) => Array.from(weight.dataSync()));
  model.dispose();
  return weights;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'distillery-cache-'));
  const write = (file: string, name: string, cache: string) =>
    writeFile(join(directory, file), configText(name, cache).replace('OUTPUT', join(directory, 'runs')));
  await write('cached.yaml', 'cached', '{ enabled: true }');
  await write('uncached.yaml', 'uncached', '{ enabled: false }');
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('distillery cache', () => {
  it('fills the teacher cache ahead of the run, which then distils without a teacher pass and trains the same student', async () => {
    const cache = await distillery('cache', join(directory, 'cached.yaml'), '--quiet');
    expect(cache.err).toEqual([]);
    expect(cache.code).toBe(0);
    const cacheDirectory = join(directory, 'runs', 'cached', 'teacher-cache');
    expect(cache.out[0]).toMatch(new RegExp(`^seed 1: ${cacheDirectory}/[0-9a-f]{64}\\.bin$`));
    const files = (await readdir(cacheDirectory)).sort();
    expect(files.map((file) => file.replace(/^[0-9a-f]{64}/, 'KEY'))).toEqual(['KEY.bin', 'KEY.json']);

    const run = await distillery('run', join(directory, 'cached.yaml'), '--quiet');
    expect(run.code).toBe(0);
    // 200 examples − 40 validation − 40 test = 120 training examples in batches of 32: 4 batches, all read.
    expect((await studentMetrics('cached')).map((record) => record.teacherCache)).toEqual([
      { hits: 4, misses: 0 },
      { hits: 4, misses: 0 },
    ]);

    expect((await distillery('run', join(directory, 'uncached.yaml'), '--quiet')).code).toBe(0);
    expect((await studentMetrics('uncached')).map((record) => record.teacherCache)).toEqual([undefined, undefined]);
    expect(await studentWeights('cached')).toEqual(await studentWeights('uncached'));
  });

  it('refuses a run directory that holds a finished run, in one line', async () => {
    const again = await distillery('cache', join(directory, 'cached.yaml'), '--quiet');
    expect(again.code).not.toBe(0);
    expect(again.err).toEqual([
      `error: ${join(directory, 'runs', 'cached')} holds a finished run; a cache is filled before a run, not after one`,
    ]);
  });
});
