import { strategySpecSchema } from '@distillery/core';
import { backendPreferenceSchema } from '@distillery/core/internal';
import * as z from 'zod';
import { dataSchema } from './dataSchema.js';
import { loadedModelTypes } from './loadedModelTypes.js';
import { modelSchema, zooModelSchema } from './modelSchema.js';
import { stageTrainingSchema } from './stageTrainingSchema.js';

const name = z.string().regex(/^[\w.-]+$/, { error: 'expected a name of letters, digits, _ . or -' });

const teacherSchema = z
  .strictObject({
    name,
    model: modelSchema,
    /** How a zoo teacher is trained on the labels, in a stage before distillation. */
    training: stageTrainingSchema.optional(),
  })
  .check((context) => {
    const { model, training } = context.value;
    const loaded = loadedModelTypes.includes(model.type);
    if (!loaded && training === undefined) {
      context.issues.push({
        code: 'custom',
        input: context.value,
        path: ['training'],
        message: `a ${model.type === 'zoo' ? model.name : model.type} teacher from the zoo is trained on the labels first: give its training options (e.g. { epochs: 5 })`,
      });
    }
    if (loaded && training !== undefined) {
      context.issues.push({
        code: 'custom',
        input: training,
        path: ['training'],
        message: 'a teacher loaded from a file is used as it is; remove training',
      });
    }
  });

/**
 * A Distillery experiment config: data only (YAML or JSON), validated strictly so a typo is an error.
 * For each seed: zoo teachers are trained on the labels, the student is distilled from the teachers
 * with the strategies, and (with `baseline`) the same student is trained alone with the same budget.
 */
export const experimentConfigSchema = z
  .strictObject({
    /** Names the run directory (`<output>/<name>`); default: the config file's name. */
    name: name.optional(),
    description: z.string().optional(),
    /** npm package names or paths (relative to the config file) of strategy plugins. */
    plugins: z.array(z.string().min(1)).default([]),
    data: dataSchema,
    teachers: z.array(teacherSchema).default([]),
    /** Built from the zoo, so the distilled student and its baseline start from the same initialisation. */
    student: z.strictObject({ name: name.default('student'), model: zooModelSchema }),
    /**
     * Models from the zoo trained together with the student from their own initialisations (online
     * distillation, e.g. `online.dml`); each is evaluated and saved beside the student.
     */
    peers: z.array(z.strictObject({ name, model: zooModelSchema })).default([]),
    strategies: z.array(strategySpecSchema).min(1, { error: 'expected at least one strategy, e.g. { key: task.ce }' }),
    training: stageTrainingSchema.default(stageTrainingSchema.parse({})),
    /** Also train the same student on the hard labels alone, with the same budget and seeds. */
    baseline: z.boolean().default(true),
    /** One full replicate (teachers, student, baseline) per seed; summaries report mean ± std. */
    seeds: z.array(z.number().int().min(0)).min(1).default([1]),
    backend: backendPreferenceSchema.default('auto'),
    /** Where run directories go, relative to the working directory. */
    output: z.string().min(1).default('runs'),
    /**
     * Keep each training stage's full state (weights, optimizer, position) every this many optimizer
     * steps, besides after every epoch; 0 for epochs only. An interrupted run continues from it.
     */
    checkpointEverySteps: z.number().int().min(0).default(500),
    /**
     * Where teacher-output caches too large for memory, and per-epoch ones (`training.teacherCache.augmentedData:
     * per-epoch`), are kept, relative to the config file; default `teacher-cache/` in the run directory. Runs that
     * share data, seed, batch size and teachers (a method table's rows, separate runs of one study) can point at one
     * folder: caches are found by a key of everything their values depend on, so one run's outputs serve the others.
     */
    teacherCacheDir: z.string().min(1).optional(),
  })
  .check((context) => {
    const seen = new Set<string>();
    context.value.teachers.forEach((teacher, i) => {
      if (seen.has(teacher.name) || teacher.name === context.value.student.name) {
        context.issues.push({
          code: 'custom',
          input: teacher.name,
          path: ['teachers', i, 'name'],
          message: `the name '${teacher.name}' is used twice`,
        });
      }
      seen.add(teacher.name);
    });
    context.value.peers.forEach((peer, i) => {
      if (seen.has(peer.name) || peer.name === context.value.student.name) {
        context.issues.push({
          code: 'custom',
          input: peer.name,
          path: ['peers', i, 'name'],
          message: `the name '${peer.name}' is used twice`,
        });
      }
      seen.add(peer.name);
    });
  });

export type ExperimentConfig = z.output<typeof experimentConfigSchema>;
export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>;
export type ModelConfig = ExperimentConfig['teachers'][number]['model'];
export type ZooModelConfig = ExperimentConfig['student']['model'];
export type DataConfig = ExperimentConfig['data'];
