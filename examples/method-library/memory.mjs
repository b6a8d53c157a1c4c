// What each method of the library adds to memory on the CIFAR-100 pair researchers compare on (Tian et al. 2020):
// ResNet-32×4 teacher, ResNet-8×4 student, 32×32 images, 50,000 training examples. For every key it composes the
// experiment, lets the strategies size their state for 50,000 examples (`prepare`, as `fit` does), and prints
//   - the learned modules (adapters, heads, regressors…): parameters and bytes, and the layers they read;
//   - the untrained state (memory banks…): bytes, as the log line at the start of training states them;
//   - what tf.memory() grew by, measured, which must equal the two above (nothing else is kept).
//
//   node memory.mjs [--examples 50000] [--only contrastive.crd,feature.ofd]
//
// No training runs; a two-example probe picks the backend, as every run does.
import { parseArgs } from 'node:util';
import { createDistiller } from '@distillery/core';
import { loadBackends } from '@distillery/node';
import { attentionPlugin } from '@distillery/plugin-attention';
import { contrastivePlugin } from '@distillery/plugin-contrastive';
import { featurePlugin } from '@distillery/plugin-feature';
import { multiTeacherPlugin } from '@distillery/plugin-multi-teacher';
import { relationPlugin } from '@distillery/plugin-relation';
import { selfDistillationPlugin } from '@distillery/plugin-self-distillation';
import { buildZooModel } from '@distillery/zoo';
import * as tf from '@tensorflow/tfjs-core';

const { values: args } = parseArgs({
  options: { examples: { type: 'string', default: '50000' }, only: { type: 'string' } },
});
const examples = Number(args.examples);
const classes = 100;

// Layer names of the zoo's CIFAR ResNets: <name>_stage<i> (after the stage's last ReLU; 32×32, 16×16, 8×8),
// <name>_s<i>b<k>_add (before it), <name>_pool (the penultimate vector). ResNet-32×4 has 5 blocks a stage.
const stages = (name) => [1, 2, 3].map((i) => `${name}_stage${i}`);
const methods = [
  { key: 'response.kd', options: { temperature: 4 } },
  { key: 'response.dkd', options: {} },
  { key: 'response.dist', options: {} },
  { key: 'response.ctkd', options: {} },
  { key: 'response.ctkd', label: 'response.ctkd (instance)', options: { mode: 'instance' } },
  { key: 'response.tfkd', options: {}, teachers: [] },
  { key: 'feature.hint', options: { pairs: [{ student: 'student_stage2', teacher: 'teacher_stage2' }] } },
  {
    key: 'feature.vid',
    options: { pairs: stages('student').map((student, i) => ({ student, teacher: stages('teacher')[i] })) },
  },
  {
    key: 'feature.review',
    options: {
      pairs: [...stages('student'), 'student_pool'].map((student, i) => ({
        student,
        teacher: [...stages('teacher'), 'teacher_pool'][i],
      })),
    },
  },
  {
    key: 'feature.ofd',
    options: {
      pairs: [1, 2, 3].map((i) => ({
        student: `student_s${i}b1_add`,
        teacher: `teacher_s${i}b5_add`,
        teacherBatchNorm: `teacher_s${i}b5_conv2_bn`,
      })),
    },
  },
  { key: 'feature.ft', options: { teacherLayer: 'teacher_stage3', student: 'student_stage3' } },
  {
    key: 'attention.at',
    options: { pairs: stages('student').map((student, i) => ({ student, teacher: stages('teacher')[i] })) },
  },
  { key: 'relation.rkd', options: { pairs: [{ student: 'student_pool', teacher: 'teacher_pool' }] } },
  { key: 'relation.pkt', options: { pairs: [{ student: 'student_pool', teacher: 'teacher_pool' }] } },
  { key: 'relation.sp', options: { pairs: [{ student: 'student_stage3', teacher: 'teacher_stage3' }] } },
  { key: 'relation.cc', options: { pairs: [{ student: 'student_pool', teacher: 'teacher_pool' }] } },
  { key: 'contrastive.crd', options: { student: 'student_pool', teacherLayer: 'teacher_pool' } },
  {
    key: 'multi.crd',
    options: { student: 'student_pool', teacherLayer: 'teacher_pool' },
    teachers: ['teacher', 'second'],
  },
  {
    key: 'self.byot',
    options: { stages: ['student_stage1', 'student_stage2'], deepest: 'student_pool' },
    teachers: [],
  },
];

