import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Size on disk of a saved tfjs model: model.json plus every weight file its manifest lists (weights.bin, shards). */
export async function directoryModelBytes(directory: string): Promise<number> {
  const modelJson = join(directory, 'model.json');
  const manifest = (JSON.parse(await readFile(modelJson, 'utf8')) as { weightsManifest?: { paths: string[] }[] }).weightsManifest;
  const files = [modelJson, ...(manifest ?? []).flatMap((group) => group.paths.map((path) => join(directory, path)))];
  const sizes = await Promise.all(files.map((file) => stat(file).then((info) => info.size)));
  return sizes.reduce((total, size) => total + size, 0);
}
