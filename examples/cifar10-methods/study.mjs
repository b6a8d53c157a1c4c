// What the CIFAR-10 studies share (compare.mjs here, examples/cifar10-ensemble): the recipe, the data sections, and
// running one config through the CLI so that a study can be filled over several sessions — a finished run is read,
// an interrupted one continued from its checkpoint, any other started; a finished run whose config differs from what
// the study would write now stops the study rather than mixing two settings in one table.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeConfigChanges, readExperimentConfig, runProgram } from '@distillery/cli';
import { stringify } from 'yaml';

/** This example's folder: run directories and the teachers live under its runs/, which every study shares. */
export const methodsExample = dirname(fileURLToPath(import.meta.url));

/**
 * The standard CIFAR recipe (He et al. 2016; RepDistiller): crop with 4-pixel padding and flips, SGD with Nesterov
 * momentum 0.9, weight decay 5e-4 on kernels, batch 128 at learning rate 0.1, cosine schedule to 0.
 */
export const recipe = (epochs) => ({
  epochs,
  batchSize: 128,
  optimizer: { name: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.0005 },
  schedule: { type: 'cosine' },
  augment: { crop: { padding: 4 }, flip: true },
});

/** Ends the process with one line, as the CLI does for bad input. */
export function fail(message) {
  console.error(`${process.argv[1]?.split('/').pop() ?? 'study'}: ${message}`);
  process.exit(2);
}

/** A comma-separated list of non-negative integers from the command line, or one line naming the flag. */
export function integers(text, flag) {
  const list = text.split(',').map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 0)) fail(`--${flag}: expected integers, e.g. 1,2,3`);
  return list;
}

/** One line for a run just read or trained: `<label>: 91.20 % test, 90.84 % validation (1.2 h)`. */
export function describeRun(label, run) {
  const { accuracy, validationAccuracy } = run.summary.models.student;
  return (
    `${label}: ${(100 * accuracy.mean).toFixed(2)} % test, ${(100 * validationAccuracy.mean).toFixed(2)} % validation` +
    (run.seconds > 0 ? ` (${hours(run.seconds)})` : ' (finished earlier)')
  );
}

export const hours = (seconds) => (seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : `${seconds.toFixed(0)} s`);

/**
 * A study over CIFAR-10: `data` 'jpeg' (the shared JPEG copy, extracted by examples/cifar10's prepare-data) or
 * 'official' (cifar-10-binary.tar.gz); `trainExamples` for quick checks (the first n training images, n/10 of them
 * for validation, and n test images). `dataTag` names the data in run paths, so quick checks never meet full runs.
 */
