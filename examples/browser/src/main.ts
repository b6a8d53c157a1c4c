// The demo page's program: every control of index.html, wired to the kernel and the plugins exactly as a web app
// would use them. Nothing here is Node-only; demoServer.mjs bundles it with esbuild for the browser.

import { buildModel } from '@distillery/config';
import {
  type Callback,
  createDistiller,
  type Dataset,
  type Distiller,
  type EpochMetrics,
  type StrategyFactory,
} from '@distillery/core';
import { type ExampleStore, IndexedDataset, splitTrainValidation } from '@distillery/data';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fetchMnist } from './fetchMnist.js';
import { LiveCharts } from './LiveCharts.js';
import { type ModelChoice, studentChoices, teacherChoices } from './modelChoices.js';
import { optionInputs } from './optionInputs.js';
import { pagePlugins, strategyFactories } from './strategyFactories.js';

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => element<HTMLInputElement>(id);
const numberOf = (id: string) => {
  const value = Number(input(id).value);
  if (!Number.isFinite(value) || input(id).value.trim() === '') throw new Error(`${id.replaceAll('-', ' ')}: expected a number`);
  return value;
};

const status = element<HTMLOutputElement>('status');
const progress = element<HTMLProgressElement>('progress');
const buttons = {
  trainTeacher: element<HTMLButtonElement>('train-teacher'),
  distil: element<HTMLButtonElement>('distil'),
  stop: element<HTMLButtonElement>('stop'),
  download: element<HTMLButtonElement>('download'),
};
const charts = new LiveCharts(element('loss-chart'), element('accuracy-chart'));
const silent = { info() {}, warn() {} };

let mnist: { train: ExampleStore; test: ExampleStore } | undefined;
let teacher: { model: tfl.LayersModel; validationAccuracy: number; testAccuracy: number } | undefined;
let student: tfl.LayersModel | undefined;
let running: Distiller | undefined;

function say(text: string, failed = false): void {
  status.textContent = text;
  status.classList.toggle('error', failed);
  status.dataset.state = failed ? 'error' : 'ok';
}

/** The first line of what went wrong: a DistilleryError names the field; anything else is shown as thrown. */
function fail(error: unknown): void {
  console.warn(error);
  say(`error: ${String((error as Error).message ?? error).split('\n')[0]}`, true);
}

function fillModelSelect(select: HTMLSelectElement, choices: readonly ModelChoice[]): void {
  select.replaceChildren(...choices.map((choice) => new Option(choice.label, choice.value)));
}

/** The model the `<role>-model` menu names, built for MNIST (28×28×1, 10 classes) with seed 1 and layers named `<role>_…`. */
function chosenModel(
  role: 'teacher' | 'student',
  choices: readonly ModelChoice[],
): { choice: ModelChoice; model: tfl.LayersModel } {
  const value = element<HTMLSelectElement>(`${role}-model`).value;
  const choice = choices.find((entry) => entry.value === value) as ModelChoice;
  const config = choice.config as Parameters<typeof buildModel>[0];
  return { choice, model: buildModel(config, { inputShape: [28, 28, 1], classes: 10, name: role, seed: 1 }) };
}

/** The examples the form asks for: the first n of MNIST's training images (the last v of them for validation) and the first t test images. */
async function examples(): Promise<{ train: Dataset; validation: Dataset; test: Dataset }> {
  say('Loading MNIST…');
  mnist ??= { train: await fetchMnist('train'), test: await fetchMnist('test') };
  const { train, validation } = splitTrainValidation(new IndexedDataset(mnist.train).take(numberOf('train-examples')), {
    validation: numberOf('validation-examples'),
  });
  return { train, validation, test: new IndexedDataset(mnist.test).take(numberOf('test-examples')) };
}

const training = (epochs: number) => ({
  epochs,
  batchSize: numberOf('batch-size'),
  seed: 1,
  optimizer: { name: 'adam' as const, learningRate: numberOf('learning-rate') },
});

const backendPreference = () => element<HTMLSelectElement>('backend').value as 'auto' | 'webgpu' | 'webgl' | 'cpu';

/**
 * Progress bar, status line and the loss chart, fed from the Distiller's callbacks. Each batch ends by giving the
 * browser a turn (at most every 100 ms), so the page repaints and the Stop button answers while training runs.
 */
