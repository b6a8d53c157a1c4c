import {
  type Dataset,
  DistilleryError,
  evaluateEnsemble,
  type RunStagesOptions,
  runStages,
  type StageData,
  type StageResult,
} from '@distillery/core';
import { responsePlugin } from '@distillery/plugin-response';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BornAgainResult } from './BornAgainResult.js';
import { bornAgainStages } from './bornAgainStages.js';
import type { RunBornAgainOptions } from './RunBornAgainOptions.js';
import { selectGenerations } from './selectGenerations.js';
import { selfDistillationPlugin } from './selfDistillationPlugin.js';

/**
 * Trains born-again networks (Furlanello et al. 2018, "Born-Again Neural Networks"): the stages of
 * {@link bornAgainStages}, run with core's `runStages` and `selfDistillationPlugin` (which binds `response.kd`), then
 * the born-again ensemble (BANE, the mean of the generations' softmax outputs) on `data.validation`, where `runStages`
 * also evaluates each generation. Options are checked before anything trains. If the run fails, every model it built
 * is disposed.
 */
export async function runBornAgain(
  options: RunBornAgainOptions,
  data: StageData & { readonly validation: Dataset },
  runOptions: RunStagesOptions = {},
): Promise<BornAgainResult> {
  const { plugins = [], backend, logger, store, ensembleGenerations, ...bornAgain } = options;
  if (data?.validation === undefined) {
    throw new DistilleryError(
      'data.validation: runBornAgain evaluates every generation and their ensemble on a validation set; give one',
      'data.validation',
    );
  }
  // The models this run owns until it returns them: built by a stage, or loaded from the store.
  const owned = new Set<tfl.LayersModel>();
  const buildStudent = bornAgain.buildStudent;
  const stages = bornAgainStages({
    ...bornAgain,
    buildStudent:
      typeof buildStudent === 'function'
        ? (generation) => {
            const model = buildStudent(generation);
            if (model instanceof tfl.LayersModel) owned.add(model);
            return model;
          }
        : buildStudent,
  });
  const members = selectGenerations(ensembleGenerations, stages.length, 'ensembleGenerations');

  let generations: StageResult[];
  try {
    generations = await runStages(
      {
        stages,
        // selfDistillationPlugin binds responsePlugin's strategies itself: both loaded would bind response.kd twice.
        plugins: [...new Set([selfDistillationPlugin, ...plugins.filter((plugin) => plugin !== responsePlugin)])],
        ...(backend === undefined ? {} : { backend }),
        ...(logger === undefined ? {} : { logger }),
        ...(store === undefined ? {} : { store }),
      },
      data,
      {
        ...runOptions,
        onStageEnd: async (result) => {
          owned.add(result.model);
          await runOptions.onStageEnd?.(result);
        },
      },
    );
    const evaluation = await evaluateEnsemble(
      members.map((k) => (generations[k] as StageResult).model),
      data.validation,
    );
    return { generations, ensemble: { ...evaluation, generations: members } };
  } catch (error) {
    for (const model of owned) {
      try {
        model.dispose();
      } catch {
        // runStages already disposed a built student that the store's copy replaced.
      }
    }
    throw error;
  }
}
