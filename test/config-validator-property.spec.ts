import '@tensorflow/tfjs-backend-cpu';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProgram } from '@distillery/cli';
import { parseConfig } from '@distillery/config';
import { DistilleryError } from '@distillery/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

/** Fixed, so that CI sees the same inputs on every run; fast-check prints the seed and the shrunk counterexample on failure. */
const seed = 20_250_611;
const source = 'experiment.yaml';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/** The config of test/cli-run.spec.ts, as an object. */
function validConfig(output: string): { [key: string]: Json } {
  return {
    name: 'kd-run',
    description: 'Hinton KD from a 32-unit MLP into an 8-unit one, beside the same student trained alone',
    plugins: ['@distillery/plugin-response'],
    data: { source: 'synthetic', examples: 300, features: 8, classes: 3, validation: 60, test: 60 },
    teachers: [
      {
        name: 'big',
        model: { type: 'mlp', hidden: [32] },
        training: { epochs: 2, batchSize: 32, optimizer: { name: 'adam', learningRate: 0.01 } },
      },
    ],
    student: { model: { type: 'mlp', hidden: [8] } },
    strategies: [
      { key: 'response.kd', weight: 0.9, options: { temperature: 4 } },
      { key: 'task.ce', weight: 0.1 },
    ],
    training: { epochs: 2, batchSize: 32, optimizer: { name: 'adam', learningRate: 0.01 } },
    baseline: true,
    seeds: [1, 2],
    backend: 'cpu',
    output,
  };
}

// --- What the validator may do with any text ---

const stackFrame = /\bat .*:\d+:\d+\)?$/;

/**
 * What is wrong with how `parseConfig` treated `text`, or undefined: it must return a config, or throw a
 * DistilleryError whose message is one non-empty line that starts with the file it names.
 */
function parseProblem(text: string): string | undefined {
  let config: unknown;
  try {
    config = parseConfig(text, source);
  } catch (error) {
    if (!(error instanceof DistilleryError)) {
      const name = error instanceof Error ? error.constructor.name : typeof error;
      return `threw ${name} (not a DistilleryError): ${JSON.stringify(error instanceof Error ? error.message : String(error))}`;
    }
    const { message } = error;
    if (typeof message !== 'string' || message.trim() === '') return 'threw a DistilleryError with an empty message';
    if (/[\n\r]/.test(message)) return `threw a DistilleryError whose message is not one line: ${JSON.stringify(message)}`;
    if (stackFrame.test(message)) return `threw a DistilleryError with a stack frame in its message: ${JSON.stringify(message)}`;
    if (!message.startsWith(`${source}: `))
      return `threw a DistilleryError that does not name the file: ${JSON.stringify(message)}`;
    return undefined;
  }
  if (config === null || typeof config !== 'object') return `returned ${JSON.stringify(config)} instead of a config`;
  for (const key of ['data', 'student', 'strategies', 'training', 'output']) {
    if (!(key in config)) return `returned a config without '${key}'`;
  }
  return undefined;
}

function expectValidatorContract(text: string): void {
  const problem = parseProblem(text);
  if (problem !== undefined) expect.fail(`parseConfig(text, '${source}') ${problem}; text: ${JSON.stringify(text)}`);
}

const rejects = (text: string) => {
  try {
    parseConfig(text, source);
    return false;
  } catch {
    return true;
  }
};

// --- Texts: random, and rendered random values ---

/** Pieces of YAML and JSON syntax, so random texts reach anchors, aliases, tags, flow and block collections. */
const yamlSoup = fc
  .array(
    fc.constantFrom(
      'data',
      'student',
      'x',
      '1',
      '-1',
      '.nan',
      '.inf',
      'null',
      '~',
      ':',
      ': ',
      ' ',
      '  ',
      '\n',
      '\t',
      '- ',
      '[',
      ']',
      '{',
      '}',
      ',',
      '&a ',
      '*a',
      '*b',
      '!!str ',
      '!tag ',
      '? ',
      '|',
      '>',
      '#',
      '"',
      "'",
      '%YAML 1.2\n',
      '---\n',
      '...\n',
      '<<: ',
      '@',
      '`',
      '\\',
      '\u0000',
      '\uFEFF',
    ),
    { maxLength: 30 },
  )
  .map((pieces) => pieces.join(''));

