import type { DistillationContext, ModelOutputs } from '@distillery/core';
import type * as tf from '@tensorflow/tfjs-core';

export interface DistillationContextParts {
  readonly student: tf.Tensor2D | ModelOutputs;
  /** Teachers by name: their logits, or their logits and tapped features. */
  readonly teachers?: Readonly<Record<string, tf.Tensor2D | ModelOutputs>>;
  readonly labels: tf.Tensor1D;
  /** Default: the student's logits (strategies rarely read the inputs). */
  readonly inputs?: tf.Tensor;
  readonly step?: number;
  readonly epochs?: number;
  readonly stepsPerEpoch?: number;
}

/**
 * The per-batch context a strategy sees, built from tensors a test owns (the context takes no
 * ownership). Training progress defaults to the first step of a one-epoch run; `epoch` follows `step`.
 */
export function distillationContext(parts: DistillationContextParts): DistillationContext {
  const outputs = (value: tf.Tensor2D | ModelOutputs): ModelOutputs =>
    'logits' in value ? value : { logits: value, features: {} };
  const student = outputs(parts.student);
  const step = parts.step ?? 0;
  const stepsPerEpoch = parts.stepsPerEpoch ?? 1;
  return {
    inputs: parts.inputs ?? student.logits,
    labels: parts.labels,
    student,
    teachers: Object.entries(parts.teachers ?? {}).map(([name, value]) => ({ name, ...outputs(value) })),
    epoch: Math.floor(step / stepsPerEpoch),
    epochs: parts.epochs ?? 1,
    step,
    stepsPerEpoch,
  };
}
