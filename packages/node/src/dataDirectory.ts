import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The folder where datasets are looked for and downloaded to: `dir` when given, else the environment
 * variable DISTILLERY_DATA, else a per-user cache folder, $XDG_CACHE_HOME/distillery or
 * ~/.cache/distillery. One folder for every run, so a dataset is downloaded once per user.
 */
export function dataDirectory(dir?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (dir !== undefined && dir.length > 0) return resolve(dir);
  const configured = env.DISTILLERY_DATA;
  if (configured !== undefined && configured.length > 0) return resolve(configured);
  const cache = env.XDG_CACHE_HOME;
  return cache !== undefined && cache.length > 0 ? join(resolve(cache), 'distillery') : join(homedir(), '.cache', 'distillery');
}
