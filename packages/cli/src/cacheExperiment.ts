import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createDistiller, DistilleryError, runStages, type StageResult } from '@distillery/core';
import { FileStageStore, fileTeacherOutputStores } from '@distillery/node';
import type * as tfl from '@tensorflow/tfjs-layers';
import { experimentJobs } from './experimentJobs.js';
import { experimentStages } from './experimentStages.js';
import type { ProgressReporter } from './ProgressReporter.js';
import { prepareExperiment } from './prepareExperiment.js';
import { readExperimentConfig } from './readExperimentConfig.js';
import { stageNames } from './stageNames.js';
import { teacherCacheDirectory } from './teacherCacheDirectory.js';

export interface CacheOutcome {
  readonly directory: string;
  /** Per seed, where its student stage's teacher outputs were cached, or null when no cache applies. */
  readonly caches: readonly { readonly seed: number; readonly location: string | null }[];
}

/**
 * `distillery cache <config>`: computes, ahead of the run, every seed's teacher outputs on the student's
 * training data into the run directory (teacher-cache/), training the zoo teachers first (their stages
 * are kept, so the run reuses them). `distillery run` then finds each cache complete and starts
 * distilling without a teacher forward pass. Teachers are read back from the stage store, as the run
 * will read them, so the cache's key (which includes the teachers' weights) is the one the run computes.
 */
export async function cacheExperiment(configPath: string, options: { progress: ProgressReporter }): Promise<CacheOutcome> {
  const { progress } = options;
  const { config, name, directory } = await readExperimentConfig(configPath);
  const finished = await stat(join(directory, 'summary.json')).then(
    () => true,
    () => false,
  );
  if (finished) {
    throw new DistilleryError(`${directory} holds a finished run; a cache is filled before a run, not after one`);
  }
  const prepared = await prepareExperiment(config, dirname(resolve(configPath)), name);
  await mkdir(directory, { recursive: true });
  const logger = { info: (line: string) => progress.line(line), warn: (line: string) => progress.warning(line) };
  const caches: { seed: number; location: string | null }[] = [];
  for (const job of experimentJobs(prepared)) {
    const stages = experimentStages(config, job.seed, prepared.data, prepared.fileTeachers);
    const studentStage = stages.find((stage) => stage.name === stageNames.student(job.seed));
    if (studentStage === undefined) throw new DistilleryError(`seed ${job.seed}: the config has no student stage`);
    const store = new FileStageStore(job.stageRoot);
    const teacherStageNames = new Set(
      (studentStage.teachers ?? []).flatMap((teacher) => ('stage' in teacher ? [teacher.stage] : [])),
    );
    const trained = await runStages(
      {
        stages: stages.filter((stage) => teacherStageNames.has(stage.name)),
        plugins: [...prepared.plugins],
        backend: config.backend,
        logger,
        store,
      },
      { train: prepared.data.train, validation: prepared.data.validation, id: prepared.data.id },
      {
        onStageBegin: (stage, distiller) =>
          distiller.on('trainBegin', ({ epochs, stepsPerEpoch }) => progress.stageBegin(stage, epochs * stepsPerEpoch)),
        onStageEnd: (result) => progress.stageEnd(result),
      },
    );
    const owned: tfl.LayersModel[] = trained.map((result) => result.model);
    try {
      const teachers = await Promise.all(
        (studentStage.teachers ?? []).map(async (teacher) => {
          if (!('stage' in teacher)) return { name: teacher.name, model: teacher.model };
          const result = trained.find((candidate) => candidate.name === teacher.stage) as StageResult;
          const saved = await store.load(result.name, result.fingerprint);
          if (saved === undefined) throw new DistilleryError(`stage ${result.name}: its saved model cannot be read back`);
          owned.push(saved.model);
          return { name: teacher.name, model: saved.model };
        }),
      );
      const studentModel = 'model' in studentStage.student ? studentStage.student.model : undefined;
      const student = typeof studentModel === 'function' ? studentModel() : studentModel;
      if (student === undefined) throw new DistilleryError(`seed ${job.seed}: the student stage has no model to build`);
      if (typeof studentModel === 'function') owned.push(student);
      const distiller = createDistiller({
        teachers,
        student: { name: studentStage.student.name ?? 'student', model: student },
        strategies: studentStage.strategies,
        ...(studentStage.training === undefined ? {} : { training: studentStage.training }),
        plugins: [...prepared.plugins],
        backend: config.backend,
        logger,
        teacherOutputStores: fileTeacherOutputStores(teacherCacheDirectory(prepared, job.stageRoot)),
      });
      try {
        const location = await distiller.cacheTeacherOutputs(studentStage.train ?? prepared.data.train);
        caches.push({ seed: job.seed, location: location ?? null });
      } finally {
        distiller.dispose();
      }
    } finally {
      for (const model of new Set(owned)) model.dispose();
    }
  }
  return { directory, caches };
}
