import { loadModel } from '@distillery/node';

/** The weights of the model saved in `directory` (a run's `student/`, `peers/<name>/`), as plain numbers. */
export async function savedWeights(directory: string): Promise<number[][]> {
  const model = await loadModel(directory);
  const weights = model.getWeights().map((weight) => Array.from(weight.dataSync()));
  model.dispose();
  return weights;
}
