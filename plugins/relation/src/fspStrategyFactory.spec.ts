import '@tensorflow/tfjs-backend-cpu';
import { type DistillationStrategy, DistilleryError, lossTotal, resizeBilinearHalfPixel, type TapShapes } from '@distillery/core';
import { creationContext, distillationContext, expectNoLeaks, strategyLoss } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fspLoss } from './fspLoss.js';
import { fspMatrix } from './fspMatrix.js';
import { fspStrategyFactory } from './fspStrategyFactory.js';
import { deferredCreate } from './relationStrategyTestKit.js';

const creation = creationContext({
  path: 'strategies[1].options',
  teacherNames: ['wide', 'deep'],
  seed: 5,
  term: 'relation.fsp',
});

let logits: tf.Tensor2D;
let labels: tf.Tensor1D;
const student: Record<string, tf.Tensor4D> = {};
const teacher: Record<string, tf.Tensor4D> = {};

/** Static shapes of every layer the spec taps; the batch has 3 examples. */
const shapes: TapShapes = {
  student: { s_stem: [null, 4, 4, 2], s_stage1: [null, 2, 2, 3], s_stage2: [null, 2, 2, 4], s_pool: [null, 4] },
  teachers: {
    wide: {
      t_stem: [null, 4, 4, 2],
      t_stem5: [null, 4, 4, 5],
      t_mid: [null, 2, 2, 3],
      t_wide: [null, 2, 2, 6],
      t_top: [null, 2, 2, 4],
    },
  },
  numClasses: 2,
};

/** A batch of 3 examples of a tapped map's static shape. */
const exampleShape = (shape: readonly (number | null)[]) => [3, ...shape.slice(1)] as [number, number, number, number];
/** The spec's student and teacher maps by layer name. */
const studentMap = (name: string) => student[name] as tf.Tensor4D;
const teacherMap = (name: string) => teacher[name] as tf.Tensor4D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  logits = tf.randomNormal([3, 2], 0, 1, 'float32', 40);
  labels = tf.tensor1d([0, 1, 0], 'int32');
  let seed = 41;
  for (const [name, shape] of Object.entries(shapes.student)) {
    if (shape.length === 4) student[name] = tf.randomNormal(exampleShape(shape), 0, 1, 'float32', seed++);
  }
  for (const [name, shape] of Object.entries(shapes.teachers.wide ?? {})) {
    teacher[name] = tf.randomNormal(exampleShape(shape), 0, 1, 'float32', seed++);
  }
});

afterAll(() => {
  tf.dispose([logits, labels, ...Object.values(student), ...Object.values(teacher)]);
});

const built: DistillationStrategy[] = [];

afterEach(() => {
  for (const strategy of built.splice(0)) strategy.dispose?.();
});

/** Creates the strategy and builds it on the spec's shapes; it is disposed after the test. */
function buildStrategy(options: unknown): DistillationStrategy {
  const strategy = fspStrategyFactory.create(options, creation);
  built.push(strategy);
  strategy.build?.(shapes);
  return strategy;
}

const context = () =>
  distillationContext({ student: { logits, features: student }, teachers: { wide: { logits, features: teacher } }, labels });

/** The FSP matrix of two maps of one model, the second resized to the first's H×W. */
const flow = (first: tf.Tensor4D, second: tf.Tensor4D) =>
  fspMatrix(first, resizeBilinearHalfPixel(second, [first.shape[1], first.shape[2]]));

/** Both pairs of equal channel counts: stem→stage1 (4×4 against 2×2, resized) and stage1→stage2. */
const equalWidths = {
  pairs: [
    { student: ['s_stem', 's_stage1'], teacher: ['t_stem', 't_mid'] },
    { student: ['s_stage1', 's_stage2'], teacher: ['t_mid', 't_top'] },
  ],
};

