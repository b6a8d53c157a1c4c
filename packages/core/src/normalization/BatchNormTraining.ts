/**
 * The name of the batch-normalisation-in-training kernel, an extension point for backends. Inputs `x`
 * (channels on the last axis), `scale` and `offset` (one value per channel); attributes
 * {@link BatchNormTrainingAttrs}; outputs `y`, `mean` and `variance`, where mean and variance are the batch's
 * per-channel moments over every other axis (the variance biased, as tf.moments gives it) and
 * y = (x − mean) · scale / √(variance + ε) + offset. Its gradient runs {@link BatchNormTrainingGrad}, so a
 * backend that registers one registers both. Where neither is registered, {@link batchNormInTraining} composes
 * the same values from tf.moments and tf.batchNorm, as tfjs-layers does.
 */
export const BatchNormTraining = 'DistilleryBatchNormTraining';
