// The CIFAR-10 ensemble study: three teachers of different architectures, their ensemble, the student alone, KD from
// the best single teacher (chosen on validation), multi.kd under every built-in policy and a feature-level row
// (multi.relation with PKT); then the same multi.kd comparison with one teacher replaced by a copy trained on shuffled labels.
// Every row runs through the CLI (`distillery run`, one run per row and seed) with examples/cifar10-methods' recipe,
// teachers and resume rules (study.mjs there): a finished run is read, an interrupted one continued, the rest started.
//
//   node compare.mjs [--epochs 10] [--teacher-epochs 20] [--seeds 1,2,3] [--teachers resnet56,wrn-16-2,vgg8]
//                    [--noisy vgg8] [--noise 0.4] [--student resnet8] [--only alone,mkd-confidence]
//                    [--data jpeg|official] [--train-examples 1280]
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { statisticOf } from '@distillery/cli';
import { methodRows } from '@distillery/example-cifar10-methods/methods.mjs';
import {
  cifarStudy,
  describeRun,
  fail,
  hours,
  integers,
  recipe,
  runMethodRow,
  trainTeacher,
} from '@distillery/example-cifar10-methods/study.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '10' },
    'teacher-epochs': { type: 'string', default: '20' },
    seeds: { type: 'string', default: '1,2,3' },
    teachers: { type: 'string', default: 'resnet56,wrn-16-2,vgg8' },
    noisy: { type: 'string', default: 'vgg8' },
    noise: { type: 'string', default: '0.4' },
    student: { type: 'string', default: 'resnet8' },
    only: { type: 'string' },
    data: { type: 'string', default: 'jpeg' },
    'train-examples': { type: 'string' },
    backend: { type: 'string', default: 'native' },
    quiet: { type: 'boolean', default: false },
  },
});
const epochs = integers(args.epochs, 'epochs')[0];
const teacherEpochs = integers(args['teacher-epochs'], 'teacher-epochs')[0];
const seeds = integers(args.seeds, 'seeds');
const trainExamples = args['train-examples'] === undefined ? undefined : integers(args['train-examples'], 'train-examples')[0];
const teacherModels = args.teachers.split(',');
const fraction = Number(args.noise);
if (teacherModels.length < 2 || new Set(teacherModels).size !== teacherModels.length) {
  fail('--teachers: expected two or more different zoo models, e.g. resnet56,wrn-16-2,vgg8');
}
if (!teacherModels.includes(args.noisy)) fail(`--noisy: expected one of the teachers (${teacherModels.join(', ')})`);
if (!(fraction > 0 && fraction < 1)) fail('--noise: expected the fraction of shuffled labels, in (0, 1), e.g. 0.4');
if (!['jpeg', 'official'].includes(args.data)) fail('--data: expected jpeg (the JPEG copy) or official (cifar-10-binary.tar.gz)');
if (trainExamples !== undefined && trainExamples < 100) fail('--train-examples: expected at least 100');

const study = cifarStudy({ data: args.data, trainExamples, backend: args.backend, quiet: args.quiet });
study.onStop(report);

const configName = (model) => model.replaceAll('-', '_');

// What the report shows; filled as runs finish, so an interrupted session still prints what it has.
const teachers = [];
let noisyTeacher;
const results = new Map();
let rows = [];

// 1. The teachers, each trained once on the labels with the recipe (in examples/cifar10-methods' shared folder, so
//    resnet56 is the method table's), and one of them again on shuffled labels.
for (const model of teacherModels) {
  const run = await trainTeacher(study, { model, epochs: teacherEpochs });
  if (run.error !== undefined) fail(`the teacher ${model} failed: ${run.error}`);
  teachers.push({ model, name: configName(model), path: run.model, summary: run.summary });
  console.error(describeRun(`teacher ${model}`, run));
  await study.stopIfAsked();
}
{
  const run = await trainTeacher(study, { model: args.noisy, epochs: teacherEpochs, labelNoise: { fraction, seed: 0 } });
  if (run.error !== undefined) fail(`the noisy teacher failed: ${run.error}`);
  noisyTeacher = { model: args.noisy, name: `${configName(args.noisy)}_noisy`, path: run.model, summary: run.summary };
  console.error(describeRun(`teacher ${args.noisy} on ${Math.round(100 * fraction)} % shuffled labels`, run));
  await study.stopIfAsked();
}

