import '@tensorflow/tfjs-backend-cpu';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendSpeedOrder } from '@distillery/core/internal';
import { saveModel } from '@distillery/node';
import { fixtureMlp } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDistillery } from './support/runDistillery.js';

let directory: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'distillery-bad-configs-'));
  // A teacher saved for examples of 5 features, where the data has 8.
  const narrow = fixtureMlp({ inputSize: 5, hidden: [4], classes: 3, prefix: 'narrow', seed: 1 });
  await saveModel(narrow, join(directory, 'models', 'narrow'));
  narrow.dispose();
  // Teachers that fit the data, with a damaged file each: weights.bin cut short, model.json cut short.
  const fitting = fixtureMlp({ inputSize: 8, hidden: [4], classes: 3, prefix: 'fitting', seed: 2 });
  for (const damaged of ['truncated-weights', 'corrupt-topology']) await saveModel(fitting, join(directory, 'models', damaged));
  fitting.dispose();
  const weights = await readFile(join(directory, 'models', 'truncated-weights', 'weights.bin'));
  await writeFile(join(directory, 'models', 'truncated-weights', 'weights.bin'), weights.subarray(0, 40));
  const topology = await readFile(join(directory, 'models', 'corrupt-topology', 'model.json'), 'utf8');
  await writeFile(join(directory, 'models', 'corrupt-topology', 'model.json'), topology.slice(0, 100));
  // A file where an output folder should be.
  await writeFile(join(directory, 'a-file'), 'not a folder\n');
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const distillery = runDistillery;

// biome-ignore lint/suspicious/noExplicitAny: the configs here are loose JSON, made wrong on purpose.
type Config = Record<string, any>;

/** A config that runs in about a second; each bad case below breaks one thing in it. */
function goodConfig(): Config {
  return {
    plugins: ['@distillery/plugin-response'],
    data: { source: 'synthetic', examples: 300, features: 8, classes: 3, validation: 60, test: 60 },
    teachers: [{ name: 'big', model: { type: 'mlp', hidden: [16] }, training: { epochs: 1, batchSize: 32 } }],
    student: { model: { type: 'mlp', hidden: [4] } },
    strategies: [{ key: 'response.kd', options: { temperature: 4 } }, { key: 'task.ce' }],
    training: { epochs: 1, batchSize: 32 },
    seeds: [1],
    backend: 'cpu',
    output: join(directory, 'runs'),
  };
}

const withFeaturePlugin = (config: Config) => {
  config.plugins.push('@distillery/plugin-feature');
};

interface Where {
  /** The config file as given on the command line. */
  readonly file: string;
  readonly folder: string;
  readonly runDirectory: string;
}

interface BadCase {
  readonly name: string;
  /** Changes the good config, or the config file's whole text; `null` writes no file. */
  readonly config: ((config: Config) => void) | ((where: Where) => string) | null;
  readonly yaml?: boolean;
  /** The one line on stderr, after `error: `. */
  readonly message: (where: Where) => string;
  /**
   * `error.txt`: the config was read, so its run directory gets the error and nothing else.
   * `nothing`: the config could not be read (so no run directory is known), or the run directory cannot be made.
   */
  readonly leaves: 'error.txt' | 'nothing';
  readonly runDirectory?: (folder: string, name: string) => string;
}

