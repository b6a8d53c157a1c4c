// The CIFAR-10 method table: one zoo teacher and one zoo student, every method of methods.mjs on the same data, recipe,
// budget, seeds and student initialisations, through the CLI (`distillery run`, one run per row and seed).
//
//   node compare.mjs [--epochs 10] [--teacher-epochs 20] [--seeds 1,2,3] [--other-seeds 1] [--only kd,dkd]
//                    [--teacher resnet56] [--student resnet8] [--data jpeg|official] [--train-examples 1280]
//
// Resumable: each run keeps its own directory under runs/. A finished one (summary.json) is read, never run again; an
// interrupted one (Ctrl-C, a closed session) is continued from its checkpoint by running its config again; the rest
// are started. So the table can be filled over several sessions by running the same command again.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { statisticOf } from '@distillery/cli';
import { methodRows, publishedPair, publishedTeacher } from './methods.mjs';
import { cifarStudy, describeRun, fail, hours, integers, methodsExample, runMethodRow, trainTeacher } from './study.mjs';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '10' },
    'teacher-epochs': { type: 'string', default: '20' },
    seeds: { type: 'string', default: '1,2,3' },
    'other-seeds': { type: 'string', default: '1' },
    'teacher-seed': { type: 'string', default: '1' },
    only: { type: 'string' },
    teacher: { type: 'string', default: 'resnet56' },
    student: { type: 'string', default: 'resnet8' },
    data: { type: 'string', default: 'jpeg' },
    'train-examples': { type: 'string' },
    backend: { type: 'string', default: 'native' },
    quiet: { type: 'boolean', default: false },
  },
});
const epochs = integers(args.epochs, 'epochs')[0];
const teacherEpochs = integers(args['teacher-epochs'], 'teacher-epochs')[0];
const seeds = integers(args.seeds, 'seeds');
const otherSeeds = integers(args['other-seeds'], 'other-seeds');
const trainExamples = args['train-examples'] === undefined ? undefined : integers(args['train-examples'], 'train-examples')[0];
if (!['jpeg', 'official'].includes(args.data)) fail('--data: expected jpeg (the JPEG copy) or official (cifar-10-binary.tar.gz)');
if (trainExamples !== undefined && trainExamples < 100) fail('--train-examples: expected at least 100');

const study = cifarStudy({ data: args.data, trainExamples, backend: args.backend, quiet: args.quiet });
const { dataTag, validation } = study;
study.onStop(report);

// What the table shows; filled as runs finish, so an interrupted session still prints what it has.
let teacherRun;
let rows = [];
const results = new Map();

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
teacherRun = await trainTeacher(study, {
  model: args.teacher,
  epochs: teacherEpochs,
  seed: Number(args['teacher-seed']),
});
const teacherModel = teacherRun.model;
if (teacherRun.error !== undefined) fail(`the teacher failed: ${teacherRun.error}`);
console.error(
  `teacher ${args.teacher}: ${(100 * teacherRun.summary.models.student.accuracy.mean).toFixed(2)} % test` +
    (teacherRun.seconds > 0 ? ` (${hours(teacherRun.seconds)})` : ' (finished earlier)'),
);
await study.stopIfAsked();

// 2. Each row on every one of its seeds, with the same student (built from the seed), data order and budget, in
//    `runs/<data>/<teacher>-e<T>-to-<student>-e<E>/` (study.mjs: runMethodRow; the ensemble study reads its student
//    alone and its KD from there). The student alone is always run: every Δ is taken against it.
const pair = { teacher: args.teacher, teacherEpochs, teacherModel, student: args.student, epochs };
const selected = rows.filter((row) => row.key === 'alone' || only === undefined || only.includes(row.key));

for (const row of selected) {
  for (const seed of row.seeds === 'all' ? seeds : otherSeeds) {
    const run = await runMethodRow(study, pair, row, seed);
    const entry = results.get(row.key) ?? { test: [], validation: [], failed: [] };
    results.set(row.key, entry);
    if (run.error !== undefined) {
      entry.failed.push(seed);
      console.error(`${row.key} seed ${seed}: failed after ${hours(run.seconds)}: ${run.error}`);
      await study.stopIfAsked();
      continue;
    }
    const student = run.summary.models.student;
    entry.test.push(student.accuracy.mean);
    entry.validation.push(student.validationAccuracy.mean);
    console.error(describeRun(`${row.key} seed ${seed}`, run));
    await study.stopIfAsked();
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
  // The published figures are for resnet56 → resnet20 on CIFAR-100; with resnet56 and another small CIFAR ResNet as
  // the student they are still the nearest reference for the order of the methods, and the header says which pair.
  const withPublished = args.teacher === publishedPair.teacher && /^resnet\d+$/.test(args.student);
  const published = (value) => (withPublished && value !== undefined ? value.toFixed(2) : '—');
  const publishedHeader = withPublished
    ? `published (CIFAR-100, R56→R20${args.student === publishedPair.student ? '' : ': another student'})`
    : 'published';
  const alone = results.get('alone');
  const teacherAccuracy = teacherRun.summary.models.student.accuracy.mean;
  const { images } = study;
  const lines = [
    `CIFAR-10 (${args.data === 'jpeg' ? 'JPEG copy' : 'official archive'}), ${images} training images, ${validation} for validation; ` +
      `teacher ${args.teacher} (${teacherEpochs} epochs), student ${args.student} (${epochs} epochs); crop 4 + flip, ` +
      `SGD Nesterov 0.9, lr 0.1 cosine, weight decay 5e-4, batch 128. Seeds ${seeds.join(', ')} for ` +
      `${rows
        .filter((row) => row.seeds === 'all')
        .map((row) => row.label)
        .join(', ')}; ${otherSeeds.join(', ')} for the others.`,
    '',
    `| row | seeds | test % | Δ vs alone | validation % | ${publishedHeader} | settings |`,
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
  await mkdir(join(methodsExample, 'runs'), { recursive: true });
  await writeFile(join(methodsExample, 'runs', 'cifar10-methods.md'), `${lines.join('\n')}\n`);
}
