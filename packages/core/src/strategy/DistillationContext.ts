import type { Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import type { ModelOutputs } from './ModelOutputs.js';
import type { PeerOutputs } from './PeerOutputs.js';
import type { TeacherOutputs } from './TeacherOutputs.js';

/**
 * Everything a strategy sees for one batch. The tensors belong to the kernel: a strategy reads them
 * and must neither dispose nor keep them.
 */
export interface DistillationContext {
  readonly inputs: Tensor;
  /** Integer class indices [B], int32. */
  readonly labels: Tensor1D;
  /**
   * Where each example of the batch sits in the training set (0 … size − 1), when the dataset says (the
   * in-tree ones do): what per-example strategy state, such as CRD's memory banks, is addressed by.
   */
  readonly indices?: Int32Array;
  /** The student's outputs, computed in training mode. */
  readonly student: ModelOutputs;
  /** Every teacher's outputs, in the experiment's teacher order, computed in inference mode. */
  readonly teachers: readonly TeacherOutputs[];
  /**
   * Every peer's outputs (online distillation: models trained together with the student), in the experiment's
   * peer order, computed in training mode; gradients reach the peers as they reach the student. Absent without peers.
   */
  readonly peers?: readonly PeerOutputs[];
  /** Zero-based epoch of the current stage. */
  readonly epoch: number;
  readonly epochs: number;
  /** Zero-based optimizer step since training began. */
  readonly step: number;
  readonly stepsPerEpoch: number;
}
