/**
 * The scalars of one Adam step at step t (Kingma & Ba 2015, algorithm 1):
 * m ← β₁·m + (1−β₁)·g, v ← β₂·v + (1−β₂)·g², θ ← θ − lr · (m / c₁) / (√(v / c₂) + ε), with the bias
 * corrections c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ.
 */
export interface FusedAdamAttrs {
  readonly beta1: number;
  readonly beta2: number;
  readonly biasCorrection1: number;
  readonly biasCorrection2: number;
  readonly epsilon: number;
  readonly learningRate: number;
}
