// What a queue costs and gains: one sweep run three ways — in one process (`distillery sweep`), on a queue with
// one worker, and on a queue with two workers — and the queue's own cost per job, measured with jobs that do
// nothing. Prints figures; it is not a test. Needs Debian's redis-server (it starts its own on loopback).
//
//   npm run build && node bench/queue-sweep.mjs [--backend native] [--epochs 6] [--temperatures 2,4,8] [--seeds 1,2]
//
// The sweep: MNIST (4,000 digits to train on), a conv-net teacher trained per seed, response.kd into a 784-64-10
// MLP at each temperature, with the baseline. Workers are started and connected before the clock starts, as on
// a cluster where they wait for work. With two workers on a 2-core machine each gets one native thread
// (DISTILLERY_NATIVE_THREADS=1); one worker and the in-process run use both.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { enqueueStudy, followStudy, parseQueueUrl, startStudyWorker } from '@distillery/queue';
import { startRedisServer } from '@distillery/queue/testing';

const { values: options } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    epochs: { type: 'string', default: '6' },
    temperatures: { type: 'string', default: '2,4,8' },
    seeds: { type: 'string', default: '1,2' },
    'noop-jobs': { type: 'string', default: '200' },
  },
});
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'packages', 'cli', 'bin', 'distillery.js');
const cores = availableParallelism();

const config = (output) => `
plugins: ['@distillery/plugin-response']
data: { source: mnist, trainExamples: 5000, validation: 1000, testExamples: 2000 }
teachers:
  - name: cnn
    model: { type: cnn, channels: [8, 16], dense: 128 }
    training: { epochs: 2, batchSize: 128, optimizer: { name: adam, learningRate: 0.003 } }
student:
  model: { type: mlp, hidden: [64] }
strategies:
  - { key: response.kd, weight: 0.5, options: { temperature: 4 } }
  - { key: task.ce, weight: 0.5 }
training: { epochs: ${Number(options.epochs)}, batchSize: 128, optimizer: { name: adam, learningRate: 0.003 } }
baseline: true
seeds: [${options.seeds}]
backend: ${options.backend}
output: ${output}
`;

function run(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk) => (log += chunk));
    child.stderr.on('data', (chunk) => (log += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(log) : reject(new Error(`distillery ${args[0]} exited ${code}:\n${log}`))));
  });
}

function startWorkers(url, count, threads) {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const child = spawn(process.execPath, [bin, 'worker', '--queue', url, '--name', `bench-${i + 1}`], {
        cwd: root,
        env: { ...process.env, DISTILLERY_NATIVE_THREADS: String(threads) },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      return new Promise((resolve) => {
        child.stderr.on('data', (chunk) => {
          if (String(chunk).includes('takes jobs from')) resolve(child);
        });
      });
    }),
  );
}

async function timed(label, work) {
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(44)} ${seconds.toFixed(1).padStart(7)} s`);
  return seconds;
}

const directory = await mkdtemp(join(tmpdir(), 'distillery-bench-queue-'));
const redis = await startRedisServer();
try {
  const grid = ['--grid', `temperature=${options.temperatures}`];
  const jobs = options.temperatures.split(',').length * options.seeds.split(',').length;
  console.log(
    `sweep: ${options.temperatures.split(',').length} points × ${options.seeds.split(',').length} seeds = ${jobs} runs, plus per seed a teacher and a baseline; backend ${options.backend}, ${cores} cores`,
  );
  const sweepIn = async (name) => {
    await writeFile(join(directory, `${name}.yaml`), config(join(directory, name)));
    return join(directory, `${name}.yaml`);
  };
  const inProcess = await timed('in one process (distillery sweep)', async () =>
    run(['sweep', await sweepIn('local'), ...grid, '--quiet']),
  );
  const queued = async (name, workers, threads) => {
    const children = await startWorkers(redis.url, workers, threads);
    try {
      return await timed(
        `on the queue, ${workers} worker${workers > 1 ? 's' : ''} × ${threads} thread${threads > 1 ? 's' : ''}`,
        async () => run(['sweep', await sweepIn(name), ...grid, '--queue', redis.url, '--quiet']),
      );
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
  };
  const one = await queued('one', 1, cores);
  const two = await queued('two', 2, Math.max(1, Math.floor(cores / 2)));
  const total = jobs + 2 * options.seeds.split(',').length + 1;
  console.log(`speed-up, 2 workers against 1:                 ${(one / two).toFixed(2)}×`);
  console.log(`speed-up, 2 workers against one process:       ${(inProcess / two).toFixed(2)}×`);
  console.log(
    `cost of the queue with 1 worker, per job (${total} jobs): ${(((one - inProcess) / total) * 1000).toFixed(0)} ms (data and plugins loaded per job, Redis round trips, the summary job)`,
  );

  // The queue alone: jobs that do nothing, one worker in this process.
  const connection = parseQueueUrl(redis.url);
  const worker = startStudyWorker(
    connection,
    { setup: async () => {}, run: async () => null, summary: async () => null },
    { name: 'noop' },
  );
  const count = Number(options['noop-jobs']);
  const id = `noop-${Date.now()}`;
  const seconds = await timed(`${count} jobs that do nothing, 1 worker`, async () => {
    const runs = Array.from({ length: count }, (_, i) => ({ label: String(i), data: i }));
    await enqueueStudy(connection, { id, name: 'noop', setup: [], runs, summary: null });
    await followStudy(connection, id, {}, 0.05);
  });
  console.log(`the queue's own cost per job (BullMQ and Redis on loopback):   ${((seconds / count) * 1000).toFixed(1)} ms`);
  await worker.close();
} finally {
  await redis.stop();
  await rm(directory, { recursive: true, force: true });
}
