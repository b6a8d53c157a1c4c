import type { RelationReduction } from './RelationReduction.js';

/** Options of {@link correlationCongruenceLoss}; each default is the paper's. */
export interface CorrelationCongruenceLossOptions {
  /** γ of the Gaussian kernel exp(−γ|f_i − f_j|²), finite and > 0; default 0.4 (the paper's CIFAR-100 setting). */
  readonly gamma?: number;
  /** P, the last power of the Taylor series, an integer ≥ 0; default 2. */
  readonly order?: number;
  /** L2-normalise each example's flattened features first (default true); `false` is torchdistill's CCKDLoss. */
  readonly normalize?: boolean;
  /** 'squared' ‖C_t − C_s‖²_F / B² (default, the paper's), or 'frobenius' ‖C_t − C_s‖_F / B² (torchdistill's). */
  readonly norm?: 'squared' | 'frobenius';
  /** 'mean' (default) or 'none' (row b's share, 'squared' only). */
  readonly reduction?: RelationReduction;
}
