import { DistilleryError, type LayerWeight } from '@distillery/core';
import { ofdMargin } from './ofdMargin.js';

/**
 * One OFD margin per channel ({@link ofdMargin}) from the weights of a tfjs-layers batch norm, as
 * `StrategyCreationContext.teacherLayerWeights` gives them: γ from `gamma` and β from `beta`, found by name, so a
 * layer built with `scale: false` (no γ, i.e. γ = 1) or `center: false` (no β, i.e. β = 0) is read correctly. The
 * moving statistics play no part, as in the reference. Throws a one-line {@link DistilleryError} naming `field`
 * when the weights are not a batch norm's (it always has `moving_mean` and `moving_variance`) or are not finite.
 *
 * @param weights the layer's weights
 * @param field where the layer was named, for errors (`strategies[0].options.pairs[1].teacherBatchNorm`)
 * @param layer how errors name the layer (`teacher 'resnet' layer 'resnet_s1b1_conv2_bn'`)
 */
export function ofdBatchNormMargins(weights: readonly LayerWeight[], field: string, layer: string): Float32Array {
  const named = (name: string) => weights.find((weight) => weight.name === name);
  const movingMean = named('moving_mean');
  if (movingMean === undefined || named('moving_variance') === undefined || movingMean.shape.length !== 1) {
    const found = weights.length === 0 ? 'no weights' : `weights ${weights.map(({ name }) => name).join(', ')}`;
    throw new DistilleryError(
      `${field}: ${layer} is not a batch normalization layer (it has ${found}); name the batch norm whose output feeds the ReLU`,
      field,
    );
  }
  const channels = movingMean.values.length;
  const gamma = named('gamma')?.values ?? new Float32Array(channels).fill(1);
  const beta = named('beta')?.values ?? new Float32Array(channels);
  if (gamma.length !== channels || beta.length !== channels) {
    throw new DistilleryError(`${field}: ${layer} has γ, β and moving statistics of different lengths`, field);
  }
  const margins = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const [scale, shift] = [gamma[c] as number, beta[c] as number];
    if (!Number.isFinite(scale) || !Number.isFinite(shift)) {
      throw new DistilleryError(`${field}: ${layer} has a non-finite γ or β in channel ${c}`, field);
    }
    margins[c] = ofdMargin(scale, shift);
  }
  return margins;
}
