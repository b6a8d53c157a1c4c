import '@tensorflow/tfjs-backend-cpu';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricsRecord } from '@distillery/cli';
import { decodeTrainingState } from '@distillery/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { midEpochCheckpoint } from './support/midEpochCheckpoint.js';
import { runDistillery } from './support/runDistillery.js';
import { savedWeights } from './support/savedWeights.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'cli', 'dist', 'bin.js');
let directory: string;
let reference: number[][];

/** A student with dropout, a cosine schedule and Adam: everything a resumed run must restore. */
const configText = (name: string, epochs = 6) => `
name: ${name}
plugins: ['@distillery/plugin-response']
data: { source: synthetic, examples: 6000, features: 32, classes: 5, noise: 1.5, validation: 200, test: 200 }
teachers:
  - name: big
    model: { type: mlp, hidden: [64] }
    training: { epochs: 1, batchSize: 32, optimizer: { name: adam, learningRate: 0.01 } }
student:
  model: { type: mlp, hidden: [64], dropout: 0.2 }
strategies:
  - { key: response.kd, weight: 0.9, options: { temperature: 4 } }
  - { key: task.ce, weight: 0.1 }
training: { epochs: ${epochs}, batchSize: 32, optimizer: { name: adam, learningRate: 0.005 }, schedule: { type: cosine } }
baseline: false
seeds: [1]
backend: cpu
checkpointEverySteps: 7
output: ${join('OUTPUT', 'runs')}
`;

const distillery = runDistillery;

async function writeConfig(name: string, epochs?: number): Promise<string> {
  const path = join(directory, `${name}${epochs ?? ''}.yaml`);
  await writeFile(path, configText(name, epochs).replace('OUTPUT', directory));
  return path;
}

const studentWeights = (run: string) => savedWeights(join(directory, 'runs', run, 'student'));

function largestDifference(a: number[][], b: number[][]): number {
  expect(a.map((values) => values.length)).toEqual(b.map((values) => values.length));
  return Math.max(...a.flatMap((values, i) => values.map((value, j) => Math.abs(value - (b[i]?.[j] as number)))));
}

const checkpointOf = (run: string) => join(directory, 'runs', run, 'checkpoints', 'seed1-student', 'state.ckpt');

