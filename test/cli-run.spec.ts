import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExperimentData, type MetricsRecord, type Summary } from '@distillery/cli';
import { parseConfig } from '@distillery/config';
import { loadModel } from '@distillery/node';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DistilleryOutcome, runDistillery } from './support/runDistillery.js';

let directory: string;
let configPath: string;
let runDirectory: string;
let first: DistilleryOutcome;

const distillery = runDistillery;

const configText = (output: string) => `
name: kd-run
description: Hinton KD from a 32-unit MLP into an 8-unit one, beside the same student trained alone
plugins: ['@distillery/plugin-response']
data: { source: synthetic, examples: 300, features: 8, classes: 3, validation: 60, test: 60 }
teachers:
  - name: big
    model: { type: mlp, hidden: [32] }
    training: { epochs: 2, batchSize: 32, optimizer: { name: adam, learningRate: 0.01 } }
student:
  model: { type: mlp, hidden: [8] }
strategies:
  - { key: response.kd, weight: 0.9, options: { temperature: 4 } }
  - { key: task.ce, weight: 0.1 }
training: { epochs: 2, batchSize: 32, optimizer: { name: adam, learningRate: 0.01 } }
baseline: true
seeds: [1, 2]
backend: cpu
output: ${output}
`;

beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'distillery-run-'));
  configPath = join(directory, 'kd.yaml');
  runDirectory = join(directory, 'runs', 'kd-run');
  await writeFile(configPath, configText(join(directory, 'runs')));
  first = await distillery('run', configPath, '--quiet');
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const readJson = async <T>(...path: string[]): Promise<T> => JSON.parse(await readFile(join(...path), 'utf8')) as T;
const sizeOf = async (...path: string[]) => (await stat(join(...path))).size;

/** The run's test split, as plain numbers, loaded the way the run loads it. */
async function testSplit(): Promise<{ inputs: number[][]; labels: number[] }> {
  const data = await loadExperimentData(parseConfig(configText(join(directory, 'runs')), 'kd.yaml').data, directory);
  const [batch] = [...data.test.batches({ batchSize: data.test.size, shuffle: false, seed: 0, epoch: 0 })];
  if (batch === undefined) throw new Error('no test batch');
  const split = { inputs: batch.inputs.arraySync() as number[][], labels: Array.from(batch.labels.dataSync()) };
  tf.dispose([batch.inputs, batch.labels]);
  return split;
}

function logitsOf(model: tfl.LayersModel, inputs: number[][]): number[][] {
  return tf.tidy(() => (model.predict(tf.tensor2d(inputs)) as tf.Tensor2D).arraySync());
}

const argMax = (row: number[]) => row.indexOf(Math.max(...row));

/** Sample standard deviation, written out again: Σ(v − mean)² / (n − 1). */
function sampleStd(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
}