const badCases: readonly BadCase[] = [
  // Found by the schema while the file is read.
  {
    name: 'epochs-in-words',
    config: (config: Config) => {
      config.training.epochs = 'ten';
    },
    message: ({ file }) => `${file}: training.epochs: Invalid input: expected number, received string`,
    leaves: 'nothing',
  },
  {
    name: 'no-student',
    config: (config: Config) => {
      delete config.student;
    },
    message: ({ file }) => `${file}: student: Invalid input: expected object, received undefined`,
    leaves: 'nothing',
  },
  {
    name: 'typo-in-a-key',
    config: (config: Config) => {
      config.seed = config.seeds;
      delete config.seeds;
    },
    message: ({ file }) => `${file}: (root): unknown key 'seed'`,
    leaves: 'nothing',
  },
  {
    name: 'typo-in-a-nested-key',
    config: (config: Config) => {
      config.student.model.hiden = [4];
    },
    message: ({ file }) => `${file}: student.model: unknown key 'hiden'`,
    leaves: 'nothing',
  },
  {
    name: 'typo-in-an-optimizer-key',
    config: (config: Config) => {
      config.training.optimizer = { name: 'adam', learningrate: 0.01 };
    },
    message: ({ file }) => `${file}: training.optimizer: unknown key 'learningrate'`,
    leaves: 'nothing',
  },
  {
    name: 'peer-named-like-the-student',
    config: (config: Config) => {
      config.peers = [{ name: 'student', model: { type: 'mlp', hidden: [4] } }];
    },
    message: ({ file }) => `${file}: peers[0].name: the name 'student' is used twice`,
    leaves: 'nothing',
  },
  {
    name: 'mutual-learning-without-peers',
    config: (config: Config) => {
      config.plugins = ['@distillery/plugin-self-distillation'];
      config.teachers = [];
      config.strategies = [{ key: 'task.ce' }, { key: 'online.dml' }];
    },
    message: () => 'strategies[1].options: online.dml needs peers to learn with; give the experiment peers: [{ name, model }]',
    leaves: 'error.txt',
  },
  {
    name: 'negative-weight',
    config: (config: Config) => {
      config.strategies[1].weight = -0.5;
    },
    message: ({ file }) => `${file}: strategies[1].weight: expected a finite number ≥ 0`,
    leaves: 'nothing',
  },
  {
    name: 'no-strategies',
    config: (config: Config) => {
      config.strategies = [];
    },
    message: ({ file }) => `${file}: strategies: expected at least one strategy, e.g. { key: task.ce }`,
    leaves: 'nothing',
  },
  {
    name: 'fractional-seed',
    config: (config: Config) => {
      config.seeds = [1, 2.5];
    },
    message: ({ file }) => `${file}: seeds[1]: Invalid input: expected int, received number`,
    leaves: 'nothing',
  },
  {
    name: 'label-noise-fraction-as-a-percentage',
    config: (config: Config) => {
      config.data.labelNoise = { fraction: 40 };
    },
    message: ({ file }) => `${file}: data.labelNoise.fraction: expected a number in (0, 1)`,
    leaves: 'nothing',
  },
  {
    name: 'unknown-backend',
    config: (config: Config) => {
      config.backend = 'gpu';
    },
    message: ({ file }) =>
      `${file}: backend: Invalid option: expected one of "auto"|"tensorflow"|"native"|"webgpu"|"webgl"|"wasm"|"cpu"`,
    leaves: 'nothing',
  },
  {
    name: 'zoo-teacher-without-training',
    config: (config: Config) => {
      delete config.teachers[0].training;
    },
    message: ({ file }) =>
      `${file}: teachers[0].training: a mlp teacher from the zoo is trained on the labels first: give its training options (e.g. { epochs: 5 })`,
    leaves: 'nothing',
  },
  {
    name: 'missing-config-file',
    config: null,
    message: ({ file }) => `config file not found: ${file}`,
    leaves: 'nothing',
  },
  {
    name: 'tab-indented',
    yaml: true,
    config: ({ folder }: Where) => `output: ${folder}/runs\ndata:\n\tsource: synthetic\n`,
    // The tab opens line 3.
    message: ({ file }) => `${file}: not valid YAML or JSON (line 3, column 1): Tabs are not allowed as indentation`,
    leaves: 'nothing',
  },
  {
    name: 'unclosed-list',
    yaml: true,
    config: ({ folder }: Where) =>
      `output: ${folder}/runs\ndata: { source: synthetic }\nstudent: { model: { type: mlp } }\nstrategies: [{ key: task.ce }\n`,
    // The parser looks for the ] until the end of the text: line 5, after the last line break.
    message: ({ file }) =>
      `${file}: not valid YAML or JSON (line 5, column 1): Flow sequence in block collection must be sufficiently indented and end with a ]`,
    leaves: 'nothing',
  },
  {
    name: 'yaml-tag',
    yaml: true,
    config: ({ folder }: Where) => `output: ${folder}/runs\ndata: !!js/function "function () { return 1 }"\n`,
    // `data: ` takes 6 columns, so the tag starts in column 7 of line 2; the core schema knows no js/function.
    message: ({ file }) => `${file}: not valid YAML or JSON (line 2, column 7): Unresolved tag: tag:yaml.org,2002:js/function`,
    leaves: 'nothing',
  },
  // Found while plugins, data and models are loaded and the distillation is composed once.
  {
    name: 'unknown-strategy',
    config: (config: Config) => {
      config.strategies[0].key = 'response.kdd';
    },
    // task.ce is the kernel's own; the response plugin binds response.ctkd, .dist, .dkd, .kd and .tfkd; sorted.
    message: () =>
      "strategies[0].key: unknown strategy 'response.kdd'; registered: response.ctkd, response.dist, response.dkd, response.kd, response.tfkd, task.ce",
    leaves: 'error.txt',
  },
  {
    name: 'unknown-plugin-package',
    config: (config: Config) => {
      config.plugins.push('@distillery/plugin-nonexistent');
    },
    // Looked up from the config's folder, then from the working directory.
    message: ({ folder }) => `plugins[1]: cannot find plugin '@distillery/plugin-nonexistent' from ${folder} or ${process.cwd()}`,
    leaves: 'error.txt',
  },
  {
    name: 'missing-plugin-path',
    config: (config: Config) => {
      config.plugins.push('./plugins/mine');
    },
    message: ({ folder }) => `plugins[1]: cannot find plugin './plugins/mine' at ${folder}/plugins/mine`,
    leaves: 'error.txt',
  },
  {
    name: 'negative-temperature',
    config: (config: Config) => {
      config.strategies[0].options.temperature = -1;
    },
    message: () => 'strategies[0].options.temperature: expected a positive number',
    leaves: 'error.txt',
  },
  {
    name: 'distillation-without-teacher',
    config: (config: Config) => {
      config.teachers = [];
    },
    message: () => 'strategies[0].options.teacher: response.kd needs a teacher, but the experiment has none',
    leaves: 'error.txt',
  },
  {
    name: 'tap-on-a-missing-student-layer',
    config: (config: Config) => {
      withFeaturePlugin(config);
      config.strategies.push({
        key: 'feature.hint',
        options: { pairs: [{ student: 'student_hidden2', teacher: 'big_hidden1' }] },
      });
    },
    // The zoo MLP on flat examples of 8: student_hidden1 (4 units) and student_logits (3 classes), no flatten layer.
    message: () =>
      "strategies[2]: the student has no layer named 'student_hidden2'; its layers are: student_hidden1 [B,4], student_logits [B,3]",
    leaves: 'error.txt',
  },
  {
    name: 'tap-on-a-missing-teacher-layer',
    config: (config: Config) => {
      withFeaturePlugin(config);
      config.strategies.push({ key: 'feature.hint', options: { pairs: [{ student: 'student_hidden1', teacher: 'big_conv1' }] } });
    },
    message: () =>
      "strategies[2]: teacher 'big' has no layer named 'big_conv1'; its layers are: big_hidden1 [B,16], big_logits [B,3]",
    leaves: 'error.txt',
  },
  {
    name: 'missing-teacher-file',
    config: (config: Config) => {
      config.teachers[0] = { name: 'big', model: { type: 'file', path: 'models/wide' } };
    },
    message: ({ folder }) => `teachers[0].model.path: model file not found: ${folder}/models/wide/model.json`,
    leaves: 'error.txt',
  },
  {
    name: 'truncated-teacher-weights',
    config: (config: Config) => {
      config.teachers[0] = { name: 'big', model: { type: 'file', path: 'models/truncated-weights' } };
    },
    message: ({ folder }) =>
      // 8·4 + 4 + 4·3 + 3 = 51 float32 weights = 204 bytes.
      `teachers[0].model.path: weights of ${folder}/models/truncated-weights/model.json: the files hold 40 bytes but model.json describes 204 (truncated or from another model?)`,
    leaves: 'error.txt',
  },
  {
    name: 'corrupt-teacher-topology',
    config: (config: Config) => {
      config.teachers[0] = { name: 'big', model: { type: 'file', path: 'models/corrupt-topology' } };
    },
    message: ({ folder }) =>
      `teachers[0].model.path: model file ${folder}/models/corrupt-topology/model.json is not valid JSON (Unterminated string in JSON at position 100)`,
    leaves: 'error.txt',
  },
  {
    name: 'teacher-for-other-data',
    config: (config: Config) => {
      config.teachers[0] = { name: 'big', model: { type: 'file', path: 'models/narrow' } };
    },
    message: ({ folder }) =>
      `teachers[0].model.path: the model at ${folder}/models/narrow takes examples of shape [5], the data has [8]`,
    leaves: 'error.txt',
  },
  {
    name: 'cnn-on-flat-data',
    config: (config: Config) => {
      config.student.model = { type: 'cnn', channels: [4] };
    },
    message: () => 'student.model: a cnn takes examples of shape [height, width, channels], the data has [8]',
    leaves: 'error.txt',
  },
  {
    name: 'holding-out-everything',
    config: (config: Config) => {
      config.data.examples = 100;
    },
    message: () => 'data.validation + data.test: holding out 60 + 60 = 120 of 100 examples leaves none to train on',
    leaves: 'error.txt',
  },
  {
    name: 'backend-not-installed',
    config: (config: Config) => {
      config.backend = 'webgl';
    },
    // No webgl in Node. The installed ones are those registered with tfjs (wasm and cpu always, tfjs-node or the
    // native backend where their packages load), fastest first.
    message: () => `backend: 'webgl' is not installed; installed: ${registeredBackends().join(', ')}`,
    leaves: 'error.txt',
  },
  {
    name: 'output-inside-a-file',
    config: (config: Config) => {
      config.output = join(directory, 'a-file', 'runs');
    },
    runDirectory: (folder, name) => join(folder, 'a-file', 'runs', name),
    message: ({ runDirectory }) => `output: cannot create the run directory ${runDirectory} (ENOTDIR)`,
    leaves: 'nothing',
  },
];

