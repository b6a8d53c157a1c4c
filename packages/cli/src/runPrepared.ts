import { appendFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type Distiller, evaluateEnsemble, runStages, type StageResult, type TeacherDiagnostics } from '@distillery/core';
import { FileStageStore, saveModel, writeFileAtomic } from '@distillery/node';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { stringify } from 'yaml';
import { directoryModelBytes } from './directoryModelBytes.js';
import { experimentStages } from './experimentStages.js';
import { latencyPerExample } from './latencyPerExample.js';
import type { MetricsRecord } from './MetricsRecord.js';
import type { PreparedExperiment } from './PreparedExperiment.js';
import type { ProgressReporter } from './ProgressReporter.js';
import { renderReport } from './renderReport.js';
import type { ModelRole, ModelSummary, Summary } from './Summary.js';
import { stageNames } from './stageNames.js';
import { statisticOf } from './statisticOf.js';

interface SeedOutcome {
  readonly accuracy: Record<string, number>;
  readonly validationAccuracy: Record<string, number>;
  readonly diagnostics?: TeacherDiagnostics;
}

interface ModelFacts {
  readonly role: ModelRole;
  readonly parameters: number;
  readonly bytes: number;
  readonly latencyMsPerExample: number;
}

/**
 * Runs a prepared experiment into its run directory: for each seed the stages (zoo teachers, the
 * distilled student, the baseline), metrics.jsonl line by line, a checkpoint of the model in training
 * after every epoch, the stage outputs (reused by a later run of the same config), then the test-set
 * evaluation, summary.json, the student's model files and report.html.
 */