function render(value: unknown, how: 'json' | 'pretty-json' | 'yaml' | 'flow-yaml'): string {
  switch (how) {
    case 'json':
      return JSON.stringify(value) ?? '';
    case 'pretty-json':
      return JSON.stringify(value, null, 2) ?? '';
    case 'yaml':
      return stringify(value) ?? '';
    case 'flow-yaml':
      return stringify(value, { collectionStyle: 'flow' }) ?? '';
  }
}
/** Nesting deep enough to exhaust the YAML parser's stack, in a place the schema does not look into (options) and at the top. */
const deeplyNested = fc
  .tuple(
    fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 300, max: 5000 })),
    fc.constantFrom('[', '{"a": ', '{a: '),
    fc.boolean(),
  )
  .map(([depth, open, inOptions]) => {
    const close = open === '[' ? ']' : '}';
    const value = `${open.repeat(depth)}${open === '[' ? '' : '1'}${close.repeat(depth)}`;
    return inOptions
      ? `data: {source: synthetic}\nstudent: {model: {type: mlp}}\nstrategies: [{key: task.ce, options: ${value}}]\n`
      : value;
  });

const rendering = fc.constantFrom('json', 'pretty-json', 'yaml', 'flow-yaml') as fc.Arbitrary<
  'json' | 'pretty-json' | 'yaml' | 'flow-yaml'
>;

/** Objects with the config's own top-level keys holding anything, so the schema is reached beyond its first check. */
const configShapedValue = fc.record(
  {
    name: fc.anything(),
    plugins: fc.anything(),
    data: fc.oneof(
      fc.anything(),
      fc.record({ source: fc.constantFrom('synthetic', 'csv', 'mnist', 'other') }, { requiredKeys: [] }),
    ),
    teachers: fc.oneof(fc.anything(), fc.array(fc.anything(), { maxLength: 3 })),
    student: fc.oneof(fc.anything(), fc.record({ name: fc.anything(), model: fc.anything() }, { requiredKeys: [] })),
    strategies: fc.oneof(fc.anything(), fc.array(fc.record({ key: fc.anything(), weight: fc.anything() }, { requiredKeys: [] }))),
    training: fc.anything(),
    seeds: fc.anything(),
    backend: fc.anything(),
    output: fc.anything(),
  },
  { requiredKeys: [] },
);

// --- Mutations of the valid config ---

/** One change to a config; `pick` chooses the node it applies to among those it can apply to. */
type Mutation =
  | { readonly kind: 'delete'; readonly pick: number }
  | { readonly kind: 'retype'; readonly pick: number; readonly values: readonly Json[] }
  | { readonly kind: 'unknown-key'; readonly pick: number; readonly key: string; readonly value: Json }
  | { readonly kind: 'number'; readonly pick: number; readonly value: number }
  | {
      readonly kind: 'enum';
      readonly pick: number;
      readonly how: 'upper' | 'append' | 'truncate' | 'pad' | 'empty' | 'replace';
      readonly text: string;
    }
  | { readonly kind: 'nest'; readonly pick: number; readonly depth: number; readonly shape: 'array' | 'object' };

