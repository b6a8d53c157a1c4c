/** The attributes of the {@link BatchNormTraining} and {@link BatchNormTrainingGrad} kernels. */
export interface BatchNormTrainingAttrs {
  /** Added to the variance under the square root (tfjs-layers' `epsilon`, PyTorch's `eps`). */
  readonly epsilon: number;
}