describe('fspStrategyFactory', () => {
  it('is registered as relation.fsp, cites Yim et al. 2017 and needs pairs of layer pairs', () => {
    expect(fspStrategyFactory.key).toBe('relation.fsp');
    expect(fspStrategyFactory.paper).toBe(
      'Yim, Joo, Bae, Kim 2017, "A Gift from Knowledge Distillation: Fast Optimization, Network Minimization and Transfer Learning", CVPR',
    );
    expect(fspStrategyFactory.description).toMatch(/^FSP \(Yim et al\. 2017\)/);
    expect(fspStrategyFactory.optionsSchema?.safeParse({}).success).toBe(false);
    expect(fspStrategyFactory.optionsSchema?.parse(equalWidths)).toEqual(equalWidths);
  });

  it("taps each pair's layers once, on the named teacher", () => {
    const strategy = fspStrategyFactory.create({ ...equalWidths, teacher: 'deep' }, creation);
    expect(strategy.key).toBe('relation.fsp');
    expect(strategy.taps).toEqual({
      student: ['s_stem', 's_stage1', 's_stage2'],
      teachers: { deep: ['t_stem', 't_mid', 't_top'] },
    });
    expect(strategy.variables?.()).toEqual([]);
  });

  it('needs no adapter where channel counts match; the loss is fspLoss of the raw maps’ FSP matrices', async () => {
    const strategy = buildStrategy(equalWidths);
    expect(strategy.variables?.()).toEqual([]);
    const expected = tf.tidy(() => {
      const studentMatrices = [
        flow(studentMap('s_stem'), studentMap('s_stage1')),
        flow(studentMap('s_stage1'), studentMap('s_stage2')),
      ];
      const teacherMatrices = [flow(teacherMap('t_stem'), teacherMap('t_mid')), flow(teacherMap('t_mid'), teacherMap('t_top'))];
      return fspLoss(studentMatrices, teacherMatrices).dataSync()[0] as number;
    });
    expect(expected).toBeGreaterThan(0);
    expect(await strategyLoss(strategy, context())).toBeCloseTo(expected, 6);
  });

  it("creates a 1×1 adapter only where a student layer's channels differ from its teacher layer's", () => {
    const strategy = buildStrategy({
      pairs: [
        { student: ['s_stem', 's_stage1'], teacher: ['t_stem5', 't_wide'] },
        { student: ['s_stem', 's_stage1'], teacher: ['t_stem', 't_wide'] },
        { student: ['s_stage1', 's_stage2'], teacher: ['t_mid', 't_top'] },
      ],
    });
    expect(strategy.variables?.().map((variable) => [variable.name, variable.shape])).toEqual([
      ['relation.fsp/pairs[0]/0/kernel', [1, 1, 2, 5]],
      ['relation.fsp/pairs[0]/0/bias', [5]],
      ['relation.fsp/pairs[0]/1/kernel', [1, 1, 3, 6]],
      ['relation.fsp/pairs[0]/1/bias', [6]],
      ['relation.fsp/pairs[1]/1/kernel', [1, 1, 3, 6]],
      ['relation.fsp/pairs[1]/1/bias', [6]],
    ]);
  });

  it('maps the student layer through its adapter, conv1×1 plus bias, before the FSP matrix', async () => {
    const strategy = buildStrategy({ pairs: [{ student: ['s_stem', 's_stage1'], teacher: ['t_stem', 't_wide'] }] });
    const [kernel, bias] = strategy.variables?.() ?? [];
    bias?.assign(tf.tensor1d([0.5, -0.25, 0, 1, -1, 0.75]));
    const expected = tf.tidy(() => {
      const adapted = tf.add(tf.conv2d(studentMap('s_stage1'), kernel as tf.Tensor4D, 1, 'valid'), bias as tf.Tensor);
      const studentMatrix = flow(studentMap('s_stem'), adapted as tf.Tensor4D);
      return fspLoss([studentMatrix], [flow(teacherMap('t_stem'), teacherMap('t_wide'))]).dataSync()[0] as number;
    });
    expect(await strategyLoss(strategy, context())).toBeCloseTo(expected, 6);
  });

  it("seeds the adapter of pair p, layer l with '<training seed>/relation.fsp/<p>/<l>' and starts its bias at 0", async () => {
    const strategy = buildStrategy({ pairs: [{ student: ['s_stem', 's_stage1'], teacher: ['t_stem', 't_wide'] }] });
    const [kernel, bias] = strategy.variables?.() ?? [];
    // Glorot-uniform limit √(6 / (3 + 6)).
    const limit = Math.sqrt(6 / 9);
    const expected = tf.tidy(() =>
      Array.from(tf.randomUniform([1, 1, 3, 6], -limit, limit, 'float32', '5/relation.fsp/0/1').dataSync()),
    );
    expect(Array.from(await (kernel as tf.Variable).data())).toEqual(expected);
    expect(Array.from(await (bias as tf.Variable).data())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("sends gradients to every adapter's kernel and bias", async () => {
    const strategy = buildStrategy({ pairs: [{ student: ['s_stem', 's_stage1'], teacher: ['t_stem5', 't_wide'] }] });
    const variables = strategy.variables?.() ?? [];
    expect(variables).toHaveLength(4);
    const sizes = await expectNoLeaks(() =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => lossTotal(strategy.loss(context())), [...variables]);
        value.dispose();
        return variables.map((variable) => {
          const gradient = grads[variable.name] as tf.Tensor;
          expect(gradient.shape).toEqual(variable.shape);
          return tf.sum(tf.abs(gradient)).dataSync()[0] as number;
        });
      }),
    );
    for (const size of sizes) {
      expect(Number.isFinite(size)).toBe(true);
      expect(size).toBeGreaterThan(0);
    }
  });

  it('frees its adapters on dispose, and the old ones when built again', () => {
    const before = tf.memory().numTensors;
    const strategy = fspStrategyFactory.create(
      { pairs: [{ student: ['s_stem', 's_stage1'], teacher: ['t_stem5', 't_wide'] }] },
      creation,
    );
    strategy.build?.(shapes);
    const first = strategy.variables?.() ?? [];
    expect(tf.memory().numTensors).toBe(before + 4);
    strategy.build?.(shapes);
    expect(first.every((variable) => variable.isDisposed)).toBe(true);
    const second = strategy.variables?.() ?? [];
    // The first adapters' names were freed with them, so the second build reuses them.
    expect(second.map((variable) => variable.name)).toEqual(first.map((variable) => variable.name));
    expect(tf.memory().numTensors).toBe(before + 4);
    strategy.dispose?.();
    expect(second.every((variable) => variable.isDisposed)).toBe(true);
    expect(strategy.variables?.()).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a layer that is not a feature map at build, freeing the adapters it had made', () => {
    const before = tf.memory().numTensors;
    const strategy = fspStrategyFactory.create(
      {
        pairs: [
          { student: ['s_stem', 's_stage1'], teacher: ['t_stem5', 't_wide'] },
          { student: ['s_stem', 's_pool'], teacher: ['t_stem5', 't_top'] },
        ],
      },
      creation,
    );
    expect(() => strategy.build?.(shapes)).toThrow(DistilleryError);
    expect(() => strategy.build?.(shapes)).toThrow(
      "strategies[1].options.pairs[1]: FSP needs feature maps [B, H, W, C], but student layer 's_pool' gives [B, 4]",
    );
    expect(strategy.variables?.()).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the layer the kernel gave no shape for', () => {
    const strategy = fspStrategyFactory.create(
      { pairs: [{ student: ['s_stem', 's_stage1'], teacher: ['t_stem', 't_gone'] }] },
      creation,
    );
    expect(() => strategy.build?.(shapes)).toThrow(
      "strategies[1].options.pairs[0]: the kernel gave no shape for teacher layer 't_gone'",
    );
  });

  it('rejects bad options with one line naming the option', () => {
    const create = deferredCreate(fspStrategyFactory, creation);
    const pairShape = "{ student: ['<first>', '<second>'], teacher: ['<first>', '<second>'] }";
    expect(create({})).toThrow(DistilleryError);
    expect(create({})).toThrow(`strategies[1].options.pairs: expected an array of ${pairShape}`);
    expect(create({ pairs: [] })).toThrow('strategies[1].options.pairs: expected at least one pair of layer pairs');
    expect(create({ pairs: [{ student: 's_stem', teacher: ['t_stem', 't_mid'] }] })).toThrow(
      "strategies[1].options.pairs[0].student: expected two layer names, ['<first>', '<second>']",
    );
    expect(create({ pairs: [{ student: ['s_stem', ''], teacher: ['t_stem', 't_mid'] }] })).toThrow(
      'strategies[1].options.pairs[0].student[1]: expected a layer name',
    );
    expect(create({ pairs: [{ student: ['s_stem', 's_stage1'], teacher: ['t_stem', 't_mid'], weight: 1 }] })).toThrow(
      "strategies[1].options.pairs[0]: unknown key 'weight'",
    );
    expect(create({ ...equalWidths, resize: 'bilinear' })).toThrow("strategies[1].options: unknown key 'resize'");
    expect(create({ ...equalWidths, teacher: 'tall' })).toThrow(
      "strategies[1].options.teacher: unknown teacher 'tall'; the teachers are: wide, deep",
    );
    expect(() => fspStrategyFactory.create(equalWidths, { ...creation, teacherNames: [] })).toThrow(
      'strategies[1].options.teacher: relation.fsp needs a teacher, but the experiment has none',
    );
  });

  it('leaks nothing over create, build, loss and dispose', async () => {
    await expectNoLeaks(async () => {
      const strategy = fspStrategyFactory.create(
        { pairs: [{ student: ['s_stem', 's_stage1'], teacher: ['t_stem5', 't_wide'] }, ...equalWidths.pairs] },
        creation,
      );
      strategy.build?.(shapes);
      await strategyLoss(strategy, context());
      await strategyLoss(strategy, context());
      strategy.dispose?.();
    });
  });
});
