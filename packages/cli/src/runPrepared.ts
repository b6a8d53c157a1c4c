import { appendFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  type Distiller,
  DistilleryError,
  evaluateEnsembleLogits,
  isForwardModel,
  runStages,
  type StageResult,
  type TeacherModel,
} from '@distillery/core';
import { FileStageStore, fileTeacherOutputStores, saveModel, writeFileAtomic } from '@distillery/node';
import * as tf from '@tensorflow/tfjs-core';
import { stringify } from 'yaml';
import { directoryModelBytes } from './directoryModelBytes.js';
import { EvaluationLogits } from './EvaluationLogits.js';
import type { ExperimentJob } from './ExperimentJob.js';
import { experimentJobs } from './experimentJobs.js';
import { experimentStages } from './experimentStages.js';
import { gapClosedOf } from './gapClosedOf.js';
import { latencyPerExample } from './latencyPerExample.js';
import type { MetricsRecord } from './MetricsRecord.js';
import type { PreparedExperiment } from './PreparedExperiment.js';
import type { ProgressReporter } from './ProgressReporter.js';
import type { RunInterruption } from './RunInterruption.js';
import { renderReport } from './renderReport.js';
import type { ModelFacts, SeedOutcome } from './SeedOutcome.js';
import type { ModelRole, ModelSummary, Summary } from './Summary.js';
import { stageNames } from './stageNames.js';
import { statisticOf } from './statisticOf.js';
import { teacherCacheDirectory } from './teacherCacheDirectory.js';

/**
 * Runs a prepared experiment into its run directory: each seed as an {@link ExperimentJob} (the stages:
 * zoo teachers, the distilled student, the baseline; metrics.jsonl line by line; a checkpoint of the
 * model in training after every epoch; reusable stage outputs; seeds/<seed>.json with the test-set
 * evaluation), then summary.json, the student's model files and report.html from all seeds.
 */
export async function runPrepared(
  prepared: PreparedExperiment,
  progress: ProgressReporter,
  /** Where stage outputs are kept; sweeps share one so identical stages (teachers, baselines) train once. */
  stageRoot = prepared.directory,
  interruption?: RunInterruption,
): Promise<Summary> {
  const started = performance.now();
  await mkdir(prepared.directory, { recursive: true });
  await writeFile(join(prepared.directory, 'config.yaml'), stringify(prepared.config));
  await rm(join(prepared.directory, 'metrics.jsonl'), { force: true });
  const outcomes: SeedOutcome[] = [];
  for (const job of experimentJobs(prepared, stageRoot)) outcomes.push(await runSeed(prepared, job, progress, interruption));
  return summarizeRun(prepared, outcomes, (performance.now() - started) / 1000);
}

