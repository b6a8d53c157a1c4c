import { readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { type ExperimentConfig, parseConfig } from '@distillery/config';
import { DistilleryError } from '@distillery/core';

/** A config file read and validated, with the run's name and directory. */
export async function readExperimentConfig(
  configPath: string,
  options: { adjust?: (config: ExperimentConfig) => ExperimentConfig; name?: string } = {},
): Promise<{ config: ExperimentConfig; name: string; directory: string }> {
  const text = await readFile(configPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new DistilleryError(
      error.code === 'ENOENT' ? `config file not found: ${configPath}` : `config file ${configPath}: ${error.message}`,
    );
  });
  const parsed = parseConfig(text, configPath);
  const config = options.adjust?.(parsed) ?? parsed;
  const name = options.name ?? config.name ?? basename(configPath, extname(configPath));
  return { config, name, directory: resolve(config.output, name) };
}