describe('distillery run', () => {
  it('exits with 0, prints the summary table and then the run directory', () => {
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.out.at(-1)).toBe(runDirectory);
    expect(first.out[0]).toMatch(/^kd-run: 60 test examples, 2 seeds, backend cpu, \d+ s\n/);
  });

  it('writes the config, metrics, checkpoints, stage outputs, the student, the summary and the report', async () => {
    expect(await readdir(runDirectory)).toEqual(
      expect.arrayContaining(['config.yaml', 'metrics.jsonl', 'checkpoints', 'stages', 'student', 'summary.json', 'report.html']),
    );
    expect(await readdir(join(runDirectory, 'student'))).toEqual(expect.arrayContaining(['model.json', 'weights.bin']));
    // The config as it ran, every default filled in, reads back to the same experiment.
    const saved = parseConfig(await readFile(join(runDirectory, 'config.yaml'), 'utf8'), 'config.yaml');
    expect(saved).toEqual(parseConfig(configText(join(directory, 'runs')), 'kd.yaml'));
    for (const stage of ['seed1-teacher-big', 'seed1-student', 'seed1-baseline', 'seed2-student']) {
      expect(await readdir(join(runDirectory, 'checkpoints', stage))).toEqual(
        expect.arrayContaining(['model.json', 'weights.bin']),
      );
    }
  });

  it('logs one metrics line per epoch per stage per seed', async () => {
    const records = (await readFile(join(runDirectory, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as MetricsRecord);
    // 2 seeds × (teacher 2 + student 2 + baseline 2 epochs)
    expect(records).toHaveLength(12);
    const keys = records.map((record) => `${record.seed} ${record.stage} ${record.model} ${record.epoch}`).sort();
    const expected = [1, 2].flatMap((seed) =>
      [
        [`seed${seed}-teacher-big`, 'teacher:big'],
        [`seed${seed}-student`, 'student'],
        [`seed${seed}-baseline`, 'baseline'],
      ].flatMap(([stage, model]) => [0, 1].map((epoch) => `${seed} ${stage} ${model} ${epoch}`)),
    );
    expect(keys).toEqual(expected.sort());
    for (const record of records) {
      // The student stage has a teacher; its teacher outputs are cached (the data is not augmented).
      const cached = record.model === 'student' ? ['teacherCache'] : [];
      expect(Object.keys(record).sort()).toEqual(
        ['epoch', 'learningRate', 'loss', 'losses', 'model', 'seconds', 'seed', 'stage', 'validation', ...cached].sort(),
      );
      if (record.model === 'student') {
        const { hits, misses } = record.teacherCache ?? { hits: -1, misses: -1 };
        expect(record.epoch === 0 ? hits : misses).toBe(0);
        expect(record.epoch === 0 ? misses : hits).toBeGreaterThan(0);
      }
      expect(Object.keys(record.losses).sort()).toEqual(record.model === 'student' ? ['response.kd', 'task.ce'] : ['task.ce']);
      expect(Number.isFinite(record.loss)).toBe(true);
      expect(record.learningRate).toBeCloseTo(0.01, 10);
      expect(record.seconds).toBeGreaterThan(0);
      // 60 validation examples: an accuracy is a count over 60.
      const correct = (record.validation?.accuracy as number) * 60;
      expect(correct).toBeCloseTo(Math.round(correct), 6);
    }
  });

  it('summarizes the teacher, the baseline and the student over both seeds', async () => {
    const summary = await readJson<Summary>(runDirectory, 'summary.json');
    expect(summary.name).toBe('kd-run');
    expect(summary.backend).toBe('cpu');
    expect(summary.seeds).toEqual([1, 2]);
    expect(summary.classes).toBe(3);
    // 300 − 60 test − 60 validation
    expect(summary.examples).toEqual({ train: 180, validation: 60, test: 60 });
    expect(Object.keys(summary.models)).toEqual(['teacher:big', 'baseline', 'student']);
    expect(Object.values(summary.models).map((model) => model.role)).toEqual(['teacher', 'baseline', 'student']);
    // teacher 8·32 + 32 + 32·3 + 3 = 387; student and baseline 8·8 + 8 + 8·3 + 3 = 99
    expect(Object.values(summary.models).map((model) => model.parameters)).toEqual([387, 99, 99]);
    for (const model of Object.values(summary.models)) {
      for (const statistic of [model.accuracy, model.validationAccuracy]) {
        expect(statistic.values).toHaveLength(2);
        expect(statistic.mean).toBeCloseTo((statistic.values[0] as number) / 2 + (statistic.values[1] as number) / 2, 12);
        expect(statistic.std).toBeCloseTo(sampleStd(statistic.values), 12);
        for (const value of statistic.values) expect(value * 60).toBeCloseTo(Math.round(value * 60), 6);
      }
      expect(model.latencyMsPerExample).toBeGreaterThan(0);
    }
    // Sizes on disk: weights.bin holds 4 bytes per parameter, model.json the rest.
    expect(summary.models.student?.bytes).toBe((await sizeOf(runDirectory, 'stages', 'seed1-student', 'model.json')) + 99 * 4);
    expect(summary.models['teacher:big']?.bytes).toBeGreaterThan(387 * 4);

    const student = summary.models.student?.accuracy.values as number[];
    const baseline = summary.models.baseline?.accuracy.values as number[];
    const gain = summary.gain;
    expect(gain?.values).toHaveLength(2);
    gain?.values.forEach((value, i) => {
      expect(value).toBeCloseTo((student[i] as number) - (baseline[i] as number), 12);
    });
    expect(gain?.std).toBeCloseTo(sampleStd(gain?.values ?? []), 12);
    // The share of the teacher–baseline gap closed, when the teacher is ahead: mean gain ÷ mean gap.
    const teacher = summary.models['teacher:big']?.accuracy.mean as number;
    const gap = teacher - (summary.models.baseline?.accuracy.mean as number);
    if (gap > 0) {
      expect(summary.gapClosed?.reference).toBe('teacher:big');
      expect(summary.gapClosed?.gap).toBeCloseTo(gap, 12);
      expect(summary.gapClosed?.fraction).toBeCloseTo((gain?.mean as number) / gap, 12);
    } else {
      expect(summary.gapClosed).toBeUndefined();
    }
    expect(Object.keys(summary.teacherDiagnostics ?? {})).toEqual(['1', '2']);
    expect(summary.teacherDiagnostics?.['1']?.examples).toBe(60);
  });

  it('reports accuracies that the saved models reproduce on the test split', async () => {
    const summary = await readJson<Summary>(runDirectory, 'summary.json');
    const { inputs, labels } = await testSplit();
    const accuracyOf = async (path: string) => {
      const model = await loadModel(path);
      const predictions = logitsOf(model, inputs).map(argMax);
      model.dispose();
      return predictions.filter((prediction, i) => prediction === labels[i]).length / labels.length;
    };
    // student/ is the first seed's distilled student.
    expect(await accuracyOf(join(runDirectory, 'student'))).toBeCloseTo(summary.models.student?.accuracy.values[0] as number, 12);
    expect(await accuracyOf(join(runDirectory, 'stages', 'seed2-baseline'))).toBeCloseTo(
      summary.models.baseline?.accuracy.values[1] as number,
      12,
    );
  });

  it('gives the same accuracies when run again with --overwrite', async () => {
    const before = await readJson<Summary>(runDirectory, 'summary.json');
    const refused = await distillery('run', configPath, '--quiet');
    expect(refused.code).toBe(2);
    const again = await distillery('run', configPath, '--quiet', '--overwrite');
    expect(again.code).toBe(0);
    const after = await readJson<Summary>(runDirectory, 'summary.json');
    const accuracies = (summary: Summary) =>
      Object.entries(summary.models).map(([name, model]) => [name, model.accuracy.values, model.validationAccuracy.values]);
    expect(accuracies(after)).toEqual(accuracies(before));
    expect(after.gain).toEqual(before.gain);
  });

  it('writes report.html again with `report`', async () => {
    const path = join(runDirectory, 'report.html');
    const original = await readFile(path, 'utf8');
    await rm(path);
    expect(await distillery('report', runDirectory)).toEqual({ code: 0, out: [path], err: [] });
    const html = await readFile(path, 'utf8');
    expect(html).toBe(original);
    for (const name of ['teacher:big', 'baseline', 'student']) expect(html).toContain(`<td>${name}</td>`);
    expect(html).toMatch(/<p class="verdict (helped|not-helped)"><strong>Distillation (helped|did not help)/);
    // The gain per seed, the accuracies per seed, the loss and the accuracy curves.
    expect(html.split('<svg').length - 1).toBe(4);
    expect(html).toContain('Gain from distillation, per seed');
    expect(html).not.toContain('<script');
  });
});

/**
 * For y = W₂ᵀ relu(W₁ᵀx + b₁) + b₂ and weights off by at most e(w) each, |Δy_k| is at most
 * Σ_j a_j (|W₂_jk| + e₂_jk) + Σ_j |h_j| e₂_jk + e(b₂_k), with a_j = Σ_i |x_i| e₁_ij + e(b₁_j) bounding |Δh_j|
 * (ReLU is 1-Lipschitz), plus float32 rounding of the sums.
 */
function logitErrorBound(
  x: number[],
  [kernel1, bias1, kernel2, bias2]: [number[][], number[][], number[][], number[][]],
  error: (tensor: number, value: number) => number,
): number[] {
  const hidden = (bias1[0] as number[]).map((bias, j) =>
    Math.max(
      0,
      x.reduce((sum, xi, i) => sum + xi * (kernel1[i]?.[j] as number), bias),
    ),
  );
  const a = (bias1[0] as number[]).map(
    (bias, j) => x.reduce((sum, xi, i) => sum + Math.abs(xi) * error(0, kernel1[i]?.[j] as number), 0) + error(1, bias),
  );
  return (bias2[0] as number[]).map((bias, k) => {
    let bound = error(3, bias);
    let magnitude = Math.abs(bias);
    hidden.forEach((h, j) => {
      const w = kernel2[j]?.[k] as number;
      bound += (a[j] as number) * (Math.abs(w) + error(2, w)) + Math.abs(h) * error(2, w);
      magnitude += Math.abs(h * w);
    });
    return bound + 1e-5 * (magnitude + 1);
  });
}

describe('distillery export', () => {
  let inputs: number[][];
  let original: number[][];
  let weights: [number[][], number[][], number[][], number[][]];

  beforeAll(async () => {
    ({ inputs } = await testSplit());
    const student = await loadModel(join(runDirectory, 'student'));
    original = logitsOf(student, inputs);
    // kernel [8, 8], bias [8], kernel [8, 3], bias [3], as rows (biases as one row)
    const [kernel1, bias1, kernel2, bias2] = student
      .getWeights()
      .map((weight) => (weight.rank === 1 ? [weight.arraySync() as number[]] : (weight.arraySync() as number[][])));
    expect(student.getWeights().map((weight) => weight.shape)).toEqual([[8, 8], [8], [8, 3], [3]]);
    weights = [kernel1, bias1, kernel2, bias2] as [number[][], number[][], number[][], number[][]];
    student.dispose();
  });

  const exported = async (quantization: string) => {
    const { code, out, err } = await distillery('export', runDirectory, '--quantize', quantization);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const target = join(runDirectory, `export-${quantization}`);
    expect(out.at(-1)).toBe(target);
    const model = await loadModel(target);
    const logits = logitsOf(model, inputs);
    model.dispose();
    return { target, logits };
  };

  it('halves the weights with float16, and the student predicts as before within half precision', async () => {
    const { target, logits } = await exported('float16');
    expect(await sizeOf(target, 'weights.bin')).toBe((await sizeOf(runDirectory, 'student', 'weights.bin')) / 2);
    // Each weight within 2⁻¹¹ of itself (plus 2⁻²⁵ for subnormal halves).
    const error = (_: number, w: number) => 2 ** -11 * Math.abs(w) + 2 ** -25;
    let largestLogit = 0;
    let largestDifference = 0;
    inputs.forEach((x, n) => {
      const bound = logitErrorBound(x, weights, error);
      (logits[n] as number[]).forEach((value, k) => {
        const before = original[n]?.[k] as number;
        expect(Math.abs(value - before)).toBeLessThanOrEqual(bound[k] as number);
        largestLogit = Math.max(largestLogit, Math.abs(before));
        largestDifference = Math.max(largestDifference, Math.abs(value - before));
      });
    });
    expect(largestDifference).toBeLessThan(0.01 * largestLogit);
    const agreeing = logits.filter((row, n) => argMax(row) === argMax(original[n] as number[])).length;
    expect(agreeing / inputs.length).toBeGreaterThanOrEqual(0.98);
  });

  it('quarters the weights with uint8, and the student predicts as before within the bound the scales give', async () => {
    const { target, logits } = await exported('uint8');
    expect(await sizeOf(target, 'weights.bin')).toBe((await sizeOf(runDirectory, 'student', 'weights.bin')) / 4);
    const manifest = await readJson<tf.io.ModelJSON>(target, 'model.json');
    const specs = manifest.weightsManifest[0]?.weights ?? [];
    expect(specs.map((spec) => spec.quantization?.dtype)).toEqual(['uint8', 'uint8', 'uint8', 'uint8']);
    // Each weight within half a step of its tensor's scale, plus the float32 rounding of q · scale + min.
    const error = (tensor: number, w: number) => (specs[tensor]?.quantization?.scale as number) / 2 + 2 ** -23 * Math.abs(w);
    inputs.forEach((x, n) => {
      const bound = logitErrorBound(x, weights, error);
      (logits[n] as number[]).forEach((value, k) => {
        expect(Math.abs(value - (original[n]?.[k] as number))).toBeLessThanOrEqual(bound[k] as number);
      });
    });
    const agreeing = logits.filter((row, n) => argMax(row) === argMax(original[n] as number[])).length;
    // The bound above is the guarantee; an arg-max may still flip where two logits nearly tie.
    expect(agreeing / inputs.length).toBeGreaterThanOrEqual(0.95);
  });
});
