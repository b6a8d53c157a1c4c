import { stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Size on disk of a saved model: model.json plus weights.bin. */
export async function directoryModelBytes(directory: string): Promise<number> {
  const sizes = await Promise.all(
    ['model.json', 'weights.bin'].map((file) => stat(join(directory, file)).then((info) => info.size)),
  );
  return sizes.reduce((total, size) => total + size, 0);
}
