import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { evaluateEnsembleLogits, isForwardModel, type StageResult, type TeacherModel } from '@distillery/core';
import { fileTeacherOutputStores, saveModel, writeFileAtomic } from '@distillery/node';
import { directoryModelBytes } from './directoryModelBytes.js';
import { EvaluationLogits } from './EvaluationLogits.js';
import type { ExperimentJob } from './ExperimentJob.js';
import { latencyPerExample } from './latencyPerExample.js';
import type { PreparedExperiment } from './PreparedExperiment.js';
import type { ProgressReporter } from './ProgressReporter.js';
import type { RunInterruption } from './RunInterruption.js';
import type { ModelFacts, SeedOutcome } from './SeedOutcome.js';
import type { ModelRole } from './Summary.js';
import { stageNames } from './stageNames.js';
import { stageStoreFor } from './stageStoreFor.js';
import { teacherCacheDirectory } from './teacherCacheDirectory.js';
import { trainSeedStages } from './trainSeedStages.js';

/**
 * One seed's replicate of a prepared experiment, in this process: its stages (those already in the store are
 * reused), metrics lines as epochs end, every model scored on the test and validation sets, and seeds/<seed>.json.
 * A queue worker runs one per job; `runPrepared` runs every seed in turn.
 */
export async function runSeed(
  prepared: PreparedExperiment,
  job: ExperimentJob,
  progress: ProgressReporter,
  interruption?: RunInterruption,
): Promise<SeedOutcome> {
  const started = performance.now();
  const { config, data, directory } = prepared;
  const { seed } = job;
  const store = stageStoreFor(job);
  const results = await trainSeedStages(prepared, job, progress, interruption);
  try {
    const byStage = new Map(results.map((result) => [result.name, result]));
    const stageDirectory = (stage: string) => {
      const result = byStage.get(stage);
      return result === undefined ? undefined : store.stageDirectory(stage, result.fingerprint);
    };
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
        bytes: (await Promise.all(group.map((model) => bytesOf(model, name, seed, prepared, stageDirectory)))).reduce(
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
      worker: store.owner,
      wallSeconds: (performance.now() - started) / 1000,
      classes: data.numClasses,
      examples: { train: data.train.size, validation: data.validation.size, test: data.test.size },
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

/** A model's parameter count; NaN (null in summary.json) for a model only run forward that does not say. */
function parametersOf(model: TeacherModel): number {
  return isForwardModel(model) ? (model.parameterCount ?? Number.NaN) : model.countParams();
}

async function bytesOf(
  model: TeacherModel,
  name: string,
  seed: number,
  prepared: PreparedExperiment,
  /** A stage's folder in the store, when the run has the stage. */
  stageDirectoryOf: (stage: string) => string | undefined,
): Promise<number> {
  const teacher = name.startsWith('teacher:') ? name.slice('teacher:'.length) : undefined;
  if (name.startsWith('peer:')) {
    const studentDirectory = stageDirectoryOf(stageNames.student(seed));
    if (studentDirectory === undefined) return parametersOf(model) * 4;
    const peerDirectory = join(studentDirectory, 'peers', name.slice('peer:'.length));
    return directoryModelBytes(peerDirectory).catch(() => parametersOf(model) * 4);
  }
  const stage =
    teacher === undefined
      ? name === 'student'
        ? stageNames.student(seed)
        : stageNames.baseline(seed)
      : stageNames.teacher(seed, teacher);
  const stageDirectory = stageDirectoryOf(stage);
  if (
    stageDirectory !== undefined &&
    (await stat(stageDirectory).then(
      () => true,
      () => false,
    ))
  )
    return directoryModelBytes(stageDirectory);
  const configured = prepared.config.teachers.find((entry) => entry.name === teacher)?.model;
  if (configured?.type === 'file' || configured?.type === 'graph-model')
    return directoryModelBytes(dirname(resolve(prepared.baseDirectory, configured.path, 'model.json')));
  if (configured?.type === 'onnx') return (await stat(resolve(prepared.baseDirectory, configured.path))).size;
  return parametersOf(model) * 4;
}
