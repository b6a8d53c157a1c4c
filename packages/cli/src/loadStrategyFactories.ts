import { fileURLToPath } from 'node:url';
import { coreModule, DistilleryError, type StrategyFactory, StrategyRegistry } from '@distillery/core';
import { loadPlugin } from '@distillery/node';
import { Container, type ContainerModule } from 'inversify';

/** This repository's strategy plugins: listed wherever they are installed, so that a bare `distillery strategies` shows them. */
const officialPlugins = [
  '@distillery/plugin-response',
  '@distillery/plugin-feature',
  '@distillery/plugin-attention',
  '@distillery/plugin-multi-teacher',
  '@distillery/plugin-relation',
  '@distillery/plugin-self-distillation',
  '@distillery/plugin-contrastive',
];

/** Where the CLI is installed: official plugins installed beside it count even when the working directory has none. */
const cliDirectory = fileURLToPath(new URL('..', import.meta.url));

/**
 * Every strategy factory registered by the kernel (`task.ce`), the official plugins that are installed (looked up
 * from `baseDirectory`, then from the CLI's own folder) and the `plugins` given (npm names or paths, resolved from
 * `baseDirectory`, as in a config), sorted by key. A plugin given that cannot be found or loaded is a one-line
 * {@link DistilleryError} naming it; an official plugin that is not installed is left out.
 */
export async function loadStrategyFactories(
  plugins: readonly string[],
  baseDirectory: string = process.cwd(),
): Promise<StrategyFactory[]> {
  const modules: ContainerModule[] = [];
  for (const name of officialPlugins) {
    const module = (await installedPlugin(name, baseDirectory)) ?? (await installedPlugin(name, cliDirectory));
    if (module !== undefined) modules.push(module);
  }
  for (const specifier of plugins) modules.push(await loadPlugin(specifier, baseDirectory, '--plugins'));
  const container = new Container();
  try {
    // The same module loaded twice (an official plugin also given by name) binds once.
    container.load(coreModule, ...new Set(modules));
    return container.get(StrategyRegistry).list();
  } catch (error) {
    if (error instanceof DistilleryError) throw error;
    throw new DistilleryError(
      `--plugins: the plugins' strategies could not be registered (${(error as Error).message.split('\n')[0]})`,
    );
  }
}

async function installedPlugin(name: string, from: string): Promise<ContainerModule | undefined> {
  try {
    return await loadPlugin(name, from, 'plugins');
  } catch (error) {
    if (error instanceof DistilleryError && error.message.startsWith(`plugins: cannot find plugin '${name}'`)) return undefined;
    throw error;
  }
}
