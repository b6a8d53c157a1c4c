// Epoch time of distillation with the teacher-output cache off and on, for 1 and 3 teachers, against a
// student-only epoch and against a hand-written tfjs loop doing the same math as the Distiller. Prints
// figures; it is not a test.
//
//   npm run build && node bench/teacher-cache.mjs [--examples 4096] [--epochs 4] [--rounds 5] [--backend native] [--verbose]
//
// Data: synthetic MNIST-shaped examples (784 features, 10 classes). Teachers 784-1200-1200-10 (three
// different initialisations), student 784-800-800-10 (Hinton 2015's shapes), batch 128, Adam, T = 4.
// Epoch 0 fills the cache. Every configuration runs once per round (in reversed order every other round),
// after a first, untimed round that warms up the JIT and the allocator. On a shared machine other work
// only ever adds time, so a configuration's figure is its fastest later epoch over all rounds (as
// timeit takes the minimum); the median is printed beside it to show the spread.
import { parseArgs } from 'node:util';
import '@distillery/backend-native';
import { createDistiller, TensorDataset } from '@distillery/core';
import { AdamOptimizer } from '@distillery/core/internal';
import { multiTeacherPlugin } from '@distillery/plugin-multi-teacher';
import { kdLoss, responsePlugin } from '@distillery/plugin-response';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const { values: options } = parseArgs({
  options: {
    examples: { type: 'string', default: '4096' },
    rounds: { type: 'string', default: '5' },
    epochs: { type: 'string', default: '4' },
    backend: { type: 'string', default: 'native' },
    'batch-size': { type: 'string', default: '128' },
    verbose: { type: 'boolean', default: false },
  },
});
const examples = Number(options.examples);
const epochs = Number(options.epochs);
const batchSize = Number(options['batch-size']);
const rounds = Number(options.rounds);
const temperature = 4;
const silent = { info() {}, warn() {} };
await tf.setBackend(options.backend);
tf.env().set('PROD', true);

function mlp(name, sizes, seed) {
  const model = tfl.sequential({ name });
  sizes.slice(1).forEach((units, i) => {
    model.add(
      tfl.layers.dense({
        name: `${name}_dense${i + 1}`,
        units,
        activation: i === sizes.length - 2 ? 'linear' : 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed * 10 + i }),
        ...(i === 0 ? { inputShape: [sizes[0]] } : {}),
      }),
    );
  });
  return model;
}

function data() {
  let state = 12345;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  const inputs = tf.tensor2d(Float32Array.from({ length: examples * 784 }, random), [examples, 784]);
  const labels = tf.tensor1d(
    Int32Array.from({ length: examples }, () => Math.floor(random() * 10)),
    'int32',
  );
  return new TensorDataset(inputs, labels, `bench-uniform-${examples}x784`);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const dataset = data();
const teachers = [1, 2, 3].map((seed) => mlp(`teacher${seed}`, [784, 1200, 1200, 10], seed));

/** Seconds per epoch of a Distiller fit. */
async function distillerEpochs(teacherCount, strategies, cache) {
  const student = mlp('student', [784, 800, 800, 10], 7);
  const distiller = createDistiller({
    teachers: teachers.slice(0, teacherCount).map((model, k) => ({ name: `t${k + 1}`, model })),
    student: { model: student },
    strategies,
    plugins: [responsePlugin, multiTeacherPlugin],
    training: { epochs, batchSize, seed: 1, optimizer: { name: 'adam', learningRate: 1e-3 }, teacherCache: { enabled: cache } },
    backend: options.backend,
    logger: silent,
  });
  const history = await distiller.fit(dataset, { diagnoseTeachers: false });
  distiller.dispose();
  student.dispose();
  return history.map((epoch) => epoch.seconds);
}

/**
 * The same math as `task.ce` + `response.kd` in the Distiller, written as one would by hand in tfjs:
 * teacher logits in inference mode, student forward and backward, Adam, one loss read per step.
 */
async function handWrittenEpochs() {
  const student = mlp('student', [784, 800, 800, 10], 7);
  const teacher = teachers[0];
  const optimizer = new AdamOptimizer(1e-3);
  const variables = student.trainableWeights.map((weight) => weight.read());
  const seconds = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const started = performance.now();
    for (const batch of dataset.batches({ batchSize, shuffle: true, seed: 1, epoch, augment: true })) {
      const loss = tf.tidy(() => {
        const teacherLogits = teacher.apply(batch.inputs, { training: false });
        const { value, grads } = tf.variableGrads(() => {
          const logits = student.apply(batch.inputs, { training: true });
          const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(batch.labels, 10), logits);
          return tf.add(ce, kdLoss(logits, teacherLogits, { temperature }));
        }, variables);
        optimizer.applyGradients(grads);
        return value;
      });
      await loss.data();
      tf.dispose([loss, batch.inputs, batch.labels]);
    }
    seconds.push((performance.now() - started) / 1000);
  }
  optimizer.dispose();
  student.dispose();
  return seconds;
}

