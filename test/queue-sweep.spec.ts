import '@tensorflow/tfjs-backend-cpu';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProgram, type SweepPoint } from '@distillery/cli';
import { parseQueueUrl, readStudyStatus } from '@distillery/queue';
import { type RedisServerForTests, startRedisServer } from '@distillery/queue/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QueueWorkers, startQueueWorkers } from './support/queueWorkers.js';

// A study a worker is killed in the middle of: the student trains for long enough (16 epochs) that a job is caught
// mid-stage, and checkpoints often enough (every 4 steps) that the worker taking it over has one to continue from.
const configText = (output: string) => `
plugins: ['@distillery/plugin-response']
data: { source: synthetic, examples: 600, features: 8, classes: 3, validation: 100, test: 100 }
teachers:
  - name: big
    model: { type: mlp, hidden: [64] }
    training: { epochs: 4, batchSize: 32, optimizer: { name: adam, learningRate: 0.01 } }
student:
  model: { type: mlp, hidden: [8] }
strategies:
  - { key: response.kd, weight: 0.7, options: { temperature: 2 } }
  - { key: task.ce, weight: 0.3 }
training: { epochs: 16, batchSize: 32, optimizer: { name: adam, learningRate: 0.01 } }
seeds: [1, 2]
backend: cpu
checkpointEverySteps: 4
output: ${output}
`;
const grid = ['--grid', 'temperature=1,2,4', '--grid', 'alpha=0.5,0.9'];
const stalledAfterSeconds = 3;

interface SweepFile {
  readonly points: SweepPoint[];
}

let directory: string;
let reference: { sweep: SweepFile; weights: Map<string, Float32Array> };