// 2. The rows. The best single teacher is the one with the best validation accuracy, never the test set's; `weighted`
//    weighs each teacher by its validation accuracy, the one figure about the teachers known before training.
const validationOf = (teacher) => teacher.summary.models.student.validationAccuracy.mean;
const best = teachers.reduce((top, teacher) => (validationOf(teacher) > validationOf(top) ? teacher : top));
const noisySet = teachers.map((teacher) => (teacher.model === args.noisy ? noisyTeacher : teacher));
const ce = (weight) => ({ key: 'task.ce', weight });
const multiKd = (policy, set) => ({
  key: 'multi.kd',
  weight: 0.9,
  options: { temperature: 4, policy, ...(policy === 'weighted' ? { weights: set.map(validationOf) } : {}) },
});
const policies = ['mean-probs', 'mean-logits', 'confidence', 'entropy', 'weighted'];
// The student alone, and KD when the best teacher is the method table's (resnet56), are the method table's own runs
// with this student and budget (the same config, so whichever study comes first trains them and the other reads
// them): one baseline for both tables.
const tableTeacher = teachers.find((teacher) => teacher.model === 'resnet56');
const tablePair =
  tableTeacher === undefined
    ? undefined
    : { teacher: 'resnet56', teacherEpochs, teacherModel: tableTeacher.path, student: args.student, epochs };
const tableRows =
  tablePair === undefined
    ? []
    : methodRows({ teacher: { name: 'teacher', model: 'resnet56' }, student: { name: 'student', model: args.student }, epochs });
const tableRow = (key) => tableRows.find((row) => row.key === key);
rows = [
  { key: 'alone', label: 'student alone', set: [], strategies: [ce(1)], table: tableRow('alone') },
  // Named `teacher`, as in the method table, so that with the same teacher it reads the outputs that table's KD kept.
  {
    key: 'kd-best',
    label: `KD from the best teacher (${best.model}, on validation)`,
    set: [{ ...best, name: 'teacher' }],
    strategies: [{ key: 'response.kd', weight: 0.9, options: { temperature: 4 } }, ce(0.1)],
    shares: true,
    table: best === tableTeacher ? tableRow('kd') : undefined,
  },
  ...policies.map((policy) => ({
    key: `mkd-${policy}`,
    label: `multi.kd, ${policy}`,
    set: teachers,
    strategies: [multiKd(policy, teachers), ce(0.1)],
    shares: true,
  })),
  {
    key: 'mpkt',
    label: 'multi.relation PKT, uniform (pooled embeddings)',
    set: teachers,
    // PKT's weight in the method table (RepDistiller's 30000). A relation of each teacher's own embeddings, so widths
    // 64, 128 and 512 mix; FitNets-style hints (multi.hint) diverged within 5 steps in the smoke run at weight 10.
    strategies: [
      {
        key: 'multi.relation',
        weight: 30000,
        options: {
          method: 'pkt',
          pairs: teachers.map((teacher) => ({ teacher: teacher.name, student: 'student_pool', teacherLayer: 'teacher_pool' })),
        },
      },
      ce(1),
    ],
  },
  ...['mean-probs', 'confidence', 'entropy'].map((policy) => ({
    key: `noisy-mkd-${policy}`,
    label: `multi.kd, ${policy}, with ${noisyTeacher.name}`,
    set: noisySet,
    strategies: [multiKd(policy, noisySet), ce(0.1)],
    shares: true,
  })),
];
const only = args.only?.split(',');
const unknown = only?.filter((key) => !rows.some((row) => row.key === key)) ?? [];
if (unknown.length > 0) fail(`--only: unknown rows ${unknown.join(', ')}; the rows are ${rows.map((row) => row.key).join(', ')}`);