/** One seed's replicate, run in this process with a prepared experiment. */
export async function runSeed(
  prepared: PreparedExperiment,
  job: ExperimentJob,
  progress: ProgressReporter,
  interruption?: RunInterruption,
): Promise<SeedOutcome> {
  const { config, data, directory } = prepared;
  const { seed } = job;
  const metricsPath = join(directory, 'metrics.jsonl');
  const logger = { info: (line: string) => progress.line(line), warn: (line: string) => progress.warning(line) };
  let current: { stage: string; model: string; distiller: Distiller } | undefined;
  const results = await runStages(
    {
      stages: experimentStages(config, seed, data, prepared.fileTeachers, prepared.pretrainings),
      plugins: [...prepared.plugins],
      backend: config.backend,
      logger,
      store: new FileStageStore(job.stageRoot),
      teacherOutputStores: fileTeacherOutputStores(teacherCacheDirectory(prepared, job.stageRoot)),
    },
    { train: data.train, validation: data.validation, id: data.id },
    {
      checkpointEverySteps: config.checkpointEverySteps,
      onStageBegin: (stage, distiller) => {
        current = { stage, model: modelOf(stage, seed), distiller };
        interruption?.attach(distiller);
        distiller.on('trainBegin', ({ epochs, stepsPerEpoch }) => progress.stageBegin(stage, epochs * stepsPerEpoch));
        distiller.on('batchEnd', (event) => progress.step(event));
      },
      callbacks: [
        {
          // A stage continued from its checkpoint logs the epochs it had finished before (metrics.jsonl
          // is rewritten by each run).
          onTrainBegin: async ({ resumedFrom }) => {
            if (current === undefined || resumedFrom === undefined) return;
            const stage = current;
            const lines = resumedFrom.history.map((metrics) =>
              JSON.stringify({ seed, stage: stage.stage, model: stage.model, ...metrics }),
            );
            if (lines.length > 0) await appendFile(metricsPath, `${lines.join('\n')}\n`);
          },
          onEpochEnd: async ({ metrics }) => {
            if (current === undefined) return;
            const record: MetricsRecord = { seed, stage: current.stage, model: current.model, ...metrics };
            await appendFile(metricsPath, `${JSON.stringify(record)}\n`);
            await saveModel(current.distiller.student.model, join(directory, 'checkpoints', current.stage));
          },
        },
      ],
      onStageEnd: (result) => {
        interruption?.detach();
        progress.stageEnd(result);
      },
    },
  );
  try {
    const byStage = new Map(results.map((result) => [result.name, result]));
    const models = new Map<string, TeacherModel>();
    for (const teacher of config.teachers) {
      const stage = byStage.get(stageNames.teacher(seed, teacher.name));
      models.set(`teacher:${teacher.name}`, stage?.model ?? (prepared.fileTeachers.get(teacher.name) as TeacherModel));
    }
    const student = byStage.get(stageNames.student(seed)) as StageResult;
    models.set('student', student.model);
    for (const peer of student.peers ?? []) models.set(`peer:${peer.name}`, peer.model);
    const baseline = byStage.get(stageNames.baseline(seed));
    if (baseline !== undefined) models.set('baseline', baseline.model);

    const teacherModels = config.teachers.map((teacher) => models.get(`teacher:${teacher.name}`) as TeacherModel);
    const members = new Map<string, readonly TeacherModel[]>([...models].map(([name, model]) => [name, [model]]));
    if (teacherModels.length >= 2) members.set('ensemble', teacherModels);
    const accuracy: Record<string, number> = {};
    const validationAccuracy: Record<string, number> = {};
    const facts: Record<string, ModelFacts> = {};
    // Teachers are frozen: their logits are kept for the study's other runs (evaluated the same way).
    const logits = new EvaluationLogits(fileTeacherOutputStores(teacherCacheDirectory(prepared, job.stageRoot)));
    const evaluateOn = async (group: readonly TeacherModel[], set: typeof data.test) =>
      evaluateEnsembleLogits(await Promise.all(group.map((model) => logits.of(model, set, teacherModels.includes(model)))))
        .accuracy;
    for (const [name, group] of members) {
      accuracy[name] = await evaluateOn(group, data.test);
      validationAccuracy[name] = await evaluateOn(group, data.validation);
      facts[name] = {
        role: roleOf(name),
        parameters: group.reduce((total, model) => total + parametersOf(model), 0),
        bytes: (await Promise.all(group.map((model) => bytesOf(model, name, seed, prepared, job.stageRoot)))).reduce(
          (a, b) => a + b,
          0,
        ),
        latencyMsPerExample: await latencyPerExample(group, data.test),
      };
    }
    if (seed === config.seeds[0]) {
      await saveModel(student.model, join(directory, 'student'));
      for (const peer of student.peers ?? []) await saveModel(peer.model, join(directory, 'peers', peer.name));
    }
    const outcome: SeedOutcome = {
      seed,
      accuracy,
      validationAccuracy,
      facts,
      ...(student.diagnostics === undefined ? {} : { diagnostics: student.diagnostics }),
    };
    await writeFileAtomic(join(directory, 'seeds', `${seed}.json`), `${JSON.stringify(outcome, null, 2)}\n`);
    return outcome;
  } finally {
    // A pretraining stage hands back the teacher it held fixed: free each model once, and the run's file teachers never.
    const kept = new Set(prepared.fileTeachers.values());
    const trained = new Set(results.flatMap((result) => [result.model, ...(result.peers ?? []).map((peer) => peer.model)]));
    for (const model of trained) if (!kept.has(model)) model.dispose();
  }
}

function roleOf(name: string): ModelRole {
  if (name.startsWith('teacher:')) return 'teacher';
  if (name.startsWith('peer:')) return 'peer';
  return name as ModelRole;
}

/**
 * summary.json and report.html from every seed's outcome. Model facts (parameters, size, latency) are
 * the first seed's; accuracies are mean and sample std over seeds; the gain is paired by seed.
 */