export async function runPrepared(prepared: PreparedExperiment, progress: ProgressReporter): Promise<Summary> {
  const { config, data, directory } = prepared;
  const started = performance.now();
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'config.yaml'), stringify(config));
  const metricsPath = join(directory, 'metrics.jsonl');
  await rm(metricsPath, { force: true });
  const store = new FileStageStore(directory);
  const records: MetricsRecord[] = [];
  const outcomes: SeedOutcome[] = [];
  const facts = new Map<string, ModelFacts>();
  const diagnostics: Record<string, TeacherDiagnostics> = {};
  const logger = { info: (line: string) => progress.line(line), warn: (line: string) => progress.warning(line) };

  for (const seed of config.seeds) {
    let current: { stage: string; model: string; distiller: Distiller } | undefined;
    const results = await runStages(
      {
        stages: experimentStages(config, seed, data, prepared.fileTeachers),
        plugins: [...prepared.plugins],
        backend: config.backend,
        logger,
        store,
      },
      { train: data.train, validation: data.validation, id: data.id },
      {
        onStageBegin: (stage, distiller) => {
          current = { stage, model: modelOf(stage, seed), distiller };
          distiller.on('trainBegin', ({ epochs, stepsPerEpoch }) => progress.stageBegin(stage, epochs * stepsPerEpoch));
          distiller.on('batchEnd', ({ epoch, total }) => progress.step(epoch, total));
        },
        callbacks: [
          {
            onEpochEnd: async ({ metrics }) => {
              if (current === undefined) return;
              const record: MetricsRecord = { seed, stage: current.stage, model: current.model, ...metrics };
              records.push(record);
              await appendFile(metricsPath, `${JSON.stringify(record)}\n`);
              await saveModel(current.distiller.student.model, join(directory, 'checkpoints', current.stage));
            },
          },
        ],
        onStageEnd: (result) => progress.stageEnd(result),
      },
    );
    const byStage = new Map(results.map((result) => [result.name, result]));
    const models = new Map<string, tfl.LayersModel>();
    const validationAccuracy: Record<string, number> = {};
    for (const teacher of config.teachers) {
      const stage = byStage.get(stageNames.teacher(seed, teacher.name));
      models.set(`teacher:${teacher.name}`, stage?.model ?? (prepared.fileTeachers.get(teacher.name) as tfl.LayersModel));
    }
    const student = byStage.get(stageNames.student(seed)) as StageResult;
    models.set('student', student.model);
    const baseline = byStage.get(stageNames.baseline(seed));
    if (baseline !== undefined) models.set('baseline', baseline.model);
    if (student.diagnostics !== undefined) diagnostics[String(seed)] = student.diagnostics;

    const teacherModels = config.teachers.map((teacher) => models.get(`teacher:${teacher.name}`) as tfl.LayersModel);
    const members = new Map<string, readonly tfl.LayersModel[]>([...models].map(([name, model]) => [name, [model]]));
    if (teacherModels.length >= 2) members.set('ensemble', teacherModels);
    const accuracy: Record<string, number> = {};
    for (const [name, group] of members) {
      accuracy[name] = (await evaluateEnsemble(group, data.test)).accuracy;
      validationAccuracy[name] = (await evaluateEnsemble(group, data.validation)).accuracy;
    }
    outcomes.push({
      accuracy,
      validationAccuracy,
      ...(student.diagnostics === undefined ? {} : { diagnostics: student.diagnostics }),
    });

    if (seed === config.seeds[0]) {
      await saveModel(student.model, join(directory, 'student'));
      for (const [name, group] of members) {
        facts.set(name, {
          role: name === 'ensemble' ? 'ensemble' : name.startsWith('teacher:') ? 'teacher' : (name as ModelRole),
          parameters: group.reduce((total, model) => total + model.countParams(), 0),
          bytes: (await Promise.all(group.map((model) => bytesOf(model, name, seed, prepared, directory)))).reduce(
            (a, b) => a + b,
            0,
          ),
          latencyMsPerExample: await latencyPerExample(group, data.test),
        });
      }
    }
    for (const result of results) result.model.dispose();
  }

  const names = [...facts.keys()].sort((a, b) => order(a) - order(b));
  const models: Record<string, ModelSummary> = {};
  for (const name of names) {
    models[name] = {
      ...(facts.get(name) as ModelFacts),
      accuracy: statisticOf(outcomes.map((outcome) => outcome.accuracy[name] as number)),
      validationAccuracy: statisticOf(outcomes.map((outcome) => outcome.validationAccuracy[name] as number)),
    };
  }
  const summary: Summary = {
    name: prepared.name,
    ...(config.description === undefined ? {} : { description: config.description }),
    backend: tf.getBackend(),
    seeds: config.seeds,
    classes: data.numClasses,
    examples: { train: data.train.size, validation: data.validation.size, test: data.test.size },
    models,
    ...(config.baseline
      ? {
          gain: statisticOf(
            outcomes.map((outcome) => (outcome.accuracy.student as number) - (outcome.accuracy.baseline as number)),
          ),
        }
      : {}),
    ...(Object.keys(diagnostics).length === 0 ? {} : { teacherDiagnostics: diagnostics }),
    wallSeconds: (performance.now() - started) / 1000,
  };
  await writeFileAtomic(join(directory, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFileAtomic(join(directory, 'report.html'), await renderReport(summary, records));
  return summary;
}

function modelOf(stage: string, seed: number): string {
  if (stage === stageNames.student(seed)) return 'student';
  if (stage === stageNames.baseline(seed)) return 'baseline';
  return `teacher:${stage.slice(stageNames.teacher(seed, '').length)}`;
}

function order(name: string): number {
  if (name.startsWith('teacher:')) return 0;
  return { ensemble: 1, baseline: 2, student: 3 }[name] ?? 4;
}

async function bytesOf(
  model: tfl.LayersModel,
  name: string,
  seed: number,
  prepared: PreparedExperiment,
  directory: string,
): Promise<number> {
  const teacher = name.startsWith('teacher:') ? name.slice('teacher:'.length) : undefined;
  const stage =
    teacher === undefined
      ? name === 'student'
        ? stageNames.student(seed)
        : stageNames.baseline(seed)
      : stageNames.teacher(seed, teacher);
  const stageDirectory = join(directory, 'stages', stage);
  if (
    await stat(stageDirectory).then(
      () => true,
      () => false,
    )
  )
    return directoryModelBytes(stageDirectory);
  const configured = prepared.config.teachers.find((entry) => entry.name === teacher)?.model;
  if (configured?.type === 'file')
    return directoryModelBytes(dirname(resolve(prepared.baseDirectory, configured.path, 'model.json')));
  return model.countParams() * 4;
}