/** Runs `distillery …` in this process; the sweep's own output is quiet. */
async function distillery(args: readonly string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runProgram(args, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

/** Every stage's weights in a sweep directory, by stage folder (`<stage>.<fingerprint prefix>`). */
async function stageWeights(sweepDirectory: string): Promise<Map<string, Float32Array>> {
  const weights = new Map<string, Float32Array>();
  for (const stage of await readdir(join(sweepDirectory, 'stages'))) {
    const bytes = await readFile(join(sweepDirectory, 'stages', stage, 'weights.bin'));
    weights.set(stage, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
  }
  return weights;
}

async function trainings(sweepDirectory: string, stage: string): Promise<{ owner: string; from: unknown }[]> {
  const text = await readFile(join(sweepDirectory, 'stages', stage, 'trainings.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/** Writes the config, runs the sweep on the queue with three workers while `meddle` acts, and gives back the sweep. */
async function queuedSweep(
  name: string,
  url: string,
  meddle: (
    workers: QueueWorkers,
    studyRuns: () => Promise<Awaited<ReturnType<typeof readStudyStatus>>[number] | undefined>,
  ) => Promise<void>,
): Promise<{ sweepDirectory: string; workers: QueueWorkers; code: number; err: string[] }> {
  const folder = join(directory, name);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'kd.yaml'), configText(join(folder, 'runs')));
  const workers = startQueueWorkers(url, ['w1', 'w2', 'w3'], stalledAfterSeconds);
  const connection = parseQueueUrl(url);
  const latest = async () => (await readStudyStatus(connection).catch(() => []))[0];
  try {
    const submitted = distillery(['sweep', join(folder, 'kd.yaml'), ...grid, '--queue', url, '--quiet']);
    const [{ code, err }] = await Promise.all([submitted, meddle(workers, latest)]);
    return { sweepDirectory: join(folder, 'runs', 'kd-sweep'), workers, code, err };
  } finally {
    await workers.stopAll();
  }
}

/** The same sweep as in one process: every point's figures, and every stage's weights within 1e-6. */
async function expectSameAsInProcess(sweepDirectory: string): Promise<void> {
  const sweep = JSON.parse(await readFile(join(sweepDirectory, 'sweep.json'), 'utf8')) as SweepFile;
  expect(sweep.points.map((point) => point.settings)).toEqual(reference.sweep.points.map((point) => point.settings));
  sweep.points.forEach((point, i) => {
    const expected = reference.sweep.points[i] as SweepPoint;
    expect(point.accuracy).toBeCloseTo(expected.accuracy, 6);
    expect(point.testAccuracy).toBeCloseTo(expected.testAccuracy, 6);
    expect(point.gain).toBeCloseTo(expected.gain as number, 6);
    expect(point.validationGain?.values).toEqual(expected.validationGain?.values);
  });
  const weights = await stageWeights(sweepDirectory);
  // 2 teachers, 2 baselines and 12 students (6 points × 2 seeds): the same stages, by fingerprint.
  expect([...weights.keys()].sort()).toEqual([...reference.weights.keys()].sort());
  expect(weights.size).toBe(16);
  for (const [stage, values] of weights) {
    const expected = reference.weights.get(stage) as Float32Array;
    expect(values.length).toBe(expected.length);
    const largest = values.reduce((worst, value, k) => Math.max(worst, Math.abs(value - (expected[k] as number))), 0);
    expect(largest, stage).toBeLessThanOrEqual(1e-6);
  }
}

/** Each teacher stage trained exactly once across all workers: one folder per seed, one training logged in it. */
async function expectTeachersTrainedOnce(sweepDirectory: string): Promise<void> {
  const teachers = (await readdir(join(sweepDirectory, 'stages'))).filter((stage) => stage.includes('-teacher-'));
  expect(teachers.map((stage) => stage.split('.')[0]).sort()).toEqual(['seed1-teacher-big', 'seed2-teacher-big']);
  for (const stage of teachers) expect(await trainings(sweepDirectory, stage)).toHaveLength(1);
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'distillery-queue-'));
  const folder = join(directory, 'in-process');
  await mkdir(folder);
  await writeFile(join(folder, 'kd.yaml'), configText(join(folder, 'runs')));
  const { code, err } = await distillery(['sweep', join(folder, 'kd.yaml'), ...grid, '--quiet']);
  expect(err).toEqual([]);
  expect(code).toBe(0);
  const sweepDirectory = join(folder, 'runs', 'kd-sweep');
  reference = {
    sweep: JSON.parse(await readFile(join(sweepDirectory, 'sweep.json'), 'utf8')),
    weights: await stageWeights(sweepDirectory),
  };
}, 120_000);

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('A sweep on a queue', () => {
  let redis: RedisServerForTests | undefined;
  afterAll(async () => {
    await redis?.stop();
  });

  it('with a worker SIGKILLed mid-job completes on the others, equal to the sweep run in one process', async () => {
    // CI starts one redis-server for the tests (.ci/run); elsewhere the test starts its own.
    if (process.env.DISTILLERY_TEST_REDIS_URL === undefined) redis = await startRedisServer();
    const url = process.env.DISTILLERY_TEST_REDIS_URL ?? (redis as RedisServerForTests).url;
    let killed: { label: string; step: number } | undefined;
    const { sweepDirectory, workers, code, err } = await queuedSweep('killed', url, async (pool, latest) => {
      // Wait until w1 is well into a student stage (past a checkpoint), then kill it without warning.
      for (let tries = 0; tries < 600 && killed === undefined; tries++) {
        const running = (await latest())?.runs.find(
          (run) => run.state === 'running' && run.worker === 'w1' && Number(run.progress?.step ?? 0) >= 8,
        );
        if (running !== undefined) {
          await pool.kill('w1', 'SIGKILL');
          killed = { label: running.label, step: Number(running.progress?.step) };
        } else await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    expect(killed, workers.log('w1')).toBeDefined();
    expect(err).toEqual([]);
    expect(code).toBe(0);
    await expectSameAsInProcess(sweepDirectory);
    await expectTeachersTrainedOnce(sweepDirectory);
    // The killed job went on from its stage's checkpoint on another worker, which the stage's log records.
    const students = (await readdir(join(sweepDirectory, 'stages'))).filter((stage) => stage.includes('-student.'));
    const continued = (await Promise.all(students.map((stage) => trainings(sweepDirectory, stage)))).filter(
      (log) => log.length === 2,
    );
    expect(continued).toHaveLength(1);
    expect(continued[0]?.[0]).toMatchObject({ owner: 'w1', from: null });
    expect(continued[0]?.[1]?.owner).toMatch(/^w[23]$/);
    expect(continued[0]?.[1]?.from).toEqual({ epoch: expect.any(Number), batch: expect.any(Number) });
    const sweep = JSON.parse(await readFile(join(sweepDirectory, 'sweep.json'), 'utf8')) as SweepFile;
    const ranOn = new Set(sweep.points.flatMap((point) => (point.runs ?? []).map((run) => run.worker)));
    expect([...ranOn].every((worker) => ['w1', 'w2', 'w3'].includes(worker))).toBe(true);
    expect(sweep.points.every((point) => point.runs?.length === 2)).toBe(true);
    // The report says which worker ran each point's seeds, and for how long.
    const html = await readFile(join(sweepDirectory, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Where each run ran</h2>');
    expect(html).toMatch(/<td>T = 4, α = 0\.9<\/td><td>2<\/td><td>w[123]<\/td><td>\d+\.\d s<\/td>/);
  }, 180_000);

  it('with Redis restarted mid-study completes, equal to the sweep run in one process', async () => {
    const own = await startRedisServer();
    try {
      let restartedAfter: number | undefined;
      const { sweepDirectory, code, err } = await queuedSweep('redis-restart', own.url, async (_pool, latest) => {
        for (let tries = 0; tries < 600 && restartedAfter === undefined; tries++) {
          const done = (await latest())?.runs.filter((run) => run.state === 'done').length ?? 0;
          if (done >= 3) {
            await own.restart();
            restartedAfter = done;
          } else await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });
      expect(restartedAfter).toBeGreaterThanOrEqual(3);
      expect(err).toEqual([]);
      expect(code).toBe(0);
      await expectSameAsInProcess(sweepDirectory);
      await expectTeachersTrainedOnce(sweepDirectory);
      const status = await distillery(['status', '--queue', own.url]);
      expect(status.code).toBe(0);
      expect(status.out[0]).toMatch(
        /^kd-sweep \(kd-sweep-[\w.-]+\): done — setup 4\/4, 12\/12 runs done, 0 running, 0 failed; 0 workers connected$/,
      );
    } finally {
      await own.stop();
    }
  }, 180_000);

  it('fails a job once, with its one line, on a worker that lacks a plugin the config names', async () => {
    const own = await startRedisServer();
    // Inside the repository's node_modules (ignored by git; npm puts every workspace package there) so that the plugin
    // file resolves the workspace's packages.
    const folder = await mkdtemp(join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.queue-plugin-'));
    try {
      const plugin = join(folder, 'response-plugin.mjs');
      await writeFile(plugin, "export { default } from '@distillery/plugin-response';\n");
      await writeFile(
        join(folder, 'kd.yaml'),
        configText(join(folder, 'runs')).replace("plugins: ['@distillery/plugin-response']", `plugins: ['${plugin}']`),
      );
      // The submitting machine has the plugin, so the config is valid; the worker's machine does not.
      const submitted = await distillery(['run', join(folder, 'kd.yaml'), '--queue', own.url, '--detach', '--quiet']);
      expect(submitted.err).toEqual([]);
      expect(submitted.code).toBe(0);
      await rm(plugin);
      const workers = startQueueWorkers(own.url, ['w1'], stalledAfterSeconds);
      try {
        const connection = parseQueueUrl(own.url);
        let status = (await readStudyStatus(connection))[0];
        for (let tries = 0; tries < 600 && status?.state !== 'failed'; tries++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          status = (await readStudyStatus(connection))[0];
        }
        expect(status?.state, workers.log('w1')).toBe('failed');
        const failed = [...(status?.setup ?? []), ...(status?.runs ?? [])].filter((task) => task.state === 'failed');
        expect(failed.length).toBeGreaterThanOrEqual(1);
        for (const task of failed) {
          expect(task.attempts).toBe(1);
          expect(task.failedReason).toBe(`plugins[0]: cannot find plugin '${plugin}' at ${plugin}`);
        }
      } finally {
        await workers.stopAll();
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
      await own.stop();
    }
  }, 120_000);
});
