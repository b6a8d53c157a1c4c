// Runs every method of methods.mjs through the CLI on one short MNIST budget, all from one zoo teacher trained
// once, and prints the student's test accuracy per method beside `response.kd` and the student alone.
//
//   node compare.mjs [--epochs 5] [--seeds 1,2] [--train-examples 10000] [--only response.dist,relation.rkd]
//
// Hyperparameters are the methods' reference settings (methods.mjs), never chosen on test; the table reports test
// accuracy and, beside it, validation accuracy.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runProgram } from '@distillery/cli';
import { stringify } from 'yaml';
import { methods } from './methods.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    seeds: { type: 'string', default: '1,2' },
    'train-examples': { type: 'string', default: '10000' },
    only: { type: 'string' },
  },
});
const seeds = args.seeds.split(',').map(Number);
const runs = join(here, 'runs');
const configs = join(runs, 'configs');
await mkdir(configs, { recursive: true });

const trainExamples = Number(args['train-examples']);
const base = {
  plugins: ['@distillery/plugin-response', '@distillery/plugin-relation'],
  data: { source: 'mnist', trainExamples, validation: Math.round(trainExamples / 5), testExamples: 10000 },
  student: { name: 'student', model: { type: 'cnn', channels: [4, 8], dense: 16 } },
  training: { epochs: Number(args.epochs), batchSize: 128, optimizer: { name: 'adam', learningRate: 0.003 } },
  output: runs,
};

/** Runs one config through `distillery run`; returns its summary.json. */
async function run(name, config) {
  const path = join(configs, `${name}.yaml`);
  await writeFile(path, stringify({ name, ...config }));
  const lines = [];
  const code = await runProgram(['run', path, '--quiet', '--overwrite'], {
    out: (line) => lines.push(line),
    err: (line) => lines.push(line),
  });
  if (code !== 0) throw new Error(`${name} failed (exit ${code}):\n${lines.join('\n')}`);
  return JSON.parse(await readFile(join(runs, name, 'summary.json'), 'utf8'));
}

// 1. The teacher, trained once: a ResNet-8 of the zoo (78k parameters), 8 epochs on digits jittered by up to 2
//    pixels. The run around it is a one-epoch placeholder student; only its teacher stage is kept and loaded by every
//    method below.
const teacherRun = await run('teacher', {
  ...base,
  teachers: [
    {
      name: 'teacher',
      model: { type: 'zoo', name: 'resnet8' },
      training: { epochs: 8, batchSize: 128, optimizer: { name: 'adam', learningRate: 0.003 }, augment: { shift: 2 } },
    },
  ],
  strategies: [{ key: 'task.ce' }],
  training: { ...base.training, epochs: 1 },
  seeds: [1],
});
const teacher = { name: 'teacher', model: { type: 'file', path: join(runs, 'teacher', 'stages', 'seed1-teacher-teacher') } };

// 2. Each method on the same student, data, budget and seeds; the first also trains the student alone.
const selected = args.only === undefined ? methods : methods.filter((method) => args.only.split(',').includes(method.key));
const rows = [];
let alone;
for (const [index, method] of selected.entries()) {
  const name = `method-${method.key.replace(/[^\w.]+/g, '-')}`;
  const started = performance.now();
  const summary = await run(name, { ...base, teachers: [teacher], strategies: method.strategies, seeds, baseline: index === 0 });
  alone ??= summary.models.baseline;
  rows.push({ method, student: summary.models.student, seconds: (performance.now() - started) / 1000 });
  console.error(
    `${method.key}: ${(summary.models.student.accuracy.mean * 100).toFixed(2)} % (${rows.at(-1).seconds.toFixed(0)} s)`,
  );
}

const percent = (stat) => `${(stat.mean * 100).toFixed(2)} ± ${(stat.std * 100).toFixed(2)}`;
const lines = [
  `MNIST, ${trainExamples - base.data.validation} training digits, ${args.epochs} epochs, seeds ${seeds.join(', ')}; teacher ResNet-8 ` +
    `${(teacherRun.models['teacher:teacher']?.accuracy.mean * 100 || Number.NaN).toFixed(2)} % test; student CNN conv4-conv8-dense16.`,
  '',
  '| method | test accuracy % (mean ± std) | Δ vs alone | validation % | settings |',
  '|---|---|---|---|---|',
  `| student alone (task.ce) | ${percent(alone.accuracy)} | | ${percent(alone.validationAccuracy)} | |`,
  ...rows.map(({ method, student }) => {
    const delta = (student.accuracy.mean - alone.accuracy.mean) * 100;
    return `| ${method.key} | ${percent(student.accuracy)} | ${delta >= 0 ? '+' : ''}${delta.toFixed(2)} | ${percent(student.validationAccuracy)} | ${method.note} |`;
  }),
];
console.log(lines.join('\n'));
await writeFile(join(runs, 'method-library.md'), `${lines.join('\n')}\n`);
