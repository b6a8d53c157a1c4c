import '@tensorflow/tfjs-backend-cpu';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Summary } from '@distillery/cli';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { midEpochCheckpoint } from './support/midEpochCheckpoint.js';
import { runDistillery } from './support/runDistillery.js';
import { savedWeights } from './support/savedWeights.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'packages', 'cli', 'dist', 'bin.js');
/** Trained in PyTorch and exported with its stages as extra outputs (packages/teacher-onnx/fixtures/train_mnist_cnn.py). */
const onnxFile = join(root, 'packages', 'teacher-onnx', 'fixtures', 'mnist-cnn.onnx');
const graphModelDirectory = join(root, 'packages', 'teacher-graph-model', 'fixtures', 'mlp-graph');
let directory: string;

/** An ONNX teacher feeding logits (KD), two tapped stages (AT) and a hint (FitNets) to a small CNN student. */
const configText = (name: string, teacherModel = `{ type: onnx, path: ${onnxFile} }`) => `
name: ${name}
plugins: ['@distillery/plugin-response', '@distillery/plugin-attention', '@distillery/plugin-feature']
data: { source: mnist, trainExamples: 900, validation: 100, testExamples: 200 }
teachers:
  - name: torch
    model: ${teacherModel}
student:
  model: { type: cnn, channels: [4, 8], dense: 16, dropout: 0.2 }
strategies:
  - { key: response.kd, weight: 0.5, options: { temperature: 4 } }
  - { key: task.ce, weight: 0.5 }
  - key: attention.at
    options: { pairs: [{ student: student_pool1, teacher: stage1 }, { student: student_pool2, teacher: stage2 }] }
  - { key: feature.hint, weight: 0.1, options: { pairs: [{ student: student_pool2, teacher: stage2 }] } }
training: { epochs: 3, batchSize: 32, optimizer: { name: adam, learningRate: 0.003 }, schedule: { type: cosine } }
baseline: false
seeds: [1]
backend: native
checkpointEverySteps: 4
output: ${join(directory, 'runs')}
`;

async function writeConfig(name: string, teacherModel?: string): Promise<string> {
  const path = join(directory, `${name}.yaml`);
  await writeFile(path, configText(name, teacherModel));
  return path;
}

const studentWeights = (run: string) => savedWeights(join(directory, 'runs', run, 'student'));

const checkpointOf = (run: string) => join(directory, 'runs', run, 'checkpoints', 'seed1-student', 'state.ckpt');

beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'distillery-onnx-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('a PyTorch teacher exported to ONNX', () => {
  let whole: Summary;

  it('teaches a tfjs student through its logits and tapped stages, reported like any teacher', async () => {
    const run = await runDistillery('run', await writeConfig('whole'), '--quiet');
    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    whole = JSON.parse(await readFile(join(directory, 'runs', 'whole', 'summary.json'), 'utf8')) as Summary;
    const teacher = whole.models['teacher:torch'];
    // The fixture scores 99 % on the full test set in PyTorch (mnist-cnn.expected.json); 200 digits here.
    expect(teacher?.accuracy.mean).toBeGreaterThan(0.97);
    expect(teacher?.parameters).toBeGreaterThan(30_000);
    expect(teacher?.bytes).toBe((await readFile(onnxFile)).length);
    expect(whole.teacherDiagnostics?.['1']?.teachers.torch?.accuracy).toBeGreaterThan(0.97);
    expect(whole.models.student?.accuracy.mean).toBeGreaterThan(0.5);
  }, 120_000);

  it('resumed after SIGKILL in the middle of an epoch, ends with the uninterrupted run’s weights bit for bit', async () => {
    const child = spawn(process.execPath, [bin, 'run', await writeConfig('killed'), '--quiet'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const { epoch } = await midEpochCheckpoint(checkpointOf('killed'), child);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    expect(epoch).toBeGreaterThanOrEqual(1);
    const resumed = await runDistillery('run', '--resume', join(directory, 'runs', 'killed'), '--quiet');
    expect(resumed.err).toEqual([]);
    expect(resumed.code).toBe(0);
    expect(await studentWeights('killed')).toEqual(await studentWeights('whole'));
  }, 180_000);
});

