// Born-again networks (Furlanello et al. 2018) on an MNIST subset: generation 0 trained on the labels,
// generations 1–3 each distilled from the one before (same architecture, fresh initialisation), and the
// ensemble of the generations, over three seeds. Prints a Markdown table of test accuracy.
//
//   npm start        (node run.mjs [--seeds 1,2,3] [--train 12000] [--epochs 20] [--temperature 1] [--label-weight 0])
import { parseArgs } from 'node:util';
import { buildModel } from '@distillery/config';
import { evaluateEnsemble } from '@distillery/core';
import { IndexedDataset, splitTrainValidation } from '@distillery/data';
import { loadBackends, loadMnist } from '@distillery/node';
import { runBornAgain } from '@distillery/plugin-self-distillation';
import * as tf from '@tensorflow/tfjs-core';

const { values: options } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    train: { type: 'string', default: '12000' },
    epochs: { type: 'string', default: '20' },
    generations: { type: 'string', default: '3' },
    temperature: { type: 'string', default: '1' },
    'label-weight': { type: 'string', default: '0' },
  },
});
tf.env().set('PROD', true);
await loadBackends();
const started = performance.now();
const quiet = { info() {}, warn: (line) => console.warn(line) };

const trainStore = await loadMnist({ split: 'train' });
const testStore = await loadMnist({ split: 'test' });
const all = new IndexedDataset(trainStore).take(Number(options.train) + 2000);
const { train, validation } = splitTrainValidation(all, { validation: 2000 });
const test = new IndexedDataset(testStore);
const generations = Number(options.generations);
const seeds = options.seeds.split(',').map(Number);

/** rows[k][s]: test accuracy of generation k (k = generations + 1: the ensemble) for seed s; likewise on validation. */
const rows = Array.from({ length: generations + 2 }, () => []);
const validationRows = Array.from({ length: generations + 2 }, () => []);
let backend = '';
for (const seed of seeds) {
  const result = await runBornAgain(
    {
      generations,
      buildStudent: (generation) =>
        buildModel(
          { type: 'mlp', hidden: [128], dropout: 0, inputDropout: 0 },
          { inputShape: [28, 28, 1], classes: 10, name: `gen${generation}`, seed: seed * 100 + generation },
        ),
      training: { epochs: Number(options.epochs), batchSize: 128, seed, optimizer: { name: 'adam', learningRate: 0.002 } },
      distillation: { temperature: Number(options.temperature), kdWeight: 1, labelWeight: Number(options['label-weight']) },
      backend: 'native',
      logger: quiet,
    },
    { train, validation, id: `mnist-train[0:${Number(options.train) + 2000}] seed ${seed}` },
    { onStageBegin: (_stage, distiller) => distiller.on('trainBegin', (event) => (backend = event.backend)) },
  );
  for (const [k, generation] of result.generations.entries()) {
    rows[k]?.push((await evaluateEnsemble([generation.model], test)).accuracy);
    validationRows[k]?.push(generation.evaluation?.accuracy ?? Number.NaN);
  }
  const members = result.generations.map((g) => g.model);
  rows[generations + 1]?.push((await evaluateEnsemble(members, test)).accuracy);
  validationRows[generations + 1]?.push(result.ensemble.accuracy);
  for (const generation of result.generations) generation.model.dispose();
}

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const std = (values) => Math.sqrt(values.reduce((a, v) => a + (v - mean(values)) ** 2, 0) / Math.max(1, values.length - 1));
const cell = (values) => `${(100 * mean(values)).toFixed(2)} ± ${(100 * std(values)).toFixed(2)}`;
console.log('| model | test accuracy, % | validation accuracy, % |');
console.log('| --- | --- | --- |');
rows.forEach((values, k) => {
  const name =
    k === 0 ? 'generation 0 (labels only)' : k <= generations ? `BAN-${k}` : `ensemble of generations 0–${generations}`;
  console.log(`| ${name} | ${cell(values)} | ${cell(validationRows[k] ?? [])} |`);
});
console.log(
  `\nMLP 784-128-10, ${train.size} training and ${validation.size} validation examples, ${options.epochs} epochs per ` +
    `generation, T = ${options.temperature}, label weight ${options['label-weight']}, seeds ${seeds.join(', ')} ` +
    `(mean ± std), backend ${backend}, ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