function start(config: string): { child: ChildProcess; exited: Promise<number | null>; stderr: string[] } {
  const child = spawn(process.execPath, [bin, 'run', config, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(...chunk.toString().split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'distillery-resume-'));
  const whole = await distillery('run', await writeConfig('whole'), '--quiet');
  expect(whole.code).toBe(0);
  reference = await studentWeights('whole');
}, 120_000);

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('a run killed with SIGKILL in the middle of an epoch', () => {
  it('refuses another config on its directory, refuses a truncated checkpoint, and resumed ends with the uninterrupted run’s weights', async () => {
    const config = await writeConfig('killed');
    const { child, exited } = start(config);
    const { epoch } = await midEpochCheckpoint(checkpointOf('killed'), child);
    // A random moment later: maybe mid-step, maybe mid-write of the next checkpoint.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    await expect(stat(join(directory, 'runs', 'killed', 'summary.json'))).rejects.toThrow();
    expect(epoch).toBeGreaterThanOrEqual(1);

    const other = await distillery('run', await writeConfig('killed', 7), '--quiet');
    expect(other.code).toBe(2);
    expect(other.err).toEqual([
      `error: ${join(directory, 'runs', 'killed')} holds an interrupted run made with another config (training.epochs: 6 → 7); ` +
        `continue it with distillery run --resume ${join(directory, 'runs', 'killed')}, or pass --overwrite to start again`,
    ]);

    const checkpoint = checkpointOf('killed');
    await copyFile(checkpoint, `${checkpoint}.good`);
    const bytes = await readFile(checkpoint);
    await writeFile(checkpoint, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const truncated = await distillery('run', '--resume', join(directory, 'runs', 'killed'), '--quiet');
    expect(truncated.code).toBe(2);
    expect(truncated.err).toHaveLength(1);
    expect(truncated.err[0]).toMatch(
      new RegExp(`^error: checkpoint ${checkpoint} is (truncated|corrupt) .*; delete it to restart the stage$`),
    );
    await copyFile(`${checkpoint}.good`, checkpoint);
    await rm(`${checkpoint}.good`);

    const resumed = await distillery('run', '--resume', join(directory, 'runs', 'killed'), '--quiet');
    expect(resumed.err).toEqual([]);
    expect(resumed.code).toBe(0);
    const weights = await studentWeights('killed');
    expect(largestDifference(weights, reference)).toBeLessThanOrEqual(1e-6);
    // metrics.jsonl holds every epoch of the student once, the ones before the kill included.
    const records = (await readFile(join(directory, 'runs', 'killed', 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as MetricsRecord)
      .filter((record) => record.model === 'student');
    expect(records.map((record) => record.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('a CRD run killed with SIGKILL in the middle of an epoch', () => {
  // Memory banks over the training set and their Z constants are strategy state: the checkpoint must carry them.
  const crdConfig = (name: string) =>
    configText(name, 3)
      .replace("plugins: ['@distillery/plugin-response']", "plugins: ['@distillery/plugin-contrastive']")
      .replace('examples: 6000', 'examples: 2400')
      .replace(
        /strategies:\n(.*\n){2}/,
        `strategies:
  - { key: contrastive.crd, weight: 0.8, options: { student: student_hidden1, teacherLayer: big_hidden1, featureDim: 16, negatives: 64 } }
  - { key: task.ce }
`,
      )
      .replace('OUTPUT', directory);

  it('resumed ends with the uninterrupted run’s weights', async () => {
    await writeFile(join(directory, 'crd-whole.yaml'), crdConfig('crd-whole'));
    const whole = await distillery('run', join(directory, 'crd-whole.yaml'), '--quiet');
    expect(whole.err).toEqual([]);
    const expected = await studentWeights('crd-whole');

    await writeFile(join(directory, 'crd-killed.yaml'), crdConfig('crd-killed'));
    const { child, exited } = start(join(directory, 'crd-killed.yaml'));
    const { epoch } = await midEpochCheckpoint(checkpointOf('crd-killed'), child);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    expect(epoch).toBeGreaterThanOrEqual(1);
    const { state } = decodeTrainingState(await readFile(checkpointOf('crd-killed')), checkpointOf('crd-killed'));
    // Two banks of [2000 training examples, 16] and the two Z constants.
    expect(state.strategyState?.map(({ shape }) => shape)).toEqual([[2000, 16], [2000, 16], [2]]);

    const resumed = await distillery('run', '--resume', join(directory, 'runs', 'crd-killed'), '--quiet');
    expect(resumed.err).toEqual([]);
    expect(resumed.code).toBe(0);
    expect(largestDifference(await studentWeights('crd-killed'), expected)).toBeLessThanOrEqual(1e-6);
  }, 180_000);
});

describe('a deep-mutual-learning run killed with SIGKILL in the middle of an epoch', () => {
  // The peer's weights and its optimizer slots are part of the training state: the checkpoint must carry them.
  const dmlConfig = (name: string) =>
    configText(name, 3)
      .replace("plugins: ['@distillery/plugin-response']", "plugins: ['@distillery/plugin-self-distillation']")
      .replace('examples: 6000', 'examples: 2400')
      .replace(/teachers:\n(.*\n){3}/, '')
      .replace(
        /strategies:\n(.*\n){2}/,
        `peers:
  - { name: peer, model: { type: mlp, hidden: [48], dropout: 0.2 } }
strategies:
  - { key: task.ce }
  - { key: online.dml, options: { temperature: 2 } }
`,
      )
      .replace('OUTPUT', directory);
  const peerWeights = (run: string) => savedWeights(join(directory, 'runs', run, 'peers', 'peer'));

  it('resumed ends with the uninterrupted run’s student and peer weights', async () => {
    await writeFile(join(directory, 'dml-whole.yaml'), dmlConfig('dml-whole'));
    const whole = await distillery('run', join(directory, 'dml-whole.yaml'), '--quiet');
    expect(whole.err).toEqual([]);
    const expected = { student: await studentWeights('dml-whole'), peer: await peerWeights('dml-whole') };

    await writeFile(join(directory, 'dml-killed.yaml'), dmlConfig('dml-killed'));
    const { child, exited } = start(join(directory, 'dml-killed.yaml'));
    const { epoch } = await midEpochCheckpoint(checkpointOf('dml-killed'), child);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    expect(epoch).toBeGreaterThanOrEqual(1);
    const { state } = decodeTrainingState(await readFile(checkpointOf('dml-killed')), checkpointOf('dml-killed'));
    // One peer: the kernel and bias of its hidden and logit layers.
    expect(state.peerWeights?.map((weights) => weights.map(({ shape }) => shape))).toEqual([[[32, 48], [48], [48, 5], [5]]]);

    const resumed = await distillery('run', '--resume', join(directory, 'runs', 'dml-killed'), '--quiet');
    expect(resumed.err).toEqual([]);
    expect(resumed.code).toBe(0);
    expect(largestDifference(await studentWeights('dml-killed'), expected.student)).toBeLessThanOrEqual(1e-6);
    expect(largestDifference(await peerWeights('dml-killed'), expected.peer)).toBeLessThanOrEqual(1e-6);
  }, 180_000);
});

describe('a run stopped with Ctrl-C (SIGINT)', () => {
  it('finishes the batch, saves its state, exits with 130, and resumed ends with the uninterrupted run’s weights', async () => {
    const config = await writeConfig('interrupted');
    const { child, exited, stderr } = start(config);
    await midEpochCheckpoint(checkpointOf('interrupted'), child);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const run = join(directory, 'runs', 'interrupted');
    expect(stderr[0]).toBe('stopping after the current batch to save a checkpoint (Ctrl-C again to quit at once)');
    const last = stderr.at(-1) as string;
    const match =
      /^interrupted: stage seed1-student: interrupted at epoch (\d+), batch (\d+) of 175 \(step (\d+)\); the state is saved; continue with: distillery run --resume (.+)$/.exec(
        last,
      );
    expect(match?.[4]).toBe(run);
    const { state } = decodeTrainingState(await readFile(checkpointOf('interrupted')), checkpointOf('interrupted'));
    expect([state.epoch, state.batch, state.globalStep]).toEqual([Number(match?.[1]), Number(match?.[2]), Number(match?.[3])]);

    const resumed = await distillery('run', '--resume', run, '--quiet');
    expect(resumed.code).toBe(0);
    const weights = await studentWeights('interrupted');
    expect(largestDifference(weights, reference)).toBeLessThanOrEqual(1e-6);
  });
});
