import {
  type DistillationStrategy,
  DistilleryError,
  findTeacherOutputs,
  parseOptions,
  resolveTeacherName,
  type StrategyCreationContext,
  type StrategyFactory,
  type StrategyPretraining,
  type SymbolicShape,
  type TapShapes,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { describeSymbolicShape } from './describeSymbolicShape.js';
import { factorChannels } from './factorChannels.js';
import { factorTransferLoss } from './factorTransferLoss.js';
import { Paraphraser } from './Paraphraser.js';
import { Translator } from './Translator.js';

const key = 'feature.ft';

const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });

const optionsSchema = z.strictObject({
  teacher: z
    .string({ error: 'expected a teacher name' })
    .min(1, { error: 'expected a teacher name' })
    .optional()
    .describe("the teacher whose factor is the target; default: the experiment's first teacher"),
  teacherLayer: layerName.describe(
    "teacher layer the paraphraser's encoder reads (the layer feature.ft.paraphraser paraphrased in the stage before)",
  ),
  student: layerName.describe("student layer the translator reads; its H×W must be the teacher layer's"),
  rate: z
    .number({ error: 'expected a positive number' })
    .positive({ error: 'expected a positive number' })
    .default(0.5)
    .describe("paraphrase rate k, the paraphraser stage's: the factors have round(C_t · k) channels"),
  p: z
    .literal([1, 2], { error: 'expected 1 or 2' })
    .default(1)
    .describe('1: mean absolute difference of the normalised factors (the paper); 2: mean squared difference'),
  batchNorm: z
    .boolean({ error: 'expected true or false' })
    .default(false)
    .describe("batch norm after each translator convolution (RepDistiller's translator); the authors' has none"),
  paraphraserEpochs: z
    .number({ error: 'expected a whole number ≥ 0' })
    .int({ error: 'expected a whole number ≥ 0' })
    .min(0, { error: 'expected a whole number ≥ 0' })
    .default(30)
    .describe(
      "epochs of the paraphraser's own stage before the student's (feature.ft.paraphraser on the teacher held fixed; RepDistiller's init_epochs 30); 0: no such stage, the encoder keeps its random start",
    ),
});

/**
 * `feature.ft`: factor transfer (Kim, Park, Kwak 2018, "Paraphrasing Complex Network: Network Compression via Factor
 * Transfer", NeurIPS; reference code Jangho-Kim/Factor-Transfer-pytorch `train_student.py`, RepDistiller
 * `distiller_zoo/FT.py`), the student's stage:
 *
 *   F_T = encoder(teacher feature)        the paraphraser's encoder, fixed (state, never trained here)
 *   F_S = translator(student feature)     a {@link Translator}, trained with the student
 *   loss = factorTransferLoss(F_S, F_T, { p })   = mean over batch and elements of |F_T/‖F_T‖₂ − F_S/‖F_S‖₂|^p
 *
 * The encoder's variables have the local names and shapes `feature.ft.paraphraser` gives its own
 * (`paraphraser/encoder/conv1/kernel`, …): they are `state()`, not `variables()`, so no optimizer touches them, and
 * the stage mechanism sets them from the paraphraser's stage by those names before training. The strategy declares
 * that stage (`pretraining`: feature.ft.paraphraser on this teacher layer for `paraphraserEpochs`), so the CLI runs it
 * before the student's; through the API, run it yourself. Without such a stage they keep their seeded random start. The translator's are `translator/conv1/kernel`, … . Student and teacher maps
 * must have one H×W (the references compare factors of one size).
 */
