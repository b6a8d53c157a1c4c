import {
  type DistillationContext,
  type DistillationStrategy,
  findTeacherOutputs,
  parseOptions,
  resolveTeacherName,
  type StrategyFactory,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { batchIndicesOf } from './batchIndicesOf.js';
import { ContrastMemory } from './ContrastMemory.js';
import { crdNceLoss } from './crdNceLoss.js';
import { drawNegatives } from './drawNegatives.js';
import { EmbeddingHead } from './EmbeddingHead.js';
import { embeddingInputSize } from './embeddingInputSize.js';

const key = 'contrastive.crd';
const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });
const positiveInteger = z
  .number({ error: 'expected a positive integer' })
  .int({ error: 'expected a positive integer' })
  .positive({ error: 'expected a positive integer' });

const optionsSchema = z.strictObject({
  teacher: z
    .string({ error: 'expected a teacher name' })
    .min(1, { error: 'expected a teacher name' })
    .optional()
    .describe("the teacher whose embeddings the student's are contrasted with; default: the experiment's first teacher"),
  student: layerName.describe(
    "the student layer that is embedded: its penultimate embedding (a zoo model's `<name>_pool`); larger ranks are flattened",
  ),
  teacherLayer: layerName.describe("the teacher layer that is embedded: its penultimate embedding (a zoo model's `<name>_pool`)"),
  featureDim: positiveInteger.default(128).describe('D, the width of both embeddings and of the memory rows (`feat_dim`)'),
  negatives: positiveInteger
    .default(16384)
    .describe('K, the memory rows drawn per example and step as negatives, uniformly over the training set (`nce_k`)'),
  temperature: z
    .number({ error: 'expected a positive number' })
    .positive({ error: 'expected a positive number' })
    .default(0.07)
    .describe('τ in the scores exp(v · m / τ) (`nce_t`)'),
  momentum: z
    .number({ error: 'expected a number in [0, 1)' })
    .min(0, { error: 'expected a number in [0, 1)' })
    .lt(1, { error: 'expected a number in [0, 1)' })
    .default(0.5)
    .describe('m in the memory update row ← normalise(m · row + (1 − m) · v) (`nce_m`)'),
});

/**
 * `contrastive.crd`: contrastive representation distillation (Tian, Krishnan, Isola 2020), as RepDistiller's
 * `CRDLoss`. Both models' penultimate embeddings go through trained heads (dense to `featureDim`, then unit
 * norm; see {@link EmbeddingHead}); the student's embedding of each example is scored against the teacher's
 * memory row of that example and K rows drawn at random (see {@link drawNegatives}), and the teacher's embedding
 * against the student's memory likewise; each side's {@link crdNceLoss} is reported as the part `student` and
 * `teacher`, and the loss is their sum. After the loss, `update` moves both memories' rows of the batch towards
 * this step's embeddings ({@link ContrastMemory}).
 *
 * Cost: the memories are state sized by the training set, made in `prepare`: 2 · N · featureDim · 4 bytes, 48.8
 * MiB per 50,000 examples at D = 128, checkpointed with the run. Each step computes a [B, N] score matrix per side
 * (12.8 MB at B = 64, N = 50,000) and its dense gradient, instead of RepDistiller's [B, K+1, D] gather (512 MiB at
 * K = 16384). RepDistiller weighs this term 0.8 beside cross-entropy (`-b 0.8`).
 */
