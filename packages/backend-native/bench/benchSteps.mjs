// The training steps the benchmarks time, built through Distillery's own Distiller so they are the steps
// users run (bench/pytorch_steps.py and bench/pytorch_resnet.py build the same in PyTorch), and the helpers
// the bench scripts share: timing, profiling by kernel, finding a python3 with torch.
import { spawnSync } from 'node:child_process';
import { createDistiller, TensorDataset } from '@distillery/core';
import { responsePlugin } from '@distillery/plugin-response';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const silent = { info() {}, warn() {} };

function mlp(name, sizes) {
  const model = tfl.sequential({ name });
  sizes.slice(1).forEach((units, i) => {
    const last = i === sizes.length - 2;
    model.add(
      tfl.layers.dense({
        name: `${name}_dense${i + 1}`,
        units,
        activation: last ? 'linear' : 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: i + 1 }),
        ...(i === 0 ? { inputShape: [sizes[0]] } : {}),
      }),
    );
  });
  return model;
}

/** conv32-pool-conv64-pool-batchnorm-dense on 28×28×1, 'same' 3×3 convolutions with ReLU, 2×2 max-pools. */
function cnn() {
  const model = tfl.sequential({ name: 'cnn' });
  model.add(tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [28, 28, 1] }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.batchNormalization());
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 10 }));
  return model;
}

/** Uniform [0, 1) inputs of `shape` per example and int32 labels in [0, `classes`). */
export function randomBatch(batchSize, shape, classes = 10) {
  const size = batchSize * shape.reduce((a, b) => a * b, 1);
  const inputs = tf.tensor(
    Float32Array.from({ length: size }, () => Math.random()),
    [batchSize, ...shape],
  );
  const labels = tf.tensor1d(
    Int32Array.from({ length: batchSize }, () => Math.floor(Math.random() * classes)),
    'int32',
  );
  return { inputs, labels };
}

/**
 * A ready training step on `backend`: `run()` performs one optimizer step and waits for its losses;
 * `dispose()` frees everything. `kind` is 'mlp-kd' (Hinton's MNIST KD: teacher 784-1200-1200-10
 * inference, student 784-800-800-10 trained on KD at T=20 plus CE, batch 128, Adam) or 'cnn' (the
 * CNN above on CE, batch 64, Adam).
 */
export function buildStep(kind, backend) {
  return buildDistillerStep(backend, () => {
    if (kind === 'mlp-kd') {
      const teacher = mlp('teacher', [784, 1200, 1200, 10]);
      const student = mlp('student', [784, 800, 800, 10]);
      return {
        student,
        teachers: [{ name: 'teacher', model: teacher }],
        strategies: [{ key: 'task.ce' }, { key: 'response.kd', options: { temperature: 20 } }],
        plugins: [responsePlugin],
        batch: randomBatch(128, [784]),
      };
    }
    return { student: cnn(), strategies: [{ key: 'task.ce' }], batch: randomBatch(64, [28, 28, 1]) };
  });
}

/**
 * A ready Distiller training step on `backend`, Adam at 1e-3: `run()` performs one optimizer step and waits
 * for its losses; `student` is the student model; `dispose()` frees the Distiller, the batch and the models.
 * `experiment()` is called once `backend` is the current one (so the weights live there) and returns
 * `{ student, teachers, strategies, plugins, batch }`: the student model, `[{ name, model }]` frozen
 * teachers, the strategy specs, the plugins they need and a `{ inputs, labels }` batch (randomBatch).
 */
export async function buildDistillerStep(backend, experiment) {
  await tf.setBackend(backend);
  const { student, teachers = [], strategies, plugins = [], batch } = experiment();
  const distiller = createDistiller({
    ...(teachers.length > 0 ? { teachers } : {}),
    student: { model: student },
    strategies,
    plugins,
    training: { epochs: 1, batchSize: batch.labels.shape[0], optimizer: { name: 'adam', learningRate: 1e-3 } },
    backend,
    logger: silent,
  });
  const data = new TensorDataset(batch.inputs, batch.labels);
  await distiller.useBackend(data);
  return {
    run: () => distiller.step(batch),
    student,
    dispose() {
      distiller.dispose();
      data.dispose();
      for (const model of [student, ...teachers.map((teacher) => teacher.model)]) model.dispose();
    },
  };
}

/** Median milliseconds of `steps` calls of `run` after `warmUp` untimed ones. */
export async function medianMs(run, { warmUp, steps }) {
  for (let i = 0; i < warmUp; i++) await run();
  const times = [];
  for (let i = 0; i < steps; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const middle = Math.floor(times.length / 2);
  return times.length % 2 === 1 ? times[middle] : (times[middle - 1] + times[middle]) / 2;
}

/**
 * Runs `fn` (sync or async) with console.warn silenced: tfjs-layers and the cpu backend print advice on
 * first use; the figures are what matter in a bench.
 */
export function quietly(fn) {
  const warn = console.warn;
  console.warn = () => {};
  return Promise.resolve()
    .then(fn)
    .finally(() => {
      console.warn = warn;
    });
}

/**
 * Per-step time of each kernel over `steps` profiled calls of `run` (tf.profile) on `backend`:
 * `{ wallMs, kernelMs, rows: [{ name, ms, calls }] }`, per step, rows by total ms, most first.
 */
export async function profileKernels(run, backend, steps = 1) {
  const byKernel = new Map();
  let wallMs = 0;
  for (let i = 0; i < steps; i++) {
    const started = performance.now();
    const profile = await tf.profile(() => run());
    wallMs += performance.now() - started;
    // The profile also lists op scopes (fusedMatMul__op) that contain kernels; only kernels are counted.
    for (const kernel of profile.kernels.filter(({ name }) => tf.getKernel(name, backend) !== undefined)) {
      const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
      entry.ms += await kernel.kernelTimeMs;
      entry.calls += 1;
      byKernel.set(kernel.name, entry);
    }
  }
  const rows = [...byKernel]
    .map(([name, { ms, calls }]) => ({ name, ms: ms / steps, calls: calls / steps }))
    .sort((a, b) => b.ms - a.ms);
  return { wallMs: wallMs / steps, kernelMs: rows.reduce((sum, row) => sum + row.ms, 0), rows };
}

/** Prints profileKernels' rows (the first `top` of them, all when undefined) as a table, each line after `indent`. */
export function printKernelTable({ rows, kernelMs }, { top, indent = '' } = {}) {
  const shown = rows.slice(0, top);
  const width = Math.max(26, ...shown.map((row) => row.name.length));
  console.log(`${indent}${'kernel'.padEnd(width)}   ms/step   share  calls/step`);
  for (const row of shown) {
    console.log(
      `${indent}${row.name.padEnd(width)} ${row.ms.toFixed(2).padStart(9)} ${((100 * row.ms) / kernelMs).toFixed(1).padStart(6)}%  ${String(row.calls).padStart(6)}`,
    );
  }
}

/**
 * The first python that can import torch: `python` when given, else python3, then /usr/bin/python3 (pyenv
 * or a venv may shadow the system python that Debian's python3-torch installs into); undefined if none.
 */
export function findPythonWithTorch(python) {
  const candidates = python !== undefined ? [python] : ['python3', '/usr/bin/python3'];
  return candidates.find((candidate) => spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

/** What to print when findPythonWithTorch found none. */
export const noTorchAdvice = 'no python3 with torch; on Debian: apt-get install -y python3-torch libopenblas0-pthread';
