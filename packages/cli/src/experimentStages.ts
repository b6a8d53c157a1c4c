import { buildModel, type ExperimentConfig, loadedModelTypes, type ZooModelConfig } from '@distillery/config';
import type { StageSpec, TeacherModel } from '@distillery/core';
import { type Augmentation, composeAugmentations, cutout, horizontalFlip, randomCrop, randomShift } from '@distillery/data';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ExperimentData } from './ExperimentData.js';
import type { PreparedExperiment } from './PreparedExperiment.js';
import { stageNames } from './stageNames.js';

type StageTraining = ExperimentConfig['training'];

/**
 * One seed's replicate of a config as stages: each zoo teacher trained on the labels, the student
 * distilled from the teachers, and (with `baseline`) the same student, same initialisation, trained
 * on the labels alone with the same budget.
 */
export function experimentStages(
  config: ExperimentConfig,
  seed: number,
  data: ExperimentData,
  /** Teachers loaded from files (tfjs, ONNX, GraphModel), once for the run. */
  fileTeachers: ReadonlyMap<string, TeacherModel>,
  /** A strategy's stage before the student's (at most one; see `PreparedExperiment.pretrainings`). */
  pretrainings: PreparedExperiment['pretrainings'] = [],
): StageSpec[] {
  const build = (model: ZooModelConfig, name: string) => () =>
    buildModel(model, { inputShape: data.inputShape, classes: data.numClasses, name, seed });
  // Built anew for each stage from the same seed: the baseline starts where the distilled student did.
  const student = build(config.student.model, config.student.name);
  const stages: StageSpec[] = [];

  for (const teacher of config.teachers) {
    if (loadedModelTypes.includes(teacher.model.type) || teacher.training === undefined) continue;
    stages.push({
      name: stageNames.teacher(seed, teacher.name),
      student: { name: teacher.name, model: build(teacher.model as ZooModelConfig, teacher.name) },
      strategies: [{ key: 'task.ce' }],
      ...withTraining(teacher.training, seed, data),
    });
  }
  const [pretrained] = pretrainings;
  if (pretrained !== undefined) {
    const { term, pretraining } = pretrained;
    const teacher = config.teachers.find(({ name }) => name === pretraining.teacher);
    const file = fileTeachers.get(pretraining.teacher);
    stages.push({
      name: stageNames.pretraining(seed, term),
      // The teacher itself, held fixed: only the strategy's module trains, on the teacher's own features.
      student:
        file === undefined
          ? { name: pretraining.teacher, stage: stageNames.teacher(seed, teacher?.name ?? pretraining.teacher), trainable: false }
          : // prepareExperiment refuses a pretraining on a teacher only run forward.
            { name: pretraining.teacher, model: file as tfl.LayersModel, trainable: false },
      strategies: pretraining.strategies.map((strategy) => ({ weight: 1, ...strategy })),
      ...withTraining({ ...config.training, epochs: pretraining.epochs }, seed, data),
    });
  }
  stages.push({
    name: stageNames.student(seed),
    ...(pretrained === undefined ? {} : { strategyWeightsFrom: stageNames.pretraining(seed, pretrained.term) }),
    teachers: config.teachers.map((teacher) =>
      loadedModelTypes.includes(teacher.model.type)
        ? { name: teacher.name, model: fileTeachers.get(teacher.name) as TeacherModel }
        : { name: teacher.name, stage: stageNames.teacher(seed, teacher.name) },
    ),
    student: { name: config.student.name, model: student },
    ...(config.peers.length === 0
      ? {}
      : {
          peers: config.peers.map((peer, k) => ({
            name: peer.name,
            // Mutual learning needs peers that start apart: the same seed would give a peer of the student's
            // architecture the student's very weights, and the two would stay twins.
            model: () =>
              buildModel(peer.model, {
                inputShape: data.inputShape,
                classes: data.numClasses,
                name: peer.name,
                seed: peerSeed(seed, k),
              }),
          })),
        }),
    strategies: config.strategies,
    ...withTraining(config.training, seed, data),
  });
  if (config.baseline) {
    stages.push({
      name: stageNames.baseline(seed),
      student: { name: config.student.name, model: student },
      strategies: [{ key: 'task.ce' }],
      ...withTraining(config.training, seed, data),
    });
  }
  return stages;
}

/** The seed peer `k` of a replicate is built from: apart from the student's, and from every other peer's. */
function peerSeed(seed: number, k: number): number {
  return seed + 7919 * (k + 1);
}

/**
 * Core training options for the seed, and an augmented view of the training set when asked for: the
 * configured augmentations in the fixed order crop, flip, cutout, shift (DeVries & Taylor cut out after
 * the crop and the flip; the MNIST shift, rarely combined with the others, comes last), composed over the
 * one random source of each batch. A shift alone keeps its old description, so old fingerprints hold.
 */
function withTraining(training: StageTraining, seed: number, data: ExperimentData): Pick<StageSpec, 'training' | 'train'> {
  const { augment, ...options } = training;
  const augmentations: Augmentation[] = [];
  if (augment?.crop !== undefined) augmentations.push(randomCrop({ padding: augment.crop.padding }));
  if (augment?.flip === true) augmentations.push(horizontalFlip());
  if (augment?.cutout !== undefined) augmentations.push(cutout({ size: augment.cutout.size }));
  if ((augment?.shift ?? 0) > 0) augmentations.push(randomShift({ maxPixels: augment?.shift ?? 0 }));
  return {
    training: { ...options, seed },
    ...(augmentations.length > 0 ? { train: data.train.withAugmentation(composeAugmentations(augmentations)) } : {}),
  };
}
