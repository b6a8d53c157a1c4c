// The CIFAR-10 method table: one zoo teacher and one zoo student, every method of methods.mjs on the same data, recipe,
// budget, seeds and student initialisations, through the CLI (`distillery run`, one run per row and seed).
//
//   node compare.mjs [--epochs 10] [--teacher-epochs 20] [--seeds 1,2,3] [--other-seeds 1] [--only kd,dkd]
//                    [--teacher resnet56] [--student resnet20] [--data jpeg|official] [--train-examples 1280]
//
// Resumable: each run keeps its own directory under runs/. A finished one (summary.json) is read, never run again; an
// interrupted one (Ctrl-C, a closed session) is continued from its checkpoint by running its config again; the rest
// are started. So the table can be filled over several sessions by running the same command again.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeConfigChanges, readExperimentConfig, runProgram, statisticOf } from '@distillery/cli';
import { stringify } from 'yaml';
import { methodRows, publishedPair, publishedTeacher } from './methods.mjs';

const here = dirname(fileURLToPath(import.meta.url));
// Run directories (`output` in a config) are relative to the working directory.
process.chdir(here);

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '10' },
    'teacher-epochs': { type: 'string', default: '20' },
    seeds: { type: 'string', default: '1,2,3' },
    'other-seeds': { type: 'string', default: '1' },
    'teacher-seed': { type: 'string', default: '1' },
    only: { type: 'string' },
    teacher: { type: 'string', default: 'resnet56' },
    student: { type: 'string', default: 'resnet20' },
    data: { type: 'string', default: 'jpeg' },
    'train-examples': { type: 'string' },
    backend: { type: 'string', default: 'native' },
    quiet: { type: 'boolean', default: false },
  },
});
const numbers = (text, flag) => {
  const list = text.split(',').map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 0)) fail(`--${flag}: expected integers, e.g. 1,2,3`);
  return list;
};
const epochs = numbers(args.epochs, 'epochs')[0];
const teacherEpochs = numbers(args['teacher-epochs'], 'teacher-epochs')[0];
const seeds = numbers(args.seeds, 'seeds');
const otherSeeds = numbers(args['other-seeds'], 'other-seeds');
const trainExamples = args['train-examples'] === undefined ? undefined : numbers(args['train-examples'], 'train-examples')[0];
if (!['jpeg', 'official'].includes(args.data)) fail('--data: expected jpeg (the JPEG copy) or official (cifar-10-binary.tar.gz)');
if (trainExamples !== undefined && trainExamples < 100) fail('--train-examples: expected at least 100');

function fail(message) {
  console.error(`compare: ${message}`);
  process.exit(2);
}

// The standard CIFAR recipe (He et al. 2016; RepDistiller): crop with 4-pixel padding and flips, SGD with Nesterov
// momentum 0.9, weight decay 5e-4 on kernels, batch 128 at learning rate 0.1, cosine schedule to 0.
const recipe = (epochCount) => ({
  epochs: epochCount,
  batchSize: 128,
  optimizer: { name: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.0005 },
  schedule: { type: 'cosine' },
  augment: { crop: { padding: 4 }, flip: true },
});

const jpegRoot = join(here, '../cifar10/data/cifar10-jpeg');
const validation = trainExamples === undefined ? 5000 : Math.round(trainExamples / 10);
const dataTag = `${args.data}${trainExamples === undefined ? '' : `-n${trainExamples}`}`;

/**
 * For quick checks: an image folder of the first `count` training images (and as many test images, at most 10,000),
 * the same number from each class, as links to the JPEG copy. Built in a temporary folder and renamed into place.
 */