const pick = fc.nat({ max: 10_000 });
const smallJson = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), pick }),
  fc.record({
    kind: fc.constant('retype' as const),
    pick,
    // The first whose type differs from the old value's is used; the last three always include one that does.
    values: fc.tuple(smallJson, fc.string(), fc.double(), fc.constant(null)),
  }),
  fc.record({
    kind: fc.constant('unknown-key' as const),
    pick,
    key: fc.oneof(
      fc.string({ minLength: 1 }),
      fc.string({ unit: 'binary', minLength: 1 }),
      fc.constantFrom('__proto__', 'constructor', 'toString', 'seed', 'hiden', 'learningrate', 'a\nb', 'tab\there', ' ', '-'),
    ),
    value: smallJson,
  }),
  fc.record({
    kind: fc.constant('number' as const),
    pick,
    value: fc.oneof(
      fc.constantFrom(
        -1,
        -0,
        0,
        0.5,
        -1e-9,
        1e308,
        -1e308,
        2 ** 31,
        2 ** 53 + 2,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        -Infinity,
      ),
      fc.double(),
      fc.integer({ min: -1_000_000, max: -1 }),
    ),
  }),
  fc.record({
    kind: fc.constant('enum' as const),
    pick,
    how: fc.constantFrom('upper', 'append', 'truncate', 'pad', 'empty', 'replace') as fc.Arbitrary<
      'upper' | 'append' | 'truncate' | 'pad' | 'empty' | 'replace'
    >,
    text: fc.string({ maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('nest' as const),
    pick,
    depth: fc.integer({ min: 1, max: 200 }),
    shape: fc.constantFrom('array', 'object') as fc.Arbitrary<'array' | 'object'>,
  }),
);

const typeOf = (value: Json) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** Every node under the root, with its path. */
function nodesOf(value: Json, path: Path = []): { path: Path; value: Json }[] {
  const here = path.length === 0 ? [] : [{ path, value }];
  if (Array.isArray(value)) return [...here, ...value.flatMap((child, i) => nodesOf(child, [...path, i]))];
  if (value !== null && typeof value === 'object') {
    return [...here, ...Object.keys(value).flatMap((key) => nodesOf(value[key] as Json, [...path, key]))];
  }
  return here;
}

function containerAt(root: Json, path: Path): Json {
  return path.reduce<Json>((node, segment) => (node as Record<string | number, Json>)[segment] as Json, root);
}

/** Sets own properties even for keys such as `__proto__`, so they reach the rendered text. */
function setAt(root: Json, path: Path, value: Json): void {
  const parent = containerAt(root, path.slice(0, -1)) as Record<string | number, Json>;
  Object.defineProperty(parent, path.at(-1) as string | number, { value, enumerable: true, writable: true, configurable: true });
}

function deleteAt(root: Json, path: Path): void {
  const parent = containerAt(root, path.slice(0, -1));
  const last = path.at(-1) as string | number;
  if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete (parent as Record<string, Json>)[last];
}

function changedString(old: string, how: Extract<Mutation, { kind: 'enum' }>['how'], text: string): string {
  switch (how) {
    case 'upper':
      return old.toUpperCase() === old ? old.toLowerCase() : old.toUpperCase();
    case 'append':
      return `${old}${text || 'x'}`;
    case 'truncate':
      return old.slice(0, -1);
    case 'pad':
      return ` ${old} `;
    case 'empty':
      return '';
    case 'replace':
      return text;
  }
}

function nested(depth: number, shape: 'array' | 'object'): Json {
  let value: Json = 1;
  for (let i = 0; i < depth; i++) value = shape === 'array' ? [value] : { a: value };
  return value;
}

/** Applies `mutations` in turn to a copy of `config`; one that finds nothing to apply to changes nothing. */
function mutate(config: { [key: string]: Json }, mutations: readonly Mutation[]): { [key: string]: Json } {
  const root = structuredClone(config);
  for (const change of mutations) {
    const nodes = nodesOf(root);
    const among = <T>(candidates: readonly T[]): T | undefined => candidates[change.pick % Math.max(1, candidates.length)];
    switch (change.kind) {
      case 'delete': {
        const target = among(nodes);
        if (target !== undefined) deleteAt(root, target.path);
        break;
      }
      case 'retype': {
        const target = among(nodes);
        const value = change.values.find((candidate) => typeOf(candidate) !== typeOf(target?.value ?? null));
        if (target !== undefined && value !== undefined) setAt(root, target.path, value);
        break;
      }
      case 'unknown-key': {
        const objects = [{ path: [] as Path, value: root as Json }, ...nodes].filter(
          ({ value }) => value !== null && typeof value === 'object' && !Array.isArray(value),
        );
        const target = among(objects);
        if (target !== undefined) setAt(root, [...target.path, change.key], change.value);
        break;
      }
      case 'number': {
        const target = among(nodes.filter(({ value }) => typeof value === 'number'));
        if (target !== undefined) setAt(root, target.path, change.value);
        break;
      }
      case 'enum': {
        const target = among(nodes.filter(({ value }) => typeof value === 'string'));
        if (target !== undefined) setAt(root, target.path, changedString(target.value as string, change.how, change.text));
        break;
      }
      case 'nest': {
        const target = among(nodes);
        if (target !== undefined) setAt(root, target.path, nested(change.depth, change.shape));
        break;
      }
    }
  }
  return root;
}

const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });

// --- Counterexamples found by the properties ---

/** Nine aliases of nine aliases of …: the YAML library refuses to expand it. */
const aliasBomb = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  ...['b', 'c', 'd', 'e', 'f'].map((anchor, i) => {
    const alias = `*${String.fromCharCode(97 + i)}`;
    return `${anchor}: &${anchor} [${Array(9).fill(alias).join(', ')}]`;
  }),
].join('\n');

const foundCounterexamples: readonly { what: string; text: string }[] = [
  { what: 'an alias whose anchor is missing', text: 'data: *x\n' },
  { what: 'an alias bomb', text: `${aliasBomb}\n` },
  { what: 'an unknown key with a line break in it', text: '{"a\\nb": 0}' },
  { what: 'an unknown key with a carriage return in it', text: '{"a\\rb": 0}' },
];

