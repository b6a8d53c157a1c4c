import { type Dataset, isForwardModel, type TeacherModel } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Inference latency per example in milliseconds (a model only run forward, such as an ONNX teacher, in its runtime): the median of `repeats` timed predictions of one
 * batch (after a warm-up, which pays for kernel setup), divided by the batch size. `data()` waits for
 * the result, so asynchronous backends are timed to completion.
 */
export async function latencyPerExample(
  models: readonly TeacherModel[],
  data: Dataset,
  batchSize = 256,
  repeats = 5,
): Promise<number> {
  const [batch] = data.batches({ batchSize: Math.min(batchSize, data.size), shuffle: false, seed: 0, epoch: 0 });
  if (batch === undefined) return Number.NaN;
  const predict = async () => {
    const outputs: tf.Tensor[] = [];
    for (const model of models) {
      if (isForwardModel(model)) outputs.push((await model.predict(batch.inputs, [])).logits);
      else outputs.push(tf.tidy(() => model.predict(batch.inputs) as tf.Tensor));
    }
    await Promise.all(outputs.map((output) => output.data()));
    tf.dispose(outputs);
  };
  await predict();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await predict();
    times.push(performance.now() - started);
  }
  const examples = batch.labels.shape[0];
  tf.dispose([batch.inputs, batch.labels]);
  times.sort((a, b) => a - b);
  return (times[Math.floor(times.length / 2)] as number) / examples;
}