describe('a teacher file that does not fit', () => {
  const refused = async (name: string, teacherModel: string) => {
    const outcome = await runDistillery('run', await writeConfig(name, teacherModel), '--quiet');
    expect(outcome.code).toBe(2);
    expect(outcome.err).toHaveLength(1);
    return outcome.err[0] as string;
  };

  it('is one line naming the field and what was expected, exit 2', async () => {
    const missing = join(directory, 'missing.onnx');
    expect(await refused('missing', `{ type: onnx, path: ${missing} }`)).toBe(
      `error: teachers[0].model: ONNX model not found: ${missing}`,
    );
    const corrupt = join(directory, 'corrupt.onnx');
    const bytes = await readFile(onnxFile);
    await writeFile(corrupt, bytes.subarray(0, 1000));
    expect(await refused('corrupt', `{ type: onnx, path: ${corrupt} }`)).toMatch(
      new RegExp(`^error: teachers\\[0\\]\\.model: ${corrupt}: not a valid ONNX model \\(.+\\)$`),
    );
    expect(await refused('input', `{ type: onnx, path: ${onnxFile}, input: pixels }`)).toBe(
      `error: teachers[0].model: ${onnxFile}: no input named 'pixels'; its inputs are: image`,
    );
    expect(await refused('layout', `{ type: onnx, path: ${onnxFile}, layout: nhwc }`)).toBe(
      `error: teachers[0].model: ${onnxFile}: input 'image' takes [B, 1, 28, 28], but in layout 'nhwc' the data's examples [28, 28, 1] give [B, 28, 28, 1]`,
    );
    expect(await refused('tap', `{ type: onnx, path: ${onnxFile}, features: [stage1, /nowhere/Relu_output_0] }`)).toMatch(
      new RegExp(
        `^error: teachers\\[0\\]\\.model: ${onnxFile}: no output or value named '/nowhere/Relu_output_0'; its outputs are: logits, stage1, stage2, stage3; .+$`,
      ),
    );
    expect(await refused('untapped', `{ type: onnx, path: ${onnxFile}, features: [stage1] }`)).toBe(
      `error: strategies[2]: teacher 'torch' (ONNX model mnist-cnn.onnx) has no output named 'stage2'; its outputs are: stage1 [B,14,14,16]`,
    );
    expect(await refused('classes', `{ type: onnx, path: ${onnxFile}, logits: /Flatten_output_0 }`)).toBe(
      `error: teachers[0].model: teacher 'torch' predicts 64 classes but the student predicts 10`,
    );
  }, 120_000);
});

describe('an ONNX teacher beside a teacher trained here', () => {
  it('is weighed per example by a multi-teacher policy, and a sweep over the pair chooses on validation', async () => {
    const config = join(directory, 'mixed.yaml');
    await writeFile(
      config,
      `name: mixed
plugins: ['@distillery/plugin-multi-teacher']
data: { source: mnist, trainExamples: 600, validation: 100, testExamples: 200 }
teachers:
  - { name: torch, model: { type: onnx, path: ${onnxFile} } }
  - name: small
    model: { type: cnn, channels: [4], dense: 16 }
    training: { epochs: 1, batchSize: 32 }
student: { model: { type: mlp, hidden: [16] } }
strategies: [{ key: multi.kd, weight: 0.5, options: { temperature: 4, policy: confidence } }, { key: task.ce, weight: 0.5 }]
training: { epochs: 1, batchSize: 32 }
seeds: [1]
backend: native
output: ${join(directory, 'runs')}
`,
    );
    const sweep = await runDistillery('sweep', config, '--grid', 'temperature=2,4', '--quiet');
    // The diagnostics flag the weak teacher at each point, as for any pair of teachers.
    expect(sweep.err).toHaveLength(2);
    for (const line of sweep.err) expect(line).toMatch(/^warning: teacher 'small' looks unreliable: accuracy .* below 'torch'/);
    expect(sweep.code).toBe(0);
    const summary = JSON.parse(
      await readFile(join(directory, 'runs', 'mixed-sweep', 'temperature=2', 'summary.json'), 'utf8'),
    ) as Summary;
    expect(Object.keys(summary.models)).toEqual(['teacher:torch', 'teacher:small', 'ensemble', 'baseline', 'student']);
    const sweepFile = JSON.parse(await readFile(join(directory, 'runs', 'mixed-sweep', 'sweep.json'), 'utf8')) as {
      selectedBy: string;
      points: unknown[];
    };
    expect([sweepFile.selectedBy, sweepFile.points.length]).toEqual(['validation accuracy', 2]);
    const diagnostics = summary.teacherDiagnostics?.['1'];
    expect(Object.keys(diagnostics?.ensembles ?? {})).toEqual(['mean-probs', 'multi.kd']);
    // The PyTorch teacher knows MNIST far better than a one-epoch conv4 on 600 digits.
    expect(diagnostics?.teachers.torch?.accuracy).toBeGreaterThan(diagnostics?.teachers.small?.accuracy as number);
  }, 120_000);
});

describe('a TF.js GraphModel teacher', () => {
  it('is distilled from like any other teacher', async () => {
    const config = join(directory, 'graph.yaml');
    await writeFile(
      config,
      `name: graph
plugins: ['@distillery/plugin-response']
data: { source: synthetic, examples: 600, features: 6, classes: 3, noise: 1, validation: 100, test: 100 }
teachers: [{ name: graph, model: { type: graph-model, path: ${graphModelDirectory} } }]
student: { model: { type: mlp, hidden: [8] } }
strategies: [{ key: response.kd, options: { temperature: 2 } }, { key: task.ce }]
training: { epochs: 2, batchSize: 32 }
seeds: [1]
backend: cpu
output: ${join(directory, 'runs')}
`,
    );
    const run = await runDistillery('run', config, '--quiet');
    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(await readFile(join(directory, 'runs', 'graph', 'summary.json'), 'utf8')) as Summary;
    expect(Object.keys(summary.models)).toEqual(['teacher:graph', 'baseline', 'student']);
  }, 60_000);
});
