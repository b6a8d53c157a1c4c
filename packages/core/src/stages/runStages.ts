import type * as tfl from '@tensorflow/tfjs-layers';
import { createDistiller } from '../composition/createDistiller.js';
import type { Dataset } from '../data/Dataset.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import { modelFingerprint } from '../models/modelFingerprint.js';
import type { TeacherModel } from '../models/TeacherModel.js';
import { teacherFingerprint } from '../models/teacherFingerprint.js';
import type { TrainingState } from '../state/TrainingState.js';
import { sha256Hex } from '../teachers/sha256Hex.js';
import type { Callback } from '../training/Callback.js';
import type { Distiller } from '../training/Distiller.js';
import type { EpochMetrics } from '../training/EpochMetrics.js';
import { TrainingInterrupted } from '../training/TrainingInterrupted.js';
import type { StagedExperimentSpec } from './StagedExperimentSpec.js';
import type { StageResult } from './StageResult.js';
import { startFromStrategyWeights } from './startFromStrategyWeights.js';
import { strategyWeightsOf } from './strategyWeightsOf.js';

export interface StageData {
  readonly train: Dataset;
  readonly validation?: Dataset;
  /** Identifies the data in stage fingerprints (a dataset name and version); reuse requires it to match. */
  readonly id?: string;
}

export interface RunStagesOptions {
  readonly callbacks?: readonly Callback[];
  /** Called with each stage's Distiller before it trains, e.g. to attach event listeners. */
  readonly onStageBegin?: (stage: string, distiller: Distiller) => void;
  readonly onStageEnd?: (result: StageResult) => void | Promise<void>;
  /**
   * With a store that keeps checkpoints: also keep the training state every this many optimizer steps
   * (it is always kept after each epoch and on an interruption). An interrupted stage continues from
   * its latest checkpoint when its fingerprint still matches.
   */
  readonly checkpointEverySteps?: number;
}

/**
 * Runs a staged experiment: each stage is an experiment of its own (its own container, optimizer and
 * strategies) whose teachers, or student, may be what earlier stages trained. With a store, a stage
 * whose fingerprint (stage config, the models it starts from, its teachers, the data id) matches a
 * saved one is loaded instead of trained.
 */
