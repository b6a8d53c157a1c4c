import { DistilleryError, type ExperimentSpec, parseOptions, type StageSpec } from '@distillery/core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BornAgainOptions } from './BornAgainOptions.js';
import { bornAgainOptionsSchema } from './bornAgainOptionsSchema.js';

/**
 * The stages of born-again networks (Furlanello et al. 2018, "Born-Again Neural Networks", ICML): generation 0
 * learns from the labels (`task.ce`); generation k = 1 … N is a freshly initialised model of the same builder,
 * distilled from generation k − 1, its only teacher. Run them with core's `runStages` and `responsePlugin`
 * (or use `runBornAgain`). Each stage's student is `() => buildStudent(k)`, so nothing is built until the stage runs.
 * Throws a one-line `DistilleryError` naming the first bad option (`generations: expected an integer ≥ 1`).
 */
export function bornAgainStages(options: BornAgainOptions): StageSpec[] {
  const { generations, training, teacherTraining, distillation, namePrefix } = parseOptions(bornAgainOptionsSchema, options, '');
  const buildStudent = options.buildStudent;
  const nameOf = (generation: number) => `${namePrefix}${generation}`;
  // Built models by generation: a builder that hands out a model twice would distil a generation into its own teacher.
  const builtBy = new WeakMap<tfl.LayersModel, number>();
  const freshStudent = (generation: number) => (): tfl.LayersModel => {
    const model: unknown = buildStudent(generation);
    if (!(model instanceof tfl.LayersModel)) {
      throw new DistilleryError(
        `buildStudent(${generation}): expected a tf.LayersModel, got ${describeValue(model)}`,
        'buildStudent',
      );
    }
    const earlier = builtBy.get(model);
    if (earlier !== undefined) {
      throw new DistilleryError(
        `buildStudent(${generation}): returned the model it built for generation ${earlier} again; every generation needs a freshly built model`,
        'buildStudent',
      );
    }
    builtBy.set(model, generation);
    return model;
  };

  const objective: ExperimentSpec['strategies'] = distillation.strategies ?? [
    ...((distillation.labelWeight ?? 0) > 0 ? [{ key: 'task.ce', weight: distillation.labelWeight as number }] : []),
    { key: 'response.kd', weight: distillation.kdWeight ?? 1, options: { temperature: distillation.temperature ?? 1 } },
  ];

  const stages: StageSpec[] = [
    {
      name: nameOf(0),
      student: { name: nameOf(0), model: freshStudent(0) },
      strategies: [{ key: 'task.ce', weight: 1 }],
      training: teacherTraining ?? training,
    },
  ];
  for (let generation = 1; generation <= generations; generation++) {
    const teacher = nameOf(generation - 1);
    stages.push({
      name: nameOf(generation),
      teachers: [{ name: teacher, stage: teacher }],
      student: { name: nameOf(generation), model: freshStudent(generation) },
      strategies: objective,
      training,
    });
  }
  return stages;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}