export async function summarizeRun(
  prepared: PreparedExperiment,
  outcomes: readonly SeedOutcome[],
  wallSeconds: number,
): Promise<Summary> {
  const { config, data, directory } = prepared;
  const first = outcomes[0];
  if (first === undefined) throw new DistilleryError(`${directory}: no seed has finished`);
  const names = Object.keys(first.facts).sort((a, b) => order(a) - order(b));
  const models: Record<string, ModelSummary> = {};
  for (const name of names) {
    models[name] = {
      ...(first.facts[name] as ModelFacts),
      accuracy: statisticOf(outcomes.map((outcome) => outcome.accuracy[name] as number)),
      validationAccuracy: statisticOf(outcomes.map((outcome) => outcome.validationAccuracy[name] as number)),
    };
  }
  const gain = config.baseline
    ? statisticOf(outcomes.map((outcome) => (outcome.accuracy.student as number) - (outcome.accuracy.baseline as number)))
    : undefined;
  const gapClosed = gapClosedOf(models, gain);
  const diagnostics = Object.fromEntries(
    outcomes.flatMap((outcome) => (outcome.diagnostics === undefined ? [] : [[String(outcome.seed), outcome.diagnostics]])),
  );
  const summary: Summary = {
    name: prepared.name,
    ...(config.description === undefined ? {} : { description: config.description }),
    backend: tf.getBackend(),
    seeds: outcomes.map((outcome) => outcome.seed),
    classes: data.numClasses,
    examples: { train: data.train.size, validation: data.validation.size, test: data.test.size },
    models,
    ...(gain === undefined ? {} : { gain }),
    ...(gapClosed === undefined ? {} : { gapClosed }),
    ...(Object.keys(diagnostics).length === 0 ? {} : { teacherDiagnostics: diagnostics }),
    wallSeconds,
  };
  const records = (await readFile(join(directory, 'metrics.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as MetricsRecord);
  await writeFileAtomic(join(directory, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFileAtomic(join(directory, 'report.html'), await renderReport(summary, records));
  return summary;
}

function modelOf(stage: string, seed: number): string {
  if (stage === stageNames.student(seed)) return 'student';
  if (stage.startsWith(stageNames.pretraining(seed, '')))
    return `pretraining:${stage.slice(stageNames.pretraining(seed, '').length)}`;
  if (stage === stageNames.baseline(seed)) return 'baseline';
  return `teacher:${stage.slice(stageNames.teacher(seed, '').length)}`;
}

function order(name: string): number {
  if (name.startsWith('teacher:')) return 0;
  if (name.startsWith('peer:')) return 4;
  return { ensemble: 1, baseline: 2, student: 3 }[name] ?? 5;
}

/** A model's parameter count; NaN (null in summary.json) for a model only run forward that does not say. */
function parametersOf(model: TeacherModel): number {
  return isForwardModel(model) ? (model.parameterCount ?? Number.NaN) : model.countParams();
}

async function bytesOf(
  model: TeacherModel,
  name: string,
  seed: number,
  prepared: PreparedExperiment,
  stageRoot: string,
): Promise<number> {
  const teacher = name.startsWith('teacher:') ? name.slice('teacher:'.length) : undefined;
  if (name.startsWith('peer:')) {
    const peerDirectory = join(stageRoot, 'stages', stageNames.student(seed), 'peers', name.slice('peer:'.length));
    return directoryModelBytes(peerDirectory).catch(() => parametersOf(model) * 4);
  }
  const stage =
    teacher === undefined
      ? name === 'student'
        ? stageNames.student(seed)
        : stageNames.baseline(seed)
      : stageNames.teacher(seed, teacher);
  const stageDirectory = join(stageRoot, 'stages', stage);
  if (
    await stat(stageDirectory).then(
      () => true,
      () => false,
    )
  )
    return directoryModelBytes(stageDirectory);
  const configured = prepared.config.teachers.find((entry) => entry.name === teacher)?.model;
  if (configured?.type === 'file' || configured?.type === 'graph-model')
    return directoryModelBytes(dirname(resolve(prepared.baseDirectory, configured.path, 'model.json')));
  if (configured?.type === 'onnx') return (await stat(resolve(prepared.baseDirectory, configured.path))).size;
  return parametersOf(model) * 4;
}