/** The layers a method reads, in short: `stage1–3 ↔ stage1–3`, or `logits`. */
function readsOf({ options }) {
  const short = (layer) => layer.replace(/^(student|teacher)_/, '');
  if (Array.isArray(options.pairs)) {
    return options.pairs.map((pair) => `${short(pair.student)} ↔ ${short(pair.teacher)}`).join(', ');
  }
  if (options.teacherLayer !== undefined) return `${short(options.student)} ↔ ${short(options.teacherLayer)}`;
  if (options.stages !== undefined) return `heads on ${options.stages.map(short).join(', ')}; ${short(options.deepest)}`;
  return 'logits';
}

function bytesOf(variables) {
  return variables.reduce((sum, variable) => sum + variable.size * 4, 0);
}

function mib(bytes) {
  return bytes < 2 ** 20 ? `${(bytes / 2 ** 10).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** `size` examples as far as `prepare` is concerned; the probe batch is two random images. */
function sizedDataset(size) {
  return {
    id: `memory-probe-${size}`,
    size,
    inputShape: [32, 32, 3],
    *batches() {
      yield {
        inputs: tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1),
        labels: tf.tensor1d([0, 1], 'int32'),
        indices: Int32Array.from([0, 1]),
      };
    },
  };
}

// The fastest backend installed (the native one here); the sizes do not depend on it.
await loadBackends();
console.log(
  `What each method adds: ResNet-32×4 → ResNet-8×4, 32×32 images, ${classes} classes, ${examples.toLocaleString('en')} training examples (float32).`,
);
console.log('| method | reads | learned modules: parameters | their bytes | state (log line) | measured growth | matches |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | --- |');
const only = args.only?.split(',');
for (const method of methods) {
  const label = method.label ?? method.key;
  if (only !== undefined && !only.includes(method.key) && !only.includes(label)) continue;
  const teacherNames = method.teachers ?? ['teacher'];
  const teachers = teacherNames.map((name) => ({
    name,
    model: buildZooModel('resnet32x4', {
      inputShape: [32, 32, 3],
      classes,
      name: 'teacher',
      seed: 1 + teacherNames.indexOf(name),
    }),
  }));
  const student = buildZooModel('resnet8x4', { inputShape: [32, 32, 3], classes, name: 'student', seed: 3 });
  const before = tf.memory().numBytes;
  const distiller = createDistiller({
    teachers,
    student: { model: student },
    strategies: [{ key: 'task.ce' }, { key: method.key, options: method.options }],
    plugins: [attentionPlugin, featurePlugin, relationPlugin, contrastivePlugin, multiTeacherPlugin, selfDistillationPlugin],
    training: { epochs: 1, batchSize: 64, seed: 1 },
    backend: 'auto',
    logger: { info() {}, warn() {} },
  });
  await distiller.useBackend(sizedDataset(examples));
  // The optimizer has no slots yet (Adam makes two per trained variable, 2 × the module's bytes, on its first step).
  const grown = tf.memory().numBytes - before;
  const modules = distiller.strategyVariables();
  const state = distiller.strategyState();
  const parameters = modules.reduce((sum, variable) => sum + variable.size, 0);
  const promised = bytesOf(modules) + bytesOf(state);
  console.log(
    `| ${label} | ${readsOf(method)} | ${parameters.toLocaleString('en')} | ${mib(bytesOf(modules))} | ${mib(bytesOf(state))} | ${mib(grown)} | ${grown === promised ? 'yes' : `no (${grown - promised} bytes more)`} |`,
  );
  distiller.dispose();
  for (const model of [student, ...teachers.map(({ model }) => model)]) model.dispose();
}
