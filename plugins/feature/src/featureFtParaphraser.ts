import {
  type DistillationStrategy,
  DistilleryError,
  parseOptions,
  type StrategyCreationContext,
  type StrategyFactory,
  type StrategyLoss,
  stopGradient,
  type TapShapes,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { describeSymbolicShape } from './describeSymbolicShape.js';
import { factorChannels } from './factorChannels.js';
import { Paraphraser } from './Paraphraser.js';
import { paraphraserReconstructionLoss } from './paraphraserReconstructionLoss.js';

const key = 'feature.ft.paraphraser';

const optionsSchema = z.strictObject({
  layer: z
    .string({ error: 'expected a layer name' })
    .min(1, { error: 'expected a layer name' })
    .describe(
      "the fixed student's layer to paraphrase: in factor transfer's first stage the teacher is that student (student.trainable: false), so this is the teacher layer feature.ft reads",
    ),
  rate: z
    .number({ error: 'expected a positive number' })
    .positive({ error: 'expected a positive number' })
    .default(0.5)
    .describe('paraphrase rate k: the factor has round(C · k) channels; feature.ft must use the same'),
  p: z
    .literal([1, 2], { error: 'expected 1 or 2' })
    .default(2)
    .describe(
      "power of the reconstruction error: 2 = mean squared error (the paper, RepDistiller), 1 = mean absolute error (the authors' code)",
    ),
});

/**
 * `feature.ft.paraphraser`: the first stage of factor transfer (Kim, Park, Kwak 2018, "Paraphrasing Complex Network:
 * Network Compression via Factor Transfer", NeurIPS, section 3.1; RepDistiller's `init` stage for `factor`). It fits
 * a {@link Paraphraser} (convolutional autoencoder) to one layer of a fixed network, the teacher run as this stage's
 * frozen student, by the reconstruction loss alone:
 *
 *   loss = paraphraserReconstructionLoss(decoder(encoder(x)), x, { p })   x = the layer's feature, gradient stopped
 *
 * reported as the part `reconstruction` too. The feature's gradient is stopped, so the paraphrased network never
 * learns from this term, even where its weights are trainable. Its variables are named
 * `paraphraser/encoder/conv1/kernel` … `paraphraser/decoder/deconv3/bias` (locally, under the term's name);
 * `feature.ft` creates the same encoder variables, and the stage after this one starts them from this one's by
 * those local names.
 */
export const featureFtParaphraser: StrategyFactory = {
  key,
  description: "factor transfer, first stage: fit the paraphraser (autoencoder) to a fixed network's layer by reconstruction",
  optionsSchema,
  paper: 'Kim, Park, Kwak 2018, "Paraphrasing Complex Network: Network Compression via Factor Transfer", NeurIPS',
  create(options, context: StrategyCreationContext): DistillationStrategy {
    const { layer, rate, p } = parseOptions(optionsSchema, options, context.path);
    let paraphraser: Paraphraser | undefined;
    const free = () => {
      paraphraser?.dispose();
      paraphraser = undefined;
    };

    return {
      key,
      taps: { student: [layer] },
      lossParts: ['reconstruction'],
      build(shapes: TapShapes) {
        free();
        const shape = shapes.student[layer];
        const field = `${context.path}.layer`;
        if (shape === undefined)
          throw new DistilleryError(`${field}: the kernel gave no shape for tapped layer '${layer}'`, field);
        const channels = shape[3];
        if (shape.length === 4 && typeof channels === 'number' && factorChannels(channels, rate) < 1) {
          const rateField = `${context.path}.rate`;
          throw new DistilleryError(
            `${rateField}: ${rate} leaves round(${channels} · ${rate}) = 0 factor channels for layer '${layer}' ${describeSymbolicShape(shape)}; expected a rate that keeps at least one`,
            rateField,
          );
        }
        paraphraser = new Paraphraser({
          variableName: (local) => context.variableName(`paraphraser/${local}`),
          featureShape: shape,
          rate,
          seed: `${context.seed}/paraphraser`,
          labels: { where: field, feature: `layer '${layer}'` },
        });
      },
      variables: () => paraphraser?.variables() ?? [],
      loss(batch): StrategyLoss {
        const built = paraphraser;
        if (built === undefined) throw new Error(`${key}: loss() called before build()`);
        const feature = batch.student.features[layer];
        if (feature === undefined) throw new Error(`${key}: the kernel did not tap '${layer}'`);
        // The kernel's tidy would free the intermediates anyway; this one keeps a stand-alone call leak-free.
        return tf.tidy(() => {
          const input = stopGradient(feature as tf.Tensor4D);
          const reconstruction = paraphraserReconstructionLoss(built.decode(built.encode(input)), input, { p });
          return { total: reconstruction, parts: { reconstruction } };
        });
      },
      dispose: free,
    };
  },
};