async function jpegSubset(count) {
  const target = join(here, 'runs', 'subsets', `cifar10-jpeg-${count}`);
  if (existsSync(target)) return target;
  const scratch = `${target}.partial-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  for (const split of ['train', 'test']) {
    const classes = (await readdir(join(jpegRoot, split))).sort();
    const perClass = Math.ceil(count / classes.length);
    for (const label of classes) {
      const files = (await readdir(join(jpegRoot, split, label))).sort().slice(0, perClass);
      await mkdir(join(scratch, split, label), { recursive: true });
      for (const file of files) await symlink(join(jpegRoot, split, label, file), join(scratch, split, label, file));
    }
  }
  await rename(scratch, target);
  return target;
}

/** The `data` section for a config written into `configDirectory` (paths in a config are relative to its file). */
async function dataFor(configDirectory) {
  if (args.data === 'official') {
    const subset = trainExamples === undefined ? {} : { trainExamples, testExamples: Math.min(trainExamples, 10000) };
    return { source: 'cifar10', validation, ...subset };
  }
  if (!existsSync(join(jpegRoot, 'train'))) {
    fail(`${jpegRoot} not found: run npm run prepare-data -w @distillery/example-cifar10-methods, or pass --data official`);
  }
  const root = trainExamples === undefined ? jpegRoot : await jpegSubset(trainExamples);
  return { source: 'image-folder', root: relative(configDirectory, root), size: [32, 32], validation };
}

// Ctrl-C: the CLI lets the stage in training save its state and end its run; then the table so far is printed and
// the script stops, even when that run had just finished. Between runs nothing is in training: stop at once.
let training = false;
let stopRequested = false;
process.on('SIGINT', () => {
  stopRequested = true;
  if (!training) process.exit(130);
});

const pluginOf = {
  response: '@distillery/plugin-response',
  feature: '@distillery/plugin-feature',
  attention: '@distillery/plugin-attention',
  relation: '@distillery/plugin-relation',
  contrastive: '@distillery/plugin-contrastive',
};

/**
 * Runs (or continues, or reads) one config: the run directory `<output>/<name>`. Returns its summary.json and the
 * seconds spent now (0 when it had finished before), or `error`, the first line of what the failed run said.
 */
async function runOnce(output, config) {
  const configDirectory = join(output, 'configs');
  await mkdir(configDirectory, { recursive: true });
  const path = join(configDirectory, `${config.name}.yaml`);
  // A checkpoint every 100 steps (and every epoch): a session that ends mid-epoch loses little.
  await writeFile(path, stringify({ ...config, output, backend: args.backend, checkpointEverySteps: 100 }));
  const directory = join(output, config.name);
  if (existsSync(join(directory, 'summary.json'))) {
    const [wanted, held] = await Promise.all([readExperimentConfig(path), readExperimentConfig(join(directory, 'config.yaml'))]);
    const changes = describeConfigChanges(held.config, wanted.config);
    if (changes !== '') fail(`${directory} finished with another config (${changes}); move it away to run it again`);
    return { summary: JSON.parse(await readFile(join(directory, 'summary.json'), 'utf8')), seconds: 0 };
  }
  const started = performance.now();
  const said = [];
  training = true;
  const code = await runProgram(['run', path, ...(args.quiet ? ['--quiet'] : [])], {
    out: () => {},
    err: (line) => {
      said.push(line);
      console.error(line);
    },
  });
  training = false;
  if (code === 130) {
    console.error(`interrupted: run the same command again to continue ${directory} from its checkpoint`);
    await report();
    process.exit(130);
  }
  if (code !== 0) {
    const error = said.find((line) => line.startsWith('error: ')) ?? `exit ${code}`;
    console.error(`${directory} failed; see ${join(directory, 'error.txt')}`);
    return { error: error.replace(/^error: /, ''), seconds: (performance.now() - started) / 1000 };
  }
  const seconds = (performance.now() - started) / 1000;
  return { summary: JSON.parse(await readFile(join(directory, 'summary.json'), 'utf8')), seconds };
}

// What the table shows; filled as runs finish, so an interrupted session still prints what it has.
let teacherRun;
let rows = [];
const results = new Map();

/** After a Ctrl-C that came as a run finished: the table so far, then stop. */
async function stopIfAsked() {
  if (!stopRequested) return;
  console.error('stopped: run the same command again to go on');
  await report();
  process.exit(130);
}

const hours = (seconds) => (seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : `${seconds.toFixed(0)} s`);

// The rows, checked before anything trains.
try {
  rows = methodRows({
    teacher: { name: 'teacher', model: args.teacher },
    student: { name: 'student', model: args.student },
    epochs,
  });
} catch (error) {
  fail(`--teacher / --student: ${error.message}`);
}
const only = args.only?.split(',');
const unknown = only?.filter((key) => !rows.some((row) => row.key === key)) ?? [];
if (unknown.length > 0) fail(`--only: unknown rows ${unknown.join(', ')}; the rows are ${rows.map((row) => row.key).join(', ')}`);

// 1. The teacher, trained once on the labels with the same recipe: a run whose student is the teacher's architecture
//    (named `teacher`, so its layers are `teacher_…`); every row loads the model that run saves (`student/`).
const teacherOutput = join('runs', dataTag, 'teachers');
teacherRun = await runOnce(teacherOutput, {
  name: `${args.teacher}-e${teacherEpochs}-seed${args['teacher-seed']}`,
  description: `the teacher of the CIFAR-10 method table: ${args.teacher} on the labels alone`,
  data: await dataFor(join(teacherOutput, 'configs')),
  student: { name: 'teacher', model: { type: 'zoo', name: args.teacher } },
  strategies: [{ key: 'task.ce', weight: 1 }],
  training: recipe(teacherEpochs),
  baseline: false,
  seeds: [Number(args['teacher-seed'])],
});
const teacherModel = join(teacherOutput, `${args.teacher}-e${teacherEpochs}-seed${args['teacher-seed']}`, 'student');
if (teacherRun.error !== undefined) fail(`the teacher failed: ${teacherRun.error}`);
console.error(
  `teacher ${args.teacher}: ${(100 * teacherRun.summary.models.student.accuracy.mean).toFixed(2)} % test` +
    (teacherRun.seconds > 0 ? ` (${hours(teacherRun.seconds)})` : ' (finished earlier)'),
);
await stopIfAsked();

// 2. Each row on every one of its seeds, with the same student (built from the seed), data order and budget.
const output = join('runs', dataTag, `${args.teacher}-e${teacherEpochs}-to-${args.student}-e${epochs}`);
const configDirectory = join(output, 'configs');
const data = await dataFor(configDirectory);
// The student alone is always run: every Δ is taken against it.
// The teacher's outputs on each epoch's augmented batches, kept by the first row of a seed that runs the teacher and
// read by the other rows that need the same outputs (sharesTeacherOutputs in methods.mjs): the same values, so the
// same training, without the teacher's forward pass (~0.4 s of a KD step's ~1.1 s here).
const teacherOutputs = join(output, 'teacher-outputs');
const selected = rows.filter((row) => row.key === 'alone' || only === undefined || only.includes(row.key));

for (const row of selected) {
  for (const seed of row.seeds === 'all' ? seeds : otherSeeds) {
    const plugins = [...new Set(row.strategies.map((term) => pluginOf[term.key.split('.')[0]]).filter(Boolean))];
    const run = await runOnce(output, {
      name: `${row.key}-seed${seed}`,
      description: `CIFAR-10 method table: ${row.label}, ${args.teacher} → ${args.student}, ${epochs} epochs, seed ${seed}`,
      plugins,
      data,
      teachers:
        row.key === 'alone' ? [] : [{ name: 'teacher', model: { type: 'file', path: relative(configDirectory, teacherModel) } }],
      student: { name: 'student', model: { type: 'zoo', name: args.student } },
      strategies: row.strategies,
      training: row.sharesTeacherOutputs ? { ...recipe(epochs), teacherCache: { augmentedData: 'per-epoch' } } : recipe(epochs),
      ...(row.sharesTeacherOutputs ? { teacherCacheDir: relative(configDirectory, teacherOutputs) } : {}),
      baseline: false,
      seeds: [seed],
    });
    const entry = results.get(row.key) ?? { test: [], validation: [], failed: [] };
    results.set(row.key, entry);
    if (run.error !== undefined) {
      entry.failed.push(seed);
      console.error(`${row.key} seed ${seed}: failed after ${hours(run.seconds)}: ${run.error}`);
      await stopIfAsked();
      continue;
    }
    const student = run.summary.models.student;
    entry.test.push(student.accuracy.mean);
    entry.validation.push(student.validationAccuracy.mean);
    console.error(
      `${row.key} seed ${seed}: ${(100 * student.accuracy.mean).toFixed(2)} % test, ` +
        `${(100 * student.validationAccuracy.mean).toFixed(2)} % validation` +
        (run.seconds > 0 ? ` (${hours(run.seconds)})` : ' (finished earlier)'),
    );
    await stopIfAsked();
  }
}
await report();
// A failed row is in the table, and a run of the same command again retries it.
if ([...results.values()].some((entry) => entry.failed.length > 0)) process.exitCode = 1;

/** Prints the table of every row run so far and writes it to runs/cifar10-methods.md. */
async function report() {
  if (teacherRun === undefined) return;
  const percent = (values) => {
    const { mean, std } = statisticOf(values);
    return values.length < 2 ? (100 * mean).toFixed(2) : `${(100 * mean).toFixed(2)} ± ${(100 * std).toFixed(2)}`;
  };
  const withPublished = `${args.teacher}>${args.student}` === publishedPair;
  const published = (value) => (withPublished && value !== undefined ? value.toFixed(2) : '—');
  const alone = results.get('alone');
  const teacherAccuracy = teacherRun.summary.models.student.accuracy.mean;
  const images = trainExamples === undefined ? 45000 : trainExamples - validation;
  const lines = [
    `CIFAR-10 (${args.data === 'jpeg' ? 'JPEG copy' : 'official archive'}), ${images} training images, ${validation} for validation; ` +
      `teacher ${args.teacher} (${teacherEpochs} epochs), student ${args.student} (${epochs} epochs); crop 4 + flip, ` +
      `SGD Nesterov 0.9, lr 0.1 cosine, weight decay 5e-4, batch 128. Seeds ${seeds.join(', ')} for ` +
      `${rows
        .filter((row) => row.seeds === 'all')
        .map((row) => row.label)
        .join(', ')}; ${otherSeeds.join(', ')} for the others.`,
    '',
    `| row | seeds | test % | Δ vs alone | validation % | published (CIFAR-100${withPublished ? ', R56→R20' : ''}) | settings |`,
    '|---|---|---|---|---|---|---|',
    `| teacher ${args.teacher} | ${args['teacher-seed']} | ${(100 * teacherAccuracy).toFixed(2)} | | | ${published(publishedTeacher)} | trained once, on the labels |`,
    ...rows
      .filter((row) => results.has(row.key))
      .map((row) => {
        const { test, validation: held, failed } = results.get(row.key);
        const failures = failed.length === 0 ? '' : ` (seed ${failed.join(', ')} failed)`;
        if (test.length === 0) return `| ${row.label} | 0 | failed | | | ${published(row.published)} | ${row.note} |`;
        const delta =
          alone === undefined || alone.test.length === 0
            ? Number.NaN
            : 100 * (statisticOf(test).mean - statisticOf(alone.test).mean);
        const deltaText = row.key === 'alone' || Number.isNaN(delta) ? '' : `${delta >= 0 ? '+' : ''}${delta.toFixed(2)}`;
        return `| ${row.label} | ${test.length}${failures} | ${percent(test)} | ${deltaText} | ${percent(held)} | ${published(row.published)} | ${row.note} |`;
      }),
  ];
  console.log(lines.join('\n'));
  await mkdir('runs', { recursive: true });
  await writeFile(join('runs', 'cifar10-methods.md'), `${lines.join('\n')}\n`);
}