// --- The properties ---

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'distillery-config-property-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('parseConfig on random and mutated configs', () => {
  it('accepts the valid config in every rendering (the base of the mutations)', () => {
    for (const how of ['json', 'pretty-json', 'yaml', 'flow-yaml'] as const) {
      const config = parseConfig(render(validConfig('/tmp/runs'), how), source);
      expect(config.name).toBe('kd-run');
      expect(config.strategies.map((strategy) => strategy.key)).toEqual(['response.kd', 'task.ce']);
    }
  });

  it('returns a config or throws a one-line DistilleryError for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), yamlSoup), (text) => {
        expectValidatorContract(text);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('returns a config or throws a one-line DistilleryError for any JSON value, any value as JSON or YAML, and deep nesting', () => {
    const values = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.tuple(fc.anything(), rendering).map(([value, how]) => render(value, how)),
      fc.tuple(configShapedValue, rendering).map(([value, how]) => render(value, how)),
      deeplyNested,
    );
    fc.assert(
      fc.property(values, (text) => {
        expectValidatorContract(text);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('returns a config or throws a one-line DistilleryError for mutations of a valid config', () => {
    fc.assert(
      fc.property(mutations, rendering, (changes, how) => {
        expectValidatorContract(render(mutate(validConfig('/tmp/runs'), changes), how));
      }),
      { seed, numRuns: 300 },
    );
  });

  // Counterexamples the properties above found, kept so that they are checked whatever the seed.
  it.each(foundCounterexamples.map(({ what, text }) => [what, text] as const))('keeps to it for %s', (_, text) => {
    expectValidatorContract(text);
  });
});

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Runs `distillery run <folder>/<name>.<extension> --quiet` on `text`, a config that parseConfig rejects, and
 * expects nothing written (no `output` folder, no run directory in it, nothing but config files in `folder`),
 * exit code 2 and one `error: ` line.
 */
async function expectRunToRefuse(folder: string, name: string, extension: 'json' | 'yaml', text: string, output: string) {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, `${name}.${extension}`), text);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runProgram(['run', join(folder, `${name}.${extension}`), '--quiet'], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });

  // Nothing written, first: this holds even where the message below is wrong.
  expect(await exists(output), `${output} was created`).toBe(false);
  expect(await exists(join(output, name)), `the run directory ${join(output, name)} was created`).toBe(false);
  expect(
    (await readdir(folder)).filter((entry) => !/\.(json|yaml)$/.test(entry)),
    `written beside ${name}`,
  ).toEqual([]);
  const lines = err.flatMap((line) => line.split(/\r?\n|\r/));
  expect({ code, out, lines: lines.length }, `stderr: ${JSON.stringify(err)}; config: ${text}`).toEqual({
    code: 2,
    out: [],
    lines: 1,
  });
  expect(err[0]).toMatch(/^error: \S/);
}

describe('distillery run on a config that parseConfig rejects', () => {
  it('exits with 2, prints one `error: ` line and creates neither the output folder nor the run directory', async () => {
    const folder = join(directory, 'mutated');
    let count = 0;
    const rejected = fc
      .tuple(mutations, rendering)
      .map(([changes, how]) => {
        count++;
        const name = `case-${count}`;
        const output = join(folder, `${name}-output`);
        // The output stays where this test looks, whatever the mutations did to it.
        const text = render({ ...mutate(validConfig(output), changes), output }, how);
        return { changes, how, name, output, text };
      })
      .filter(({ text }) => rejects(text));

    await fc.assert(
      fc.asyncProperty(rejected, async ({ name, how, output, text }) => {
        await expectRunToRefuse(folder, name, how.endsWith('yaml') ? 'yaml' : 'json', text, output);
      }),
      { seed, numRuns: 25 },
    );
  });

  it.each(foundCounterexamples.map(({ what, text }, i) => [what, text, i] as const))('does so for %s', async (_, text, i) => {
    const folder = join(directory, 'found');
    const output = join(folder, `found-${i}-output`);
    const withOutput = text.startsWith('{')
      ? `{"output": ${JSON.stringify(output)}, ${text.slice(1)}`
      : `output: ${output}\n${text}`;
    expect(rejects(withOutput)).toBe(true);
    await expectRunToRefuse(folder, `found-${i}`, text.startsWith('{') ? 'json' : 'yaml', withOutput, output);
  });
});