function registeredBackends(): string[] {
  const registered = backendSpeedOrder.filter((name) => tf.findBackendFactory(name) !== null);
  expect(registered).toEqual(expect.arrayContaining(['wasm', 'cpu']));
  return registered;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('distillery run with a bad config', () => {
  it('starts from a config that runs', async () => {
    const file = join(directory, 'good.json');
    await writeFile(file, JSON.stringify(goodConfig()));
    const { code, out, err } = await distillery('run', file, '--quiet');
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out.at(-1)).toBe(join(directory, 'runs', 'good'));
  });

  it.each(badCases.map((badCase) => [badCase.name, badCase] as const))(
    '%s: exits with 2 and one line that names the problem',
    async (name, badCase) => {
      const file = join(directory, `${name}.${badCase.yaml === true ? 'yaml' : 'json'}`);
      const runDirectory = badCase.runDirectory?.(directory, name) ?? join(directory, 'runs', name);
      const where: Where = { file, folder: directory, runDirectory };
      if (badCase.config !== null) {
        if (badCase.yaml === true) {
          await writeFile(file, (badCase.config as (where: Where) => string)(where));
        } else {
          const config = goodConfig();
          (badCase.config as (config: Config) => void)(config);
          await writeFile(file, JSON.stringify(config, null, 2));
        }
      }

      const { code, out, err } = await distillery('run', file);

      const message = badCase.message(where);
      expect(err).toEqual([`error: ${message}`]);
      expect(out).toEqual([]);
      expect(code).toBe(2);
      if (badCase.leaves === 'error.txt') {
        expect(await readdir(runDirectory)).toEqual(['error.txt']);
        expect(await readFile(join(runDirectory, 'error.txt'), 'utf8')).toBe(`${message}\n`);
      } else {
        expect(await exists(runDirectory)).toBe(false);
      }
    },
  );

  it('covers at least fifteen cases, each with its own message', () => {
    const where: Where = { file: 'f', folder: 'd', runDirectory: 'r' };
    expect(new Set(badCases.map((badCase) => badCase.message(where))).size).toBe(badCases.length);
    expect(badCases.length).toBeGreaterThanOrEqual(15);
  });
});