export async function runStages(
  spec: StagedExperimentSpec,
  data: StageData,
  options: RunStagesOptions = {},
): Promise<StageResult[]> {
  validateStageReferences(spec);
  // Only these stages keep their strategy variables: a CRD stage's memory banks are tens of MiB nobody reads again.
  const handedOn = new Set(
    spec.stages.flatMap((stage) => (stage.strategyWeightsFrom === undefined ? [] : [stage.strategyWeightsFrom])),
  );
  const results = new Map<string, StageResult>();
  const completed: StageResult[] = [];
  // Models this run built or loaded; on failure they are freed, since no caller can reach them.
  const owned = new Set<tfl.LayersModel>();
  try {
    for (const [index, stage] of spec.stages.entries()) {
      const path = `stages[${index}]`;
      const teachers = (stage.teachers ?? []).map((teacher) =>
        'stage' in teacher
          ? { name: teacher.name, model: (results.get(teacher.stage) as StageResult).model }
          : { name: teacher.name, model: teacher.model },
      );
      const continued = 'stage' in stage.student ? (results.get(stage.student.stage) as StageResult) : undefined;
      const studentModel: tfl.LayersModel =
        continued?.model ??
        ('model' in stage.student
          ? typeof stage.student.model === 'function'
            ? own(stage.student.model())
            : stage.student.model
          : undefined) ??
        (() => {
          throw new DistilleryError(`${path}.student: expected a model, a function that builds one, or { stage }`);
        })();

      const peers = (stage.peers ?? []).map(({ name, model }) => ({
        name,
        model: typeof model === 'function' ? own(model()) : model,
      }));

      const frozen = stage.student.trainable === false;
      const weightsSource = stage.strategyWeightsFrom === undefined ? undefined : results.get(stage.strategyWeightsFrom);
      const fingerprint = await sha256Hex(
        JSON.stringify({
          name: stage.name,
          strategies: stage.strategies,
          // Present only when used, so that the fingerprints of stages without them stay what they were.
          ...(frozen ? { frozenStudent: true } : {}),
          // A stored copy made when no later stage needed its strategy weights lacks them, so it is not reused.
          ...(handedOn.has(stage.name) ? { keepsStrategyWeights: true } : {}),
          ...(weightsSource === undefined ? {} : { strategyWeightsFrom: weightsSource.fingerprint }),
          training: stage.training ?? {},
          data: data.id ?? null,
          train: stage.train === undefined ? null : (stage.train.id ?? `unidentified ${stage.train.size}`),
          student: continued?.fingerprint ?? (await modelFingerprint(studentModel)),
          // Present only with peers, so that the fingerprints of stages without them stay what they were.
          ...(peers.length === 0
            ? {}
            : {
                peers: await Promise.all(peers.map(async ({ name, model }) => ({ name, model: await modelFingerprint(model) }))),
              }),
          teachers: await Promise.all(
            (stage.teachers ?? []).map(async (teacher, k) =>
              'stage' in teacher
                ? (results.get(teacher.stage) as StageResult).fingerprint
                : teacherFingerprint((teachers[k] as { model: TeacherModel }).model),
            ),
          ),
        }),
      );

      // Held from the look-up to the save, so that a process sharing the store waits and then reuses this result.
      const lease = await spec.store?.lease?.(stage.name, fingerprint, (holder) =>
        spec.logger?.info(`stage ${stage.name}: ${holder} is training it; waiting to use its result`),
      );
      let result: StageResult;
      try {
        const stored = await spec.store?.load(stage.name, fingerprint);
        if (stored !== undefined) {
          if (stored.model !== studentModel && continued === undefined && owned.delete(studentModel)) studentModel.dispose();
          for (const { model } of peers) if (owned.delete(model)) model.dispose();
          owned.add(stored.model);
          for (const { model } of stored.peers ?? []) owned.add(model);
          result = {
            ...stored.result,
            model: stored.model,
            ...(stored.peers === undefined || stored.peers.length === 0 ? {} : { peers: stored.peers }),
            reused: true,
          };
        } else {
          // A model an earlier stage used as a teacher was frozen there; as a student it trains again.
          if (!frozen) studentModel.trainable = true;
          for (const { model } of peers) model.trainable = true;
          const distiller = createDistiller({
            teachers,
            student: { name: stage.student.name ?? 'student', model: studentModel, trainable: !frozen },
            ...(peers.length === 0 ? {} : { peers }),
            strategies: stage.strategies,
            ...(stage.training === undefined ? {} : { training: stage.training }),
            ...(spec.plugins === undefined ? {} : { plugins: spec.plugins }),
            ...(spec.backend === undefined ? {} : { backend: spec.backend }),
            ...(spec.logger === undefined ? {} : { logger: spec.logger }),
            ...(spec.teacherOutputStores === undefined ? {} : { teacherOutputStores: spec.teacherOutputStores }),
          });
          if (weightsSource !== undefined) {
            const field = `${path}.strategyWeightsFrom`;
            const source = weightsSource.name;
            try {
              const names = startFromStrategyWeights(distiller, weightsSource.strategyWeights ?? {}, field, source);
              spec.logger?.info(
                `stage ${stage.name}: ${names.length} strategy variables from stage ${source} (${names.join(', ')})`,
              );
            } catch (error) {
              distiller.dispose();
              throw error;
            }
          }
          options.onStageBegin?.(stage.name, distiller);
          const store = spec.store;
          const resume = await store?.loadCheckpoint?.(stage.name, fingerprint);
          await lease?.training(resume === undefined ? undefined : { epoch: resume.epoch, batch: resume.batch });
          if (resume !== undefined) {
            spec.logger?.info(
              `stage ${stage.name}: continuing from its checkpoint at epoch ${resume.epoch}, batch ${resume.batch}`,
            );
          }
          let history: EpochMetrics[];
          try {
            history = await distiller.fit(stage.train ?? data.train, {
              ...(data.validation === undefined ? {} : { validation: data.validation }),
              ...(options.callbacks === undefined ? {} : { callbacks: options.callbacks }),
              ...(resume === undefined ? {} : { resume }),
              ...(store?.saveCheckpoint === undefined
                ? {}
                : {
                    checkpoint: {
                      everySteps: options.checkpointEverySteps ?? 0,
                      save: (state: TrainingState) => store.saveCheckpoint?.(stage.name, fingerprint, state) ?? Promise.resolve(),
                    },
                  }),
            });
          } catch (error) {
            distiller.dispose();
            throw withStageName(stage.name, error);
          }
          const evaluation = data.validation === undefined ? undefined : await distiller.evaluate(data.validation);
          const strategyWeights = handedOn.has(stage.name) ? await strategyWeightsOf(distiller) : {};
          result = {
            name: stage.name,
            model: studentModel,
            ...(peers.length === 0 ? {} : { peers }),
            ...(Object.keys(strategyWeights).length === 0 ? {} : { strategyWeights }),
            history,
            fingerprint,
            reused: false,
            ...(evaluation === undefined ? {} : { evaluation }),
            ...(distiller.diagnostics === undefined ? {} : { diagnostics: distiller.diagnostics }),
          };
          distiller.dispose();
          lease?.assertHeld();
          await spec.store?.save(result);
          await spec.store?.removeCheckpoint?.(stage.name, fingerprint);
        }
      } finally {
        await lease?.release();
      }
      results.set(stage.name, result);
      completed.push(result);
      await options.onStageEnd?.(result);
    }
  } catch (error) {
    for (const model of owned) model.dispose();
    throw error;
  }
  return completed;

  function own(model: tfl.LayersModel): tfl.LayersModel {
    owned.add(model);
    return model;
  }
}

/** Every `{ stage }` reference must name an earlier stage; names must be unique. */
function validateStageReferences(spec: StagedExperimentSpec): void {
  if (spec.stages.length === 0) throw new DistilleryError('stages: expected at least one stage', 'stages');
  const earlier: string[] = [];
  spec.stages.forEach((stage, index) => {
    const path = `stages[${index}]`;
    if (earlier.includes(stage.name)) {
      throw new DistilleryError(`${path}.name: stage name '${stage.name}' is used twice`, `${path}.name`);
    }
    const check = (reference: string, field: string) => {
      if (!earlier.includes(reference)) {
        throw new DistilleryError(
          `${field}: no earlier stage named '${reference}'; earlier stages: ${earlier.join(', ') || 'none'}`,
          field,
        );
      }
    };
    (stage.teachers ?? []).forEach((teacher, k) => {
      if ('stage' in teacher) check(teacher.stage, `${path}.teachers[${k}].stage`);
    });
    if ('stage' in stage.student) check(stage.student.stage, `${path}.student.stage`);
    if (stage.strategyWeightsFrom !== undefined) check(stage.strategyWeightsFrom, `${path}.strategyWeightsFrom`);
    earlier.push(stage.name);
  });
}

/** The error with the stage named first, for the user errors and interruptions a stage's training raises. */
function withStageName(stage: string, error: unknown): unknown {
  if (error instanceof DistilleryError) return new DistilleryError(`stage ${stage}: ${error.message}`, error.field);
  if (error instanceof TrainingInterrupted) return new TrainingInterrupted(`stage ${stage}: ${error.message}`);
  return error;
}