const output = join(here, 'runs', study.dataTag, `${teacherModels.join('+')}-e${teacherEpochs}-to-${args.student}-e${epochs}`);
const configDirectory = join(output, 'configs');
const data = await study.dataFor(configDirectory);
// The student alone is always run: every Δ is taken against it.
for (const row of rows.filter((row) => row.key === 'alone' || only === undefined || only.includes(row.key))) {
  for (const seed of seeds) {
    const plugins = [
      ...new Set(
        row.strategies.map(
          ({ key }) =>
            ({ response: '@distillery/plugin-response', multi: '@distillery/plugin-multi-teacher' })[key.split('.')[0]],
        ),
      ),
    ].filter(Boolean);
    const run =
      row.table !== undefined
        ? await runMethodRow(study, tablePair, row.table, seed)
        : await study.runOnce(output, {
            name: `${row.key}-seed${seed}`,
            description: `CIFAR-10 ensemble study: ${row.label}, → ${args.student}, ${epochs} epochs, seed ${seed}`,
            plugins,
            data,
            teachers: row.set.map((teacher) => ({
              name: teacher.name,
              model: { type: 'file', path: relative(configDirectory, teacher.path) },
            })),
            student: { name: 'student', model: { type: 'zoo', name: args.student } },
            strategies: row.strategies,
            training: row.shares ? { ...recipe(epochs), teacherCache: { augmentedData: 'per-epoch' } } : recipe(epochs),
            ...(row.shares ? { teacherCacheDir: relative(configDirectory, study.teacherOutputsDirectory) } : {}),
            baseline: false,
            seeds: [seed],
          });
    const entry = results.get(row.key) ?? { test: new Map(), validation: new Map(), failed: [], summaries: [] };
    results.set(row.key, entry);
    if (run.error !== undefined) {
      entry.failed.push(seed);
      console.error(`${row.key} seed ${seed}: failed after ${hours(run.seconds)}: ${run.error}`);
    } else {
      const student = run.summary.models.student;
      entry.test.set(seed, student.accuracy.mean);
      entry.validation.set(seed, student.validationAccuracy.mean);
      entry.summaries.push(run.summary);
      console.error(describeRun(`${row.key} seed ${seed}`, run));
    }
    await study.stopIfAsked();
  }
}
await report();
if ([...results.values()].some((entry) => entry.failed.length > 0)) process.exitCode = 1;

