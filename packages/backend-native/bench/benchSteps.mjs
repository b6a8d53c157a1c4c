// The two training steps the benchmarks time, built through Distillery's own Distiller so they are the
// steps users run. bench/pytorch_steps.py builds the same two in PyTorch.
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

function randomBatch(batchSize, shape) {
  const size = batchSize * shape.reduce((a, b) => a * b, 1);
  const inputs = tf.tensor(
    Float32Array.from({ length: size }, () => Math.random()),
    [batchSize, ...shape],
  );
  const labels = tf.tensor1d(
    Int32Array.from({ length: batchSize }, () => Math.floor(Math.random() * 10)),
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
export async function buildStep(kind, backend) {
  await tf.setBackend(backend);
  const models = [];
  let spec;
  let batch;
  if (kind === 'mlp-kd') {
    const teacher = mlp('teacher', [784, 1200, 1200, 10]);
    const student = mlp('student', [784, 800, 800, 10]);
    models.push(teacher, student);
    batch = randomBatch(128, [784]);
    spec = {
      teachers: [{ name: 'teacher', model: teacher }],
      student: { model: student },
      strategies: [{ key: 'task.ce' }, { key: 'response.kd', options: { temperature: 20 } }],
      plugins: [responsePlugin],
    };
  } else {
    const student = cnn();
    models.push(student);
    batch = randomBatch(64, [28, 28, 1]);
    spec = { student: { model: student }, strategies: [{ key: 'task.ce' }] };
  }
  const distiller = createDistiller({
    ...spec,
    training: { epochs: 1, batchSize: batch.labels.shape[0], optimizer: { name: 'adam', learningRate: 1e-3 } },
    backend,
    logger: silent,
  });
  const data = new TensorDataset(batch.inputs, batch.labels);
  await distiller.useBackend(data);
  return {
    run: () => distiller.step(batch),
    dispose() {
      distiller.dispose();
      data.dispose();
      for (const model of models) model.dispose();
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