function progressCallback(what: string, onEpoch: (metrics: EpochMetrics) => Promise<unknown>): Callback {
  let total = 1;
  let epochs = 1;
  let started = performance.now();
  let lastTurn = performance.now();
  let pending: { step: number; term: string; loss: number }[] = [];
  return {
    onTrainBegin(event) {
      total = event.epochs * event.stepsPerEpoch;
      epochs = event.epochs;
      started = performance.now();
      element('backend-name').textContent = event.backend;
    },
    async onBatchEnd(event) {
      const done = event.step + 1;
      progress.value = done / total;
      const perStep = (performance.now() - started) / 1000 / done;
      say(
        `${what}: epoch ${event.epoch + 1} of ${epochs}, step ${done} of ${total} · ${perStep.toFixed(2)} s a step · ` +
          `about ${Math.ceil(perStep * (total - done))} s left · loss ${event.total.toFixed(3)}`,
      );
      for (const [term, loss] of Object.entries(event.losses)) pending.push({ step: event.step, term, loss });
      if (performance.now() - lastTurn > 100) {
        await charts.addLoss(pending);
        pending = [];
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastTurn = performance.now();
      }
    },
    async onEpochEnd(event) {
      await charts.addLoss(pending);
      pending = [];
      await onEpoch(event.metrics);
    },
  };
}

/** Runs `work` with the controls locked; a failure ends in one red line. */
async function busy(work: () => Promise<void>): Promise<void> {
  for (const button of [buttons.trainTeacher, buttons.distil, buttons.download]) button.disabled = true;
  buttons.stop.disabled = false;
  try {
    await work();
  } catch (error) {
    fail(error);
  } finally {
    // What the page holds between actions (the teacher, the student, the backend's own), for a test to compare.
    status.dataset.tensors = String(tf.memory().numTensors);
    running = undefined;
    buttons.stop.disabled = true;
    buttons.trainTeacher.disabled = false;
    buttons.distil.disabled = teacher === undefined;
    buttons.download.disabled = student === undefined;
  }
}

/** Accuracy on `data` of `model`, through a Distiller that only evaluates (its own backend choice, as training's). */
async function accuracyOf(model: tfl.LayersModel, name: string, data: Dataset): Promise<number> {
  const evaluator = createDistiller({
    student: { name, model },
    strategies: [{ key: 'task.ce' }],
    backend: backendPreference(),
    logger: silent,
  });
  try {
    return (await evaluator.evaluate(data)).accuracy;
  } finally {
    evaluator.dispose();
  }
}

function showAccuracy(id: string, accuracy: number, count: number): void {
  const shown = element<HTMLOutputElement>(id);
  shown.textContent = `${(100 * accuracy).toFixed(1)} % (${Math.round(accuracy * count)} of ${count})`;
  shown.dataset.accuracy = String(accuracy);
}

function showGap(): void {
  const [t, s] = ['teacher-accuracy', 'student-accuracy'].map((id) => Number(element(id).dataset.accuracy));
  element('gap').textContent =
    Number.isFinite(t) && Number.isFinite(s) ? `${(100 * ((t as number) - (s as number))).toFixed(1)} points` : '—';
}

function replaceTeacher(
  model: tfl.LayersModel,
  validationAccuracy: number,
  testAccuracy: number,
  count: number,
  what: string,
): void {
  teacher?.model.dispose();
  teacher = { model, validationAccuracy, testAccuracy };
  showAccuracy('teacher-accuracy', testAccuracy, count);
  showGap();
  element('teacher-status').textContent = what;
}

buttons.trainTeacher.addEventListener('click', () =>
  busy(async () => {
    const data = await examples();
    const { choice, model } = chosenModel('teacher', teacherChoices);
    await charts.clear();
    const distiller = createDistiller({
      student: { name: 'teacher', model },
      strategies: [{ key: 'task.ce' }],
      training: training(numberOf('teacher-epochs')),
      backend: backendPreference(),
      logger: silent,
    });
    running = distiller;
    try {
      const history = await distiller.fit(data.train, {
        validation: data.validation,
        callbacks: [
          progressCallback('teacher', (metrics) =>
            charts.addAccuracy([{ epoch: metrics.epoch + 1, model: 'teacher', accuracy: metrics.validation?.accuracy ?? 0 }]),
          ),
        ],
      });
      const testAccuracy = (await distiller.evaluate(data.test)).accuracy;
      const validationAccuracy = history.at(-1)?.validation?.accuracy ?? 0;
      replaceTeacher(model, validationAccuracy, testAccuracy, data.test.size, `${choice.label}, trained here`);
      say(
        `teacher trained: ${(100 * testAccuracy).toFixed(1)} % on the test examples (backend ${tf.getBackend()}, ${tf.memory().numTensors} tensors held)`,
      );
    } catch (error) {
      model.dispose();
      throw error;
    } finally {
      distiller.dispose();
    }
  }),
);

