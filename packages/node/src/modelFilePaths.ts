import { basename, dirname, resolve } from 'node:path';

/**
 * Where a model lives on disk. Accepts a directory, a path to its model.json, or either as a
 * `file://` URL, as tfjs-node does.
 */
export function modelFilePaths(location: string): { directory: string; modelJson: string } {
  const path = resolve(location.replace(/^file:\/\//, ''));
  if (basename(path) === 'model.json') return { directory: dirname(path), modelJson: path };
  return { directory: path, modelJson: resolve(path, 'model.json') };
}
