import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrategyFactory } from '@distillery/core';
import { Container } from 'inversify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugin } from './loadPlugin.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'distillery-plugin-'));
  // A plugin written as a researcher would: plain ESM, its ContainerModule as the default export.
  await mkdir(join(directory, 'package-plugin', 'lib'), { recursive: true });
  const moduleSource = `import { ContainerModule } from 'inversify';\nexport default new ContainerModule(() => {});\n`;
  await writeFile(
    join(directory, 'package-plugin', 'package.json'),
    JSON.stringify({ name: 'package-plugin', type: 'module', exports: { '.': { import: './lib/main.js' } } }),
  );
  await writeFile(
    join(directory, 'package-plugin', 'lib', 'main.js'),
    moduleSource.replace("'inversify'", `'${inversifyUrl()}'`),
  );
  await writeFile(
    join(directory, 'named.mjs'),
    `import { ContainerModule } from '${inversifyUrl()}';\nexport const mine = new ContainerModule(() => {});\n`,
  );
  await writeFile(join(directory, 'empty.mjs'), 'export const nothing = 1;\n');
  await writeFile(join(directory, 'broken.mjs'), 'export const = ;\n');
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function inversifyUrl(): string {
  return import.meta.resolve('inversify');
}

describe('loadPlugin', () => {
  it('loads a package directory by path through its exports map', async () => {
    const plugin = await loadPlugin('./package-plugin', directory);
    expect(typeof plugin.load).toBe('function');
  });

  it('loads a module file whose ContainerModule is a named export', async () => {
    const plugin = await loadPlugin(join(directory, 'named.mjs'));
    expect(typeof plugin.id).toBe('number');
  });

  it('loads an installed package by name, looking up node_modules from the base directory', async () => {
    // @distillery/core exports its own ContainerModule, coreModule, so it serves as an installed plugin.
    const plugin = await loadPlugin('@distillery/core', process.cwd());
    const container = new Container();
    container.load(plugin);
    expect(container.isBound(StrategyFactory)).toBe(true);
  });

  it('says when a package is not installed', async () => {
    const plugin = await loadPlugin('@distillery/testing-plugin-that-does-not-exist', directory).catch((error: Error) => error);
    expect(plugin).toBeInstanceOf(Error);
    expect((plugin as Error).message).toBe(
      `plugins: cannot find plugin '@distillery/testing-plugin-that-does-not-exist' from ${directory}`,
    );
  });

  it('says when a module exports no ContainerModule', async () => {
    await expect(loadPlugin('./empty.mjs', directory, 'plugins[2]')).rejects.toThrow(
      "plugins[2]: plugin './empty.mjs' exports no InversifyJS ContainerModule (expected a default export)",
    );
  });

  it('says when a path does not exist', async () => {
    await expect(loadPlugin('./nowhere', directory)).rejects.toThrow(
      `plugins: cannot find plugin './nowhere' at ${join(directory, 'nowhere')}`,
    );
  });

  it('says when a module fails to load', async () => {
    await expect(loadPlugin('./broken.mjs', directory)).rejects.toThrow(/plugins: plugin '.\/broken.mjs' failed to load \(/);
  });
});