describe('distillery run on a finished run', () => {
  it('refuses to replace it unless --overwrite is given, and leaves it untouched', async () => {
    const file = join(directory, 'finished.json');
    await writeFile(file, JSON.stringify(goodConfig()));
    const runDirectory = join(directory, 'runs', 'finished');
    expect((await distillery('run', file, '-q')).code).toBe(0);
    const files = (await readdir(runDirectory)).sort();
    const summary = await readFile(join(runDirectory, 'summary.json'), 'utf8');

    const again = await distillery('run', file, '-q');
    expect(again).toEqual({
      code: 2,
      out: [],
      err: [`error: ${runDirectory} holds a finished run; pass --overwrite to replace it, or give the config another name`],
    });
    expect((await readdir(runDirectory)).sort()).toEqual(files);
    expect(await readFile(join(runDirectory, 'summary.json'), 'utf8')).toBe(summary);

    const replaced = await distillery('run', file, '-q', '--overwrite');
    expect(replaced.code).toBe(0);
    expect(replaced.out.at(-1)).toBe(runDirectory);
  });
});

describe('distillery used wrongly', () => {
  it('prints the usage and exits with 2 when given no command', async () => {
    const { code, err } = await distillery();
    expect(code).toBe(2);
    expect(err[0]).toMatch(/^Usage: distillery \[options\] \[command\]/);
  });

  it.each([
    [['frobnicate'], "error: unknown command 'frobnicate'"],
    [['run'], 'error: run: give either a config file or --resume <run-dir>'],
    [['run', 'a.yaml', '--resume', 'runs/x'], 'error: run: give either a config file or --resume <run-dir>'],
    [['export', '/nowhere'], "error: required option '--quantize <type>' not specified"],
    [
      ['export', '/nowhere', '--quantize', 'int4'],
      "error: option '--quantize <type>' argument 'int4' is invalid. Allowed choices are float16, uint8.",
    ],
    [['run', 'a.yaml', '--fast'], "error: unknown option '--fast'"],
  ])('exits with 2 for %j: %s', async (argv, message) => {
    const { code, out, err } = await distillery(...argv);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toBe(message);
  });

  it('asks sweep for a grid before reading anything', async () => {
    expect(await distillery('sweep', join(directory, 'absent.yaml'))).toEqual({
      code: 2,
      out: [],
      err: ['error: --grid: give at least one, e.g. --grid temperature=1,2,4,8'],
    });
  });

  it('says when report, export or inspect is pointed at the wrong folder', async () => {
    const empty = join(directory, 'empty');
    await mkdir(empty, { recursive: true });
    expect(await distillery('report', empty)).toEqual({
      code: 2,
      out: [],
      err: [`error: ${empty}: no summary.json; is it a finished run directory?`],
    });
    expect(await distillery('export', empty, '--quantize', 'uint8')).toEqual({
      code: 2,
      out: [],
      err: [`error: ${empty}: no student model (student/model.json); is it a finished run directory?`],
    });
    expect(await distillery('inspect', empty)).toEqual({
      code: 2,
      out: [],
      err: [`error: model file not found: ${empty}/model.json`],
    });
  });

  it('exits with 0 for --help', async () => {
    const { code, out } = await distillery('--help');
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('run [options] [config]');
  });
});

describe('distillery inspect', () => {
  it('lists a saved model’s layers, shapes and parameters, to choose taps', async () => {
    const { code, out } = await distillery('inspect', join(directory, 'models', 'narrow'));
    expect(code).toBe(0);
    // 5·4 + 4 = 24 and 4·3 + 3 = 15 parameters.
    expect(out.join('\n').split('\n')).toEqual([
      'narrow: input [B,5]',
      'layer           type   output shape  parameters',
      'narrow_hidden1  Dense  [B,4]                 24',
      'narrow_logits   Dense  [B,3]                 15',
      'total parameters: 39',
    ]);
  });
});