export const featureFt: StrategyFactory = {
  key,
  description: "factor transfer: the student's translated factor matches the teacher's paraphrased factor (L1 of unit vectors)",
  optionsSchema,
  paper: 'Kim, Park, Kwak 2018, "Paraphrasing Complex Network: Network Compression via Factor Transfer", NeurIPS',
  create(options, context: StrategyCreationContext): DistillationStrategy {
    const { teacherLayer, student, rate, p, batchNorm, paraphraserEpochs, ...rest } = parseOptions(
      optionsSchema,
      options,
      context.path,
    );
    const teacher = resolveTeacherName(rest.teacher, key, context);
    // The stage runners put before this one: the same layer, rate and seeded start as this strategy's encoder.
    const pretraining: StrategyPretraining | undefined =
      paraphraserEpochs === 0
        ? undefined
        : {
            teacher,
            strategies: [{ key: 'feature.ft.paraphraser', options: { layer: teacherLayer, rate } }],
            epochs: paraphraserEpochs,
          };
    let encoder: Paraphraser | undefined;
    let translator: Translator | undefined;
    const free = () => {
      encoder?.dispose();
      translator?.dispose();
      encoder = undefined;
      translator = undefined;
    };
    const studentLabel = `student layer '${student}'`;
    const teacherLabel = `teacher '${teacher}' layer '${teacherLayer}'`;
    /** The one-line error for maps of different H×W, naming both layers and shapes. */
    const sizeMismatch = (studentShape: SymbolicShape, teacherShape: SymbolicShape) => {
      const field = `${context.path}.student`;
      return new DistilleryError(
        `${field}: ${studentLabel} ${describeSymbolicShape(studentShape)} and ${teacherLabel} ${describeSymbolicShape(teacherShape)} differ in H×W; factor transfer needs maps of one size`,
        field,
      );
    };

    return {
      key,
      ...(pretraining === undefined ? {} : { pretraining }),
      taps: { student: [student], teachers: { [teacher]: [teacherLayer] } },
      build(shapes: TapShapes) {
        free();
        const studentShape = shapes.student[student];
        const teacherShape = shapes.teachers[teacher]?.[teacherLayer];
        if (studentShape === undefined || teacherShape === undefined) {
          throw new DistilleryError(`${context.path}: the kernel gave no shape for a tapped layer`, context.path);
        }
        if (studentShape.length === 4 && teacherShape.length === 4) {
          const differs = (axis: number) => {
            const [a, b] = [studentShape[axis], teacherShape[axis]];
            return typeof a === 'number' && typeof b === 'number' && a !== b;
          };
          if (differs(1) || differs(2)) throw sizeMismatch(studentShape, teacherShape);
          const channels = teacherShape[3];
          if (typeof channels === 'number' && factorChannels(channels, rate) < 1) {
            const field = `${context.path}.rate`;
            throw new DistilleryError(
              `${field}: ${rate} leaves round(${channels} · ${rate}) = 0 factor channels for ${teacherLabel} ${describeSymbolicShape(teacherShape)}; expected a rate that keeps at least one`,
              field,
            );
          }
        }
        const madeEncoder = new Paraphraser({
          variableName: (local) => context.variableName(`paraphraser/${local}`),
          featureShape: teacherShape,
          rate,
          // The paraphraser stage's stream: without that stage, the encoder starts where the paraphraser would.
          seed: `${context.seed}/paraphraser`,
          decoder: false,
          trainable: false,
          labels: { where: `${context.path}.teacherLayer`, feature: teacherLabel },
        });
        try {
          translator = new Translator({
            variableName: (local) => context.variableName(`translator/${local}`),
            studentShape,
            factorChannels: madeEncoder.factorChannels,
            seed: `${context.seed}/translator`,
            batchNorm,
            labels: { where: `${context.path}.student`, student: studentLabel },
          });
        } catch (error) {
          madeEncoder.dispose();
          throw error;
        }
        encoder = madeEncoder;
      },
      variables: () => translator?.variables() ?? [],
      state: () => encoder?.encoderVariables() ?? [],
      loss(batch) {
        const [builtEncoder, builtTranslator] = [encoder, translator];
        if (builtEncoder === undefined || builtTranslator === undefined) {
          throw new Error(`${key}: loss() called before build()`);
        }
        const studentFeature = batch.student.features[student];
        const teacherFeature = findTeacherOutputs(batch, teacher, key).features[teacherLayer];
        if (studentFeature === undefined || teacherFeature === undefined) {
          throw new Error(`${key}: the kernel did not tap '${student}' or '${teacherLayer}'`);
        }
        // Sizes a model leaves open are only known on the batch.
        if (studentFeature.shape[1] !== teacherFeature.shape[1] || studentFeature.shape[2] !== teacherFeature.shape[2]) {
          throw sizeMismatch(studentFeature.shape, teacherFeature.shape);
        }
        return tf.tidy(() =>
          factorTransferLoss(
            builtTranslator.apply(studentFeature as tf.Tensor4D),
            builtEncoder.encode(teacherFeature as tf.Tensor4D),
            { p },
          ),
        );
      },
      dispose: free,
    };
  },
};
