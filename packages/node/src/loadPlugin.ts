import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DistilleryError } from '@distillery/core';
import type { ContainerModule } from 'inversify';

/**
 * Loads a strategy plugin, à la carte: an npm package name (`@distillery/plugin-response`) or a
 * path to a package directory or module file (`./my-plugin`), resolved from `baseDirectory`.
 * The module must export a ContainerModule, as its default export or as a named one.
 * @param field where the specifier stands in the config, for error messages.
 */
export async function loadPlugin(specifier: string, baseDirectory = process.cwd(), field = 'plugins'): Promise<ContainerModule> {
  const isPath = specifier.startsWith('.') || isAbsolute(specifier) || specifier.startsWith('file:');
  const target = isPath
    ? resolve(baseDirectory, specifier.replace(/^file:\/\//, ''))
    : findPackageDirectory(specifier, baseDirectory);
  if (target === undefined || !existsSync(target)) {
    throw new DistilleryError(
      `${field}: cannot find plugin '${specifier}'${isPath ? ` at ${target}` : ` from ${baseDirectory}`}`,
      field,
    );
  }
  const entry = statSync(target).isDirectory() ? packageEntry(target, specifier, field) : target;
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (error) {
    throw new DistilleryError(
      `${field}: plugin '${specifier}' failed to load (${(error as Error).message.split('\n')[0]})`,
      field,
    );
  }
  const candidates = [module.default, ...Object.values(module)];
  const plugin = candidates.find(isContainerModule);
  if (plugin === undefined) {
    throw new DistilleryError(
      `${field}: plugin '${specifier}' exports no InversifyJS ContainerModule (expected a default export)`,
      field,
    );
  }
  return plugin;
}

function isContainerModule(value: unknown): value is ContainerModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { load?: unknown }).load === 'function' &&
    typeof (value as { id?: unknown }).id === 'number'
  );
}

/** node_modules lookup from `from` upwards, as Node resolves bare specifiers. */
function findPackageDirectory(name: string, from: string): string | undefined {
  let directory = resolve(from);
  for (;;) {
    const candidate = join(directory, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** The ESM entry of a package directory: exports["."] (import or default condition), else main, else index.js. */
function packageEntry(directory: string, specifier: string, field: string): string {
  const manifestPath = join(directory, 'package.json');
  if (!existsSync(manifestPath)) return join(directory, 'index.js');
  let manifest: { exports?: unknown; main?: string };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new DistilleryError(
      `${field}: plugin '${specifier}' has an unreadable package.json (${(error as Error).message})`,
      field,
    );
  }
  const root =
    typeof manifest.exports === 'object' && manifest.exports !== null && '.' in manifest.exports
      ? (manifest.exports as Record<string, unknown>)['.']
      : manifest.exports;
  const conditional = root as { import?: unknown; default?: unknown } | undefined;
  const fromExports =
    typeof root === 'string' ? root : typeof conditional?.import === 'string' ? conditional.import : conditional?.default;
  const entry = typeof fromExports === 'string' ? fromExports : (manifest.main ?? 'index.js');
  return join(directory, entry);
}