const kd = { key: 'response.kd', options: { temperature } };
const multi = { key: 'multi.kd', options: { temperature, policy: 'mean-probs' } };
console.log(`backend ${tf.getBackend()}, ${examples} examples, batch ${batchSize}, ${epochs} epochs (epoch 0 fills the cache)`);
console.log(
  `teachers 784-1200-1200-10, student 784-800-800-10, Adam; fastest epoch after the first over ${rounds} rounds, after a warm-up round\n`,
);

const configurations = [
  ['student only (task.ce, no teacher)', () => distillerEpochs(0, [{ key: 'task.ce' }], false)],
  ['hand-written tfjs loop, 1 teacher, no cache', handWrittenEpochs],
  ['Distiller, 1 teacher, cache off', () => distillerEpochs(1, [{ key: 'task.ce' }, kd], false)],
  ['Distiller, 1 teacher, cache on', () => distillerEpochs(1, [{ key: 'task.ce' }, kd], true)],
  ['Distiller, 3 teachers, cache off', () => distillerEpochs(3, [{ key: 'task.ce' }, multi], false)],
  ['Distiller, 3 teachers, cache on', () => distillerEpochs(3, [{ key: 'task.ce' }, multi], true)],
];
/** laterEpochs[i]: configuration i's seconds for each epoch after the first, over all timed rounds. */
const laterEpochs = configurations.map(() => []);
for (let round = 0; round <= rounds; round++) {
  const order = [...configurations.keys()];
  if (round % 2 === 1) order.reverse();
  for (const i of order) {
    const [what, run] = configurations[i];
    const seconds = await run();
    if (options.verbose) console.log(`  round ${round}, ${what}: ${seconds.map((s) => s.toFixed(3)).join(' ')} s`);
    if (round > 0) laterEpochs[i].push(...seconds.slice(1));
  }
}
const fastest = laterEpochs.map((values) => Math.min(...values));
for (const [i, [what]] of configurations.entries()) {
  console.log(
    `  ${what.padEnd(44)} ${fastest[i].toFixed(3)} s   (median ${median(laterEpochs[i]).toFixed(3)} s over ${laterEpochs[i].length} epochs)`,
  );
}
const ratio = (a, b) => fastest[a] / fastest[b];
const [studentOnly, hand, oneOff, oneOn, threeOff, threeOn] = [0, 1, 2, 3, 4, 5];
console.log('\nratios (same run)');
console.log(
  `  loop overhead: Distiller / hand-written loop, 1 teacher, no cache   ${ratio(oneOff, hand).toFixed(3)}× (target: at most 1.03×)`,
);
console.log(
  `  1 teacher:  cache on / student only ${ratio(oneOn, studentOnly).toFixed(3)}×, cache off / student only ${ratio(oneOff, studentOnly).toFixed(3)}×`,
);
console.log(
  `  3 teachers: cache on / student only ${ratio(threeOn, studentOnly).toFixed(3)}× (target: at most 1.15×), cache off / student only ${ratio(threeOff, studentOnly).toFixed(3)}×`,
);
dataset.dispose();
for (const teacher of teachers) teacher.dispose();