export const crdStrategyFactory: StrategyFactory = {
  key,
  description: 'CRD (Tian et al. 2020): NCE over memory banks of both models’ embeddings of the whole training set',
  optionsSchema,
  paper: 'Tian, Krishnan, Isola 2020, "Contrastive Representation Distillation", ICLR',
  create(options, context): DistillationStrategy {
    const parsed = parseOptions(optionsSchema, options, context.path);
    const { student, teacherLayer, featureDim, negatives, temperature, momentum } = parsed;
    const teacher = resolveTeacherName(parsed.teacher, key, context);
    let heads: { readonly student: EmbeddingHead; readonly teacher: EmbeddingHead } | undefined;
    let memory: ContrastMemory | undefined;

    const ready = (what: string) => {
      if (heads === undefined) throw new Error(`${key}: ${what} called before build()`);
      if (memory === undefined) throw new Error(`${key}: ${what} called before prepare()`);
      return { heads, memory };
    };
    /** Both models' embeddings of the batch [B, featureDim], through the heads' current weights. */
    const embed = (batch: DistillationContext, current: NonNullable<typeof heads>) => {
      const studentFeature = batch.student.features[student];
      const teacherFeature = findTeacherOutputs(batch, teacher, key).features[teacherLayer];
      if (studentFeature === undefined || teacherFeature === undefined) {
        throw new Error(`${key}: the kernel did not tap '${student}' or '${teacherLayer}'`);
      }
      return { student: current.student.apply(studentFeature), teacher: current.teacher.apply(teacherFeature) };
    };
    const draw = (indices: Int32Array, size: number, step: number) =>
      drawNegatives(indices, { k: negatives, datasetSize: size, seed: context.seed, step });

    return {
      key,
      taps: { student: [student], teachers: { [teacher]: [teacherLayer] } },
      lossParts: ['student', 'teacher'],
      build: (shapes) => {
        heads?.student.dispose();
        heads?.teacher.dispose();
        const studentShape = shapes.student[student] ?? [];
        const teacherShape = shapes.teachers[teacher]?.[teacherLayer] ?? [];
        const studentSize = embeddingInputSize(studentShape, `${context.path}.student`, `student layer '${student}'`);
        const teacherSize = embeddingInputSize(
          teacherShape,
          `${context.path}.teacherLayer`,
          `teacher '${teacher}' layer '${teacherLayer}'`,
        );
        const head = (side: 'student' | 'teacher', inputSize: number) =>
          new EmbeddingHead({
            inputSize,
            outputSize: featureDim,
            seed: `${context.seed}/${key}/head/${side}`,
            variableName: (local) => context.variableName(`${side}/${local}`),
          });
        heads = { student: head('student', studentSize), teacher: head('teacher', teacherSize) };
      },
      variables: () => (heads === undefined ? [] : [...heads.student.variables(), ...heads.teacher.variables()]),
      prepare: ({ size }) => {
        if (memory?.size === size) {
          memory.recheck();
          return;
        }
        memory?.dispose();
        memory = new ContrastMemory({
          size,
          featureDim,
          seed: `${context.seed}/${key}/memory`,
          variableName: context.variableName,
        });
      },
      state: () => memory?.state() ?? [],
      loss: (batch) => {
        const current = ready('loss()');
        const indices = batchIndicesOf(batch, current.memory.size, key);
        const drawn = draw(indices, current.memory.size, batch.step);
        return tf.tidy(() => {
          const embeddings = embed(batch, current.heads);
          const scores = current.memory.scores(embeddings.student, embeddings.teacher, drawn, temperature);
          const parts = {
            student: crdNceLoss(scores.student, { datasetSize: current.memory.size }),
            teacher: crdNceLoss(scores.teacher, { datasetSize: current.memory.size }),
          };
          return { total: tf.add(parts.student, parts.teacher) as tf.Scalar, parts };
        });
      },
      update: (batch) => {
        const current = ready('update()');
        const indices = batchIndicesOf(batch, current.memory.size, key);
        tf.tidy(() => {
          // The heads' weights have not moved since the loss (the optimizer steps after update), so these are the
          // embeddings the loss scored, as RepDistiller updates its memories from the forward pass's own.
          const embeddings = embed(batch, current.heads);
          const redraw = () => draw(indices, current.memory.size, batch.step);
          current.memory.update(embeddings.student, embeddings.teacher, indices, redraw, { temperature, momentum });
        });
      },
      dispose: () => {
        heads?.student.dispose();
        heads?.teacher.dispose();
        memory?.dispose();
        heads = undefined;
        memory = undefined;
      },
    };
  },
};