export function cifarStudy({ data, trainExamples, backend, quiet }) {
  // A config's `output` is relative to the working directory: one working directory for every study, so that a run
  // shared by two studies (a teacher, the student alone) has the same config whichever of them writes it.
  process.chdir(methodsExample);
  const jpegRoot = join(methodsExample, '../cifar10/data/cifar10-jpeg');
  const validation = trainExamples === undefined ? 5000 : Math.round(trainExamples / 10);
  const dataTag = `${data}${trainExamples === undefined ? '' : `-n${trainExamples}`}`;
  let training = false;
  let stopRequested = false;
  let onStop = async () => {};

  // Ctrl-C: the CLI lets the stage in training save its state and end its run; then the study reports what it
  // has and stops, even when that run had just finished. Between runs nothing is in training: stop at once.
  process.on('SIGINT', () => {
    stopRequested = true;
    if (!training) process.exit(130);
  });

  /** An image folder of the first `count` training images (and as many test images), as links to the JPEG copy. */
  async function jpegSubset(count) {
    const target = join(methodsExample, 'runs', 'subsets', `cifar10-jpeg-${count}`);
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

  return {
    dataTag,
    validation,
    /** Training images the students learn from (the rest of the 50,000, or of the quick subset, is validation). */
    images: trainExamples === undefined ? 45000 : trainExamples - validation,
    /** Where every study's teachers are trained and kept: here, shared by the method table and the ensemble study. */
    teachersDirectory: join(methodsExample, 'runs', dataTag, 'teachers'),
    /**
     * The `teacherCacheDir` of every run that keeps teachers' outputs per epoch (`augmentedData: per-epoch`), in both
     * studies: stores are found by a key of everything their values depend on (data, seed, batch size, epoch, the
     * teachers' weights and names, the outputs), so a KD row of the ensemble study reads what the method table's KD
     * row of the same seed kept, and the other way round.
     */
    teacherOutputsDirectory: join(methodsExample, 'runs', dataTag, 'teacher-outputs'),
    /** Says what to run after Ctrl-C: `report` prints the table so far. */
    onStop(report) {
      onStop = report;
    },

    /** The `data` section for a config written into `configDirectory` (paths in a config are relative to its file). */
    async dataFor(configDirectory, extra = {}) {
      if (data === 'official') {
        const subset = trainExamples === undefined ? {} : { trainExamples, testExamples: Math.min(trainExamples, 10000) };
        return { source: 'cifar10', validation, ...subset, ...extra };
      }
      if (!existsSync(join(jpegRoot, 'train'))) {
        fail(`${jpegRoot} not found: run npm run prepare-data -w @distillery/example-cifar10-methods, or pass --data official`);
      }
      const root = trainExamples === undefined ? jpegRoot : await jpegSubset(trainExamples);
      return { source: 'image-folder', root: relative(configDirectory, root), size: [32, 32], validation, ...extra };
    },

    /**
     * Runs (or continues, or reads) one config: the run directory `<output>/<config.name>`, with the config written to
     * `<output>/configs/`. Returns its summary.json and the seconds spent now (0 when it had finished before), or
     * `error`, the first line of what the failed run said. Ctrl-C during the run reports and exits with 130.
     */
    async runOnce(output, config) {
      const configDirectory = join(output, 'configs');
      await mkdir(configDirectory, { recursive: true });
      const path = join(configDirectory, `${config.name}.yaml`);
      // A checkpoint every 100 steps (and every epoch): a session that ends mid-epoch loses little.
      await writeFile(
        path,
        stringify({ ...config, output: relative(process.cwd(), output), backend, checkpointEverySteps: 100 }),
      );
      const directory = join(output, config.name);
      if (existsSync(join(directory, 'summary.json'))) {
        const [wanted, held] = await Promise.all([
          readExperimentConfig(path),
          readExperimentConfig(join(directory, 'config.yaml')),
        ]);
        const changes = describeConfigChanges(held.config, wanted.config);
        if (changes !== '') fail(`${directory} finished with another config (${changes}); move it away to run it again`);
        return { summary: JSON.parse(await readFile(join(directory, 'summary.json'), 'utf8')), seconds: 0 };
      }
      const started = performance.now();
      const said = [];
      training = true;
      const code = await runProgram(['run', path, ...(quiet ? ['--quiet'] : [])], {
        out: () => {},
        err: (line) => {
          said.push(line);
          console.error(line);
        },
      });
      training = false;
      const seconds = (performance.now() - started) / 1000;
      if (code === 130) {
        console.error(`interrupted: run the same command again to continue ${directory} from its checkpoint`);
        await onStop();
        process.exit(130);
      }
      if (code !== 0) {
        const error = said.find((line) => line.startsWith('error: ')) ?? `exit ${code}`;
        console.error(`${directory} failed; see ${join(directory, 'error.txt')}`);
        return { error: error.replace(/^error: /, ''), seconds };
      }
      return { summary: JSON.parse(await readFile(join(directory, 'summary.json'), 'utf8')), seconds };
    },

    /** After a Ctrl-C that came as a run finished: the table so far, then stop. */
    async stopIfAsked() {
      if (!stopRequested) return;
      console.error('stopped: run the same command again to go on');
      await onStop();
      process.exit(130);
    },
  };
}

/**
 * Trains (or reads) a teacher of the zoo on the labels with the study's recipe: a run whose student is the teacher's
 * architecture, named `teacher` (so its layers are `teacher_…`), in the shared teachers folder. `labelNoise` trains it
 * on shuffled labels (data.labelNoise), a separate run. Returns the run and the path of its saved model.
 */
export async function trainTeacher(study, { model, epochs, seed = 1, labelNoise }) {
  const output = study.teachersDirectory;
  const noise = labelNoise === undefined ? '' : `-noise${Math.round(100 * labelNoise.fraction)}`;
  const name = `${model}-e${epochs}-seed${seed}${noise}`;
  const run = await study.runOnce(output, {
    name,
    description:
      `a teacher of the CIFAR-10 studies (examples/cifar10-methods, examples/cifar10-ensemble): ${model} on the labels` +
      (labelNoise === undefined
        ? ' alone'
        : `, ${Math.round(100 * labelNoise.fraction)} % of them shuffled (seed ${labelNoise.seed})`),
    data: await study.dataFor(join(output, 'configs'), labelNoise === undefined ? {} : { labelNoise }),
    student: { name: 'teacher', model: { type: 'zoo', name: model } },
    strategies: [{ key: 'task.ce', weight: 1 }],
    training: recipe(epochs),
    baseline: false,
    seeds: [seed],
  });
  return { ...run, name, model: join(output, name, 'student') };
}

const pluginOf = {
  response: '@distillery/plugin-response',
  feature: '@distillery/plugin-feature',
  attention: '@distillery/plugin-attention',
  relation: '@distillery/plugin-relation',
  contrastive: '@distillery/plugin-contrastive',
};

/** Where a method-table pair's rows run: `runs/<data>/<teacher>-e<T>-to-<student>-e<E>/`. */
export function methodTableDirectory(study, { teacher, teacherEpochs, student, epochs }) {
  return join(methodsExample, 'runs', study.dataTag, `${teacher}-e${teacherEpochs}-to-${student}-e${epochs}`);
}

/**
 * Runs (or reads, or continues) one row of the method table (methods.mjs) on one seed for a pair — the teacher's saved
 * model at `teacherModel` — as `runOnce` does. One definition of the config, so that another study that needs the
 * same run (the ensemble study's student alone and its KD from resnet56) finds this one rather than training its own.
 * The rows that read only what other rows of the seed read of the teacher keep its outputs per epoch in the shared
 * `teacherOutputsDirectory` (sharesTeacherOutputs).
 */
export async function runMethodRow(study, pair, row, seed) {
  const output = methodTableDirectory(study, pair);
  const configDirectory = join(output, 'configs');
  const plugins = [...new Set(row.strategies.map((term) => pluginOf[term.key.split('.')[0]]).filter(Boolean))];
  const shares = row.sharesTeacherOutputs === true;
  return study.runOnce(output, {
    name: `${row.key}-seed${seed}`,
    description: `CIFAR-10 method table: ${row.label}, ${pair.teacher} → ${pair.student}, ${pair.epochs} epochs, seed ${seed}`,
    plugins,
    data: await study.dataFor(configDirectory),
    teachers:
      row.key === 'alone'
        ? []
        : [{ name: 'teacher', model: { type: 'file', path: relative(configDirectory, pair.teacherModel) } }],
    student: { name: 'student', model: { type: 'zoo', name: pair.student } },
    strategies: row.strategies,
    training: shares ? { ...recipe(pair.epochs), teacherCache: { augmentedData: 'per-epoch' } } : recipe(pair.epochs),
    ...(shares ? { teacherCacheDir: relative(configDirectory, study.teacherOutputsDirectory) } : {}),
    baseline: false,
    seeds: [seed],
  });
}