element<HTMLInputElement>('teacher-files').addEventListener('change', (event) =>
  busy(async () => {
    const files = Array.from((event.target as HTMLInputElement).files ?? []);
    const json = files.find((file) => file.name.endsWith('.json'));
    if (json === undefined) throw new Error('teacher files: expected a model.json among the files chosen, with its weight files');
    const model = await tfl.loadLayersModel(tf.io.browserFiles([json, ...files.filter((file) => file !== json)]));
    const [inputShape, outputShape] = [model.inputs[0]?.shape, model.outputs[0]?.shape];
    if (inputShape?.slice(1).join(',') !== '28,28,1' || outputShape?.slice(1).join(',') !== '10') {
      model.dispose();
      throw new Error(
        `teacher ${json.name}: expected input [null, 28, 28, 1] and output [null, 10] (MNIST logits), got [${inputShape}] and [${outputShape}]`,
      );
    }
    const data = await examples();
    say('Measuring the teacher…');
    const validationAccuracy = await accuracyOf(model, 'teacher', data.validation);
    const testAccuracy = await accuracyOf(model, 'teacher', data.test);
    await charts.clear();
    replaceTeacher(model, validationAccuracy, testAccuracy, data.test.size, `${json.name}, loaded`);
    say(`teacher loaded: ${(100 * testAccuracy).toFixed(1)} % on the test examples`);
  }),
);

buttons.distil.addEventListener('click', () =>
  busy(async () => {
    if (teacher === undefined) throw new Error('train or load a teacher first');
    const data = await examples();
    const factory = factories.find((entry) => entry.key === element<HTMLSelectElement>('strategy').value) as StrategyFactory;
    const { model } = chosenModel('student', studentChoices);
    const ceWeight = numberOf('ce-weight');
    const distiller = createDistiller({
      teachers: [{ name: 'teacher', model: teacher.model }],
      student: { name: 'student', model },
      strategies: [
        { key: factory.key, weight: numberOf('strategy-weight'), options: readOptions() },
        ...(ceWeight > 0 ? [{ key: 'task.ce', weight: ceWeight }] : []),
      ],
      training: training(numberOf('student-epochs')),
      plugins: pagePlugins,
      backend: backendPreference(),
      logger: silent,
    });
    running = distiller;
    const teacherLine = teacher.validationAccuracy;
    await charts.clear();
    try {
      await distiller.fit(data.train, {
        validation: data.validation,
        diagnoseTeachers: false,
        callbacks: [
          progressCallback(`student (${factory.key})`, (metrics) =>
            charts.addAccuracy([
              { epoch: metrics.epoch + 1, model: 'teacher', accuracy: teacherLine },
              { epoch: metrics.epoch + 1, model: 'student', accuracy: metrics.validation?.accuracy ?? 0 },
            ]),
          ),
        ],
      });
      const testAccuracy = (await distiller.evaluate(data.test)).accuracy;
      student?.dispose();
      student = model;
      showAccuracy('student-accuracy', testAccuracy, data.test.size);
      showGap();
      say(
        `student distilled: ${(100 * testAccuracy).toFixed(1)} % on the test examples (backend ${tf.getBackend()}, ${tf.memory().numTensors} tensors held)`,
      );
    } catch (error) {
      model.dispose();
      throw error;
    } finally {
      distiller.dispose();
    }
    status.dataset.tensors = String(tf.memory().numTensors);
    status.dataset.done = String(Number(status.dataset.done ?? 0) + 1);
  }),
);

buttons.stop.addEventListener('click', () => running?.interrupt());

buttons.download.addEventListener('click', () =>
  busy(async () => {
    // Two downloads, model.json and model.weights.bin: what loadLayersModel (tfjs) and loadModel (@distillery/node) read.
    await student?.save('downloads://model');
    say('student downloaded: model.json and model.weights.bin');
  }),
);

const factories = strategyFactories().filter((factory) => factory.key !== 'task.ce');
let readOptions: () => Record<string, unknown> = () => ({});
const strategySelect = element<HTMLSelectElement>('strategy');
strategySelect.replaceChildren(...factories.map((factory) => new Option(factory.key, factory.key)));
strategySelect.value = 'response.kd';
const showStrategy = () => {
  const factory = factories.find((entry) => entry.key === strategySelect.value) as StrategyFactory;
  element('strategy-description').textContent =
    `${factory.description}${factory.paper === undefined ? '' : ` — ${factory.paper}`}`;
  readOptions = optionInputs(factory, element('strategy-options'));
};
strategySelect.addEventListener('change', showStrategy);
showStrategy();
fillModelSelect(element('teacher-model'), teacherChoices);
fillModelSelect(element('student-model'), studentChoices);

// Which backend "fastest available" lands on, before any training: webgpu, else webgl, else cpu, as the kernel's
// `backend: auto` orders them.
for (const name of ['webgpu', 'webgl', 'cpu']) {
  if (await tf.setBackend(name).catch(() => false)) break;
}
element('backend-name').textContent = `${tf.getBackend()} (fastest available; the backend menu overrides it)`;
say('Ready: train or load a teacher.');
status.dataset.ready = 'true';
