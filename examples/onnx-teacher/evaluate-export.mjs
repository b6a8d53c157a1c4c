// What the browser build keeps: the exported student (uint8 weights, what a page downloads) scored on the 10,000
// MNIST test digits beside the float32 student it came from and the ONNX teacher, each with its size and latency.
// Run after `npm start`:  npm run evaluate-export  (node evaluate-export.mjs [--run runs/onnx-teacher])
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateEnsemble } from '@distillery/core';
import { IndexedDataset } from '@distillery/data';
import { loadBackends, loadMnist, loadModel } from '@distillery/node';
import { loadOnnxTeacher } from '@distillery/teacher-onnx';
import * as tf from '@tensorflow/tfjs-core';

const { values: options } = parseArgs({ options: { run: { type: 'string', default: 'runs/onnx-teacher' } } });
tf.env().set('PROD', true);
await loadBackends();
await tf.setBackend('native').catch(() => tf.setBackend('cpu'));
const test = new IndexedDataset(await loadMnist({ split: 'test' }));
const onnxFile = '../../packages/teacher-onnx/fixtures/mnist-cnn.onnx';

const bytesOf = async (paths) => (await Promise.all(paths.map((path) => stat(path)))).reduce((sum, { size }) => sum + size, 0);
const directoryBytes = (directory) => bytesOf([join(directory, 'model.json'), join(directory, 'weights.bin')]);

/** Median time per example of a forward pass over one batch of 256 test digits, after a warm-up. */
async function latency(predict) {
  const [batch] = test.batches({ batchSize: 256, shuffle: false, seed: 0, epoch: 0 });
  const times = [];
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    const output = await predict(batch.inputs);
    await output.data();
    output.dispose();
    if (i > 0) times.push(performance.now() - started);
  }
  tf.dispose([batch.inputs, batch.labels]);
  times.sort((a, b) => a - b);
  return (times[Math.floor(times.length / 2)] / 256) * 1000;
}

const rows = [];
const teacher = await loadOnnxTeacher(onnxFile, { inputShape: [28, 28, 1] });
rows.push({
  model: 'teacher (ONNX, onnxruntime)',
  accuracy: (await evaluateEnsemble([teacher], test)).accuracy,
  bytes: await bytesOf([onnxFile]),
  latency: await latency(async (inputs) => {
    const { logits, features } = await teacher.predict(inputs, []);
    tf.dispose(Object.values(features));
    return logits;
  }),
});
teacher.dispose();
for (const [model, directory] of [
  ['student, float32 (tfjs)', join(options.run, 'student')],
  ['student, uint8 export (tfjs)', join(options.run, 'export-uint8')],
]) {
  const loaded = await loadModel(directory);
  rows.push({
    model,
    accuracy: (await evaluateEnsemble([loaded], test)).accuracy,
    bytes: await directoryBytes(directory),
    latency: await latency(async (inputs) => loaded.predict(inputs)),
  });
  loaded.dispose();
}
console.log(`| model | test accuracy (10,000 digits) | size on disk | latency per example (${tf.getBackend()}, batch 256) |`);
console.log('| --- | --- | --- | --- |');
for (const row of rows) {
  console.log(
    `| ${row.model} | ${(row.accuracy * 100).toFixed(2)} % | ${(row.bytes / 1024).toFixed(1)} KiB | ${row.latency.toFixed(1)} µs |`,
  );
}
