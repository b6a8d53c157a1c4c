import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Module specifiers of every import, export-from and dynamic import in a TypeScript source. */
function importedSpecifiers(source: string): string[] {
  const pattern =
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  return [...source.matchAll(pattern)].map((match) => (match[1] ?? match[2] ?? match[3]) as string);
}

function sourcesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .map((file) => join(directory, file));
}

const forbidden = (specifier: string) =>
  specifier.startsWith('@distillery/plugin-') || /(^|\/)plugins\//.test(specifier) || specifier.startsWith('node:');

describe('the kernel', () => {
  it('finds imports of every form (the check itself works)', () => {
    const sample = `import { a } from '@distillery/plugin-response';\nexport * from '../../plugins/x/y.js';\nawait import('node:fs');\nimport 'reflect-metadata';`;
    expect(importedSpecifiers(sample)).toEqual([
      '@distillery/plugin-response',
      '../../plugins/x/y.js',
      'node:fs',
      'reflect-metadata',
    ]);
    expect(importedSpecifiers(sample).filter(forbidden)).toHaveLength(3);
  });

  it('imports nothing from plugins and no Node-only module', () => {
    const offending = sourcesUnder(join(root, 'packages/core/src')).flatMap((file) =>
      importedSpecifiers(readFileSync(file, 'utf8'))
        .filter(forbidden)
        .map((specifier) => `${file}: ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  it('depends on no plugin package', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8'));
    const names = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.devDependencies });
    expect(names.filter((name) => name.startsWith('@distillery/plugin-'))).toEqual([]);
  });
});