/** Prints the tables of everything run so far and writes them to runs/cifar10-ensemble.md. */
async function report() {
  if (teachers.length === 0) return;
  const pct = (value) => (100 * value).toFixed(2);
  const spread = (values) => {
    const { mean, std } = statisticOf(values);
    return values.length < 2 ? pct(mean) : `${pct(mean)} ± ${pct(std)}`;
  };
  const meanOf = (key) => {
    const values = [...(results.get(key)?.test.values() ?? [])];
    return values.length === 0 ? undefined : statisticOf(values).mean;
  };
  const delta = (value, reference) =>
    value === undefined || reference === undefined
      ? ''
      : `${value >= reference ? '+' : ''}${(100 * (value - reference)).toFixed(2)}`;
  // The teachers' own figures, their ensemble's (the mean of softmaxes, from any run with all of them: it does not
  // depend on the student) and the flags of the diagnostics.
  const ensembleOf = (prefix) =>
    results.get(`${prefix}mean-probs`)?.summaries[0] ?? results.get(`${prefix}confidence`)?.summaries[0];
  const flagsOf = (summary) =>
    Object.values(summary?.teacherDiagnostics ?? {})
      .flatMap((diagnostics) => diagnostics.flags ?? [])
      .map((flag) => flag.message);
  const teacherLine = (teacher, label) => {
    const { accuracy, validationAccuracy, parameters } = teacher.summary.models.student;
    return `| ${label} | ${parameters.toLocaleString('en')} | ${pct(accuracy.mean)} | ${pct(validationAccuracy.mean)} |`;
  };
  const ensembleLine = (summary, label) =>
    summary === undefined ? `| ${label} | | not run yet | |` : `| ${label} | | ${pct(summary.models.ensemble.accuracy.mean)} | |`;
  const alone = meanOf('alone');
  const kdBest = meanOf('kd-best');
  const studentLine = (row) => {
    const entry = results.get(row.key);
    if (entry === undefined) return undefined;
    const test = [...entry.test.values()];
    const failures = entry.failed.length === 0 ? '' : ` (seed ${entry.failed.join(', ')} failed)`;
    if (test.length === 0) return `| ${row.label} | 0${failures} | failed | | | |`;
    const mean = statisticOf(test).mean;
    return `| ${row.label} | ${test.length}${failures} | ${spread(test)} | ${row.key === 'alone' ? '' : delta(mean, alone)} | ${row.key.startsWith('mkd-') || row.key === 'mpkt' ? delta(mean, kdBest) : ''} | ${spread([...entry.validation.values()])} |`;
  };
  // With the noisy teacher: does a per-example policy lose less than the mean, seed by seed?
  const noisyMean = results.get('noisy-mkd-mean-probs')?.test;
  const perSeed = ['confidence', 'entropy'].map((policy) => {
    const other = results.get(`noisy-mkd-${policy}`)?.test;
    if (noisyMean === undefined || other === undefined) return `- ${policy} − mean-probs: not run yet`;
    const shared = seeds.filter((seed) => noisyMean.has(seed) && other.has(seed));
    const gaps = shared.map((seed) => `seed ${seed} ${delta(other.get(seed), noisyMean.get(seed))}`);
    const wins = shared.filter((seed) => other.get(seed) > noisyMean.get(seed)).length;
    return `- ${policy} − mean-probs (test points): ${gaps.join(', ')}; better on ${wins} of ${shared.length} seed(s)`;
  });
  const cleanFlags = flagsOf(ensembleOf('mkd-'));
  const noisyFlags = flagsOf(ensembleOf('noisy-mkd-'));
  const lines = [
    `CIFAR-10 (${args.data === 'jpeg' ? 'JPEG copy' : 'official archive'}), ${study.images} training images, ${study.validation} for validation; ` +
      `teachers ${teacherModels.join(', ')} (${teacherEpochs} epochs), student ${args.student} (${epochs} epochs); the recipe of ` +
      `examples/cifar10-methods; KD and multi.kd at T = 4, 0.9 · distillation + 0.1 · CE; seeds ${seeds.join(', ')}.`,
    '',
    '| teacher | parameters | test % | validation % |',
    '|---|---|---|---|',
    ...teachers.map((teacher) => teacherLine(teacher, teacher.model)),
    ensembleLine(ensembleOf('mkd-'), `ensemble of ${teacherModels.join(' + ')} (mean of softmaxes)`),
    teacherLine(noisyTeacher, `${noisyTeacher.model}, ${Math.round(100 * fraction)} % of its labels shuffled`),
    ensembleLine(ensembleOf('noisy-mkd-'), `ensemble with ${noisyTeacher.name} in place of ${args.noisy}`),
    '',
    `Diagnostics, clean teachers: ${cleanFlags.length === 0 ? 'no flag' : cleanFlags.join(' / ')}.`,
    `Diagnostics, with ${noisyTeacher.name}: ${noisyFlags.length === 0 ? 'no flag' : noisyFlags.join(' / ')}.`,
    '',
    '| student | seeds | test % | Δ vs alone | Δ vs KD from the best teacher | validation % |',
    '|---|---|---|---|---|---|',
    ...rows.map(studentLine).filter((line) => line !== undefined),
    '',
    `With ${noisyTeacher.name} (per seed, same student initialisation and batches):`,
    ...perSeed,
  ];
  console.log(lines.join('\n'));
  await mkdir(join(here, 'runs'), { recursive: true });
  await writeFile(join(here, 'runs', 'cifar10-ensemble.md'), `${lines.join('\n')}\n`);
}
