import type { Tensor } from '@tensorflow/tfjs-core';
import type { ModelOutputs } from '../strategy/ModelOutputs.js';
import type { SymbolicShape } from '../strategy/TapShapes.js';

/**
 * A frozen model that Distillery only runs forward: a teacher from outside tfjs-layers, such as an ONNX file run by
 * onnxruntime (`@distillery/teacher-onnx`) or a TF.js GraphModel (`@distillery/teacher-graph-model`). A teacher needs
 * nothing else — no gradients, no layers — and the teacher-output cache makes its passes a one-time cost, so any
 * inference runtime can supply one.
 *
 * It may compute asynchronously and outside tfjs, so the kernel calls it only where it awaits: a step's teacher outputs
 * (before the step's tidy), the teacher diagnostics, evaluation, and the cache's fill. Its tensors are on the active
 * backend and owned by the caller. The caller also owns the model and calls `dispose` when done with it.
 */
export interface ForwardModel {
  /** Tells a ForwardModel from a tfjs LayersModel ({@link isForwardModel}). */
  readonly forwardOnly: true;
  /** How messages name it: `ONNX model mnist-cnn.onnx`. */
  readonly description: string;
  /** One example's shape as Distillery's data has it (channels last), `null` where any size is accepted. */
  readonly inputShape: SymbolicShape;
  /** Classes it predicts: the width of its logits. */
  readonly numClasses: number;
  /**
   * Every intermediate output it can give, by the name strategies tap it with, with its shape (batch `null`,
   * channels last for images, as the kernel's feature strategies expect).
   */
  readonly featureShapes: Readonly<Record<string, SymbolicShape>>;
  /** Parameters it holds, when known (reports show them beside the students'). */
  readonly parameterCount?: number;
  /** Equal for two models only when they compute the same outputs: keys the teacher cache and the stage fingerprints. */
  fingerprint(): Promise<string>;
  /**
   * Logits [B, numClasses] and the named `features` on a batch of inputs [B, ...inputShape], in inference mode.
   * Returns fresh tensors the caller disposes, and nothing else left allocated.
   */
  predict(inputs: Tensor, features: readonly string[]): Promise<ModelOutputs>;
  /** Frees what it holds (a runtime session, weights). */
  dispose(): void;
}
