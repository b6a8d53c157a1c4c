/**
 * The name of {@link BatchNormTraining}'s gradient kernel. Inputs `dy`, `x`, `scale` and the forward's `mean`
 * and `variance`; attributes {@link BatchNormTrainingAttrs}; outputs `dx`, `dscale` and `doffset`:
 * with inv = 1 / √(variance + ε), x̂ = (x − mean) · inv and n the number of values per channel,
 *   doffset = Σ dy,  dscale = Σ dy · x̂,  dx = scale · inv · (dy − doffset / n − x̂ · dscale / n)
 * (Ioffe & Szegedy 2015, section 3, the three chain-rule terms through x, the mean and the variance
 * collected into one expression).
 */
export const BatchNormTrainingGrad = 'DistilleryBatchNormTrainingGrad';
