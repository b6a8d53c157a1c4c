// Correctness of the C++ addon (native/) on its own, against plain-JS references and tfjs-backend-cpu's
// kernels: every export, every SIMD flavour the CPU has, edge shapes, threading, and argument checks.
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type F32 = Float32Array;
type ConvGeometry = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];
type PoolGeometry = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

interface Addon {
  matMul(
    a: F32,
    b: F32,
    out: F32,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
    aBatchStride: number,
    bBatchStride: number,
    bias: F32 | null,
    activation: number,
    alpha: number,
    preluAlpha: F32 | null,
  ): void;
  conv2d(x: F32, filter: F32, out: F32, ...rest: [...ConvGeometry, F32 | null, number, number, F32 | null]): void;
  conv2dBackpropInput(dy: F32, filter: F32, dx: F32, ...geometry: ConvGeometry): void;
  conv2dBackpropFilter(x: F32, dy: F32, dw: F32, ...geometry: ConvGeometry): void;
  maxPool(x: F32, out: F32, ...geometry: PoolGeometry): void;
  maxPoolBackprop(dy: F32, x: F32, dx: F32, ...geometry: PoolGeometry): void;
  avgPool(x: F32, out: F32, ...geometry: PoolGeometry): void;
  avgPoolBackprop(dy: F32, dx: F32, ...geometry: PoolGeometry): void;
  binary(op: number, a: F32, b: F32, out: F32): void;
  unary(op: number, x: F32, out: F32, alpha: number): void;
  adamUpdate(variable: F32, m: F32, v: F32, g: F32, variableOut: F32, mOut: F32, vOut: F32, ...scalars: number[]): void;
  setThreads(n: number): number;
  threads(): number;
  simd(): string;
  setSimd(level: string): string;
}

// Fails, rather than skips, where node-gyp could not build the addon.
const addon = createRequire(import.meta.url)('../build/Release/distillery_native.node') as Addon;
const call = addon as unknown as Record<string, (...args: unknown[]) => unknown>;

const initialSimd = addon.simd();
const initialThreads = addon.threads();
const flavours = ['avx512', 'avx2', 'scalar'].filter((level) => {
  const got = addon.setSimd(level);
  addon.setSimd(initialSimd);
  return got === level;
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => {
  addon.setSimd(initialSimd);
  addon.setThreads(initialThreads);
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomArray(n: number, random: () => number): F32 {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = random() * 2 - 1;
  return a;
}

/** |actual - expected| <= tol * (1 + |expected|) everywhere; equal infinities and NaNs count as equal. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) continue;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) {
      expect.fail(`element ${i}: got ${a}, expected ${e}`);
    }
  }
}

function activate(x: number, act: number, alpha: number, prelu: number): number {
  switch (act) {
    case 1:
      return Math.max(x, 0);
    case 2:
      return Math.min(Math.max(x, 0), 6);
    case 3:
      return x < 0 ? alpha * x : x;
    case 4:
      return 1 / (1 + Math.exp(-x));
    case 5:
      return x >= 0 ? x : Math.expm1(x);
    case 6:
      return x < 0 ? prelu * x : x;
    default:
      return x;
  }
}

interface Epi {
  bias: F32 | null;
  act: number;
  alpha: number;
  prelu: F32 | null;
}
const noEpi: Epi = { bias: null, act: 0, alpha: 0, prelu: null };

function matMulRef(
  a: F32,
  b: F32,
  batch: number,
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
  sa: number,
  sb: number,
  epi: Epi,
): F32 {
  const out = new Float32Array(batch * m * n);
  for (let q = 0; q < batch; q++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a[q * sa + (ta ? p * m + i : i * k + p)] as number;
          const bv = b[q * sb + (tb ? j * k + p : p * n + j)] as number;
          s += av * bv;
        }
        s += epi.bias ? (epi.bias[j] as number) : 0;
        out[(q * m + i) * n + j] = activate(s, epi.act, epi.alpha, epi.prelu ? (epi.prelu[j] as number) : 0);
      }
    }
  }
  return out;
}

function runMatMul(
  a: F32,
  b: F32,
  batch: number,
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
  sa: number,
  sb: number,
  epi: Epi,
): F32 {
  const out = new Float32Array(batch * m * n).fill(Number.NaN);
  addon.matMul(a, b, out, batch, m, n, k, ta, tb, sa, sb, epi.bias, epi.act, epi.alpha, epi.prelu);
  return out;
}

/** Shapes around the tile and block edges of every flavour (micro-tiles 12x32, 6x16, 4x8; KC 384/256; NC 512/256). */
const gemmShapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [5, 1, 9],
  [13, 33, 5],
  [12, 32, 16],
  [6, 16, 8],
  [37, 65, 129],
  [25, 17, 400],
  [7, 10, 777],
  [3, 530, 20],
  [3100, 3, 4],
  [2, 3, 0],
  // At most one row panel: B read in place, in wide column chunks.
  [1, 300, 50],
  [1, 130, 400],
  [2, 200, 30],
  [4, 129, 17],
];

describe.each(flavours)('matMul with the %s kernels', (flavour) => {
  beforeAll(() => {
    addon.setSimd(flavour);
    addon.setThreads(1);
  });
  afterAll(() => {
    addon.setSimd(initialSimd);
    addon.setThreads(initialThreads);
  });

  it('is the simd flavour asked for', () => {
    expect(addon.simd()).toBe(flavour);
  });

  it.each(gemmShapes)('matches the reference at m=%i n=%i k=%i, with every transpose', (m, n, k) => {
    const random = rng(m * 1000003 + n * 1009 + k);
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = randomArray(m * k, random);
        const b = randomArray(k * n, random);
        expectClose(runMatMul(a, b, 1, m, n, k, ta, tb, 0, 0, noEpi), matMulRef(a, b, 1, m, n, k, ta, tb, 0, 0, noEpi));
      }
    }
  });

  it('runs strided batches, broadcasting a side whose batch stride is 0', () => {
    const random = rng(7);
    const [batch, m, n, k] = [3, 9, 35, 21];
    for (const [sa, sb] of [
      [m * k, k * n],
      [0, k * n],
      [m * k, 0],
      [m * k + 5, k * n + 3],
    ] as const) {
      for (const ta of [false, true]) {
        const a = randomArray(sa === 0 ? m * k : (batch - 1) * sa + m * k, random);
        const b = randomArray(sb === 0 ? k * n : (batch - 1) * sb + k * n, random);
        const got = runMatMul(a, b, batch, m, n, k, ta, !ta, sa, sb, noEpi);
        expectClose(got, matMulRef(a, b, batch, m, n, k, ta, !ta, sa, sb, noEpi));
      }
    }
  });

  it.each([0, 1, 2, 3, 4, 5, 6])('fuses bias and activation %i, on full and edge tiles', (act) => {
    const random = rng(100 + act);
    for (const [m, n, k] of [
      [29, 70, 45],
      [4, 10, 500],
      [13, 48, 20],
      [7, 40, 9],
      [1, 160, 20],
      [3, 140, 33],
    ] as const) {
      const a = randomArray(m * k, random).map((v) => v * 3);
      const b = randomArray(k * n, random);
      const bias = randomArray(n, random);
      const prelu = randomArray(n, random);
      for (const epi of [
        { bias, act, alpha: 0.2, prelu },
        { bias: null, act, alpha: 0.3, prelu },
      ]) {
        const e = { ...epi, prelu: act === 6 ? prelu : null };
        expectClose(runMatMul(a, b, 1, m, n, k, false, false, 0, 0, e), matMulRef(a, b, 1, m, n, k, false, false, 0, 0, e));
      }
    }
  });

  it('computes sigmoid and elu accurately far from zero and near it', () => {
    const n = 40;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = i < 20 ? -100 + i * 9.7 : (i - 30) * 1e-4;
    x[0] = -200;
    x[1] = 95;
    const one = new Float32Array([1]);
    for (const act of [4, 5]) {
      const got = runMatMul(one, x, 1, 1, n, 1, false, false, 0, 0, { bias: null, act, alpha: 0, prelu: null });
      const want = Array.from(x, (v) => activate(v, act, 0, 0));
      // Relative to the value itself for elu near 0 (where exp(x) - 1 would cancel).
      for (let i = 0; i < n; i++) {
        const w = want[i] as number;
        expect(Math.abs((got[i] as number) - w)).toBeLessThanOrEqual(2e-6 * Math.abs(w) + 1e-37);
      }
    }
  });

  it('propagates NaN through relu, relu6 and sigmoid like the JS kernels', () => {
    const x = new Float32Array([Number.NaN, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    const one = new Float32Array([1]);
    for (const act of [1, 2, 4]) {
      const got = runMatMul(one, x, 1, 1, x.length, 1, false, false, 0, 0, { bias: null, act, alpha: 0, prelu: null });
      expectClose(
        got,
        Array.from(x, (v) => activate(v, act, 0, 0)),
      );
    }
  });

  it('writes act(bias) when k = 0', () => {
    const bias = new Float32Array([-1, 2, -3]);
    const got = runMatMul(new Float32Array(0), new Float32Array(0), 2, 2, 3, 0, false, false, 0, 0, {
      bias,
      act: 1,
      alpha: 0,
      prelu: null,
    });
    expect(Array.from(got)).toEqual([0, 2, 0, 0, 2, 0, 0, 2, 0, 0, 2, 0]);
  });
});

describe.each(flavours)('matMul on two threads with the %s kernels', (flavour) => {
  beforeAll(() => addon.setSimd(flavour));
  afterAll(() => {
    addon.setSimd(initialSimd);
    addon.setThreads(initialThreads);
  });

  it('gives the same bits as one thread, split over rows or columns', () => {
    const random = rng(11);
    for (const [m, n, k, ta, tb] of [
      [128, 200, 100, false, false],
      [300, 40, 150, true, false],
      [40, 300, 150, false, true],
      [128, 10, 1200, false, false],
      [8, 600, 300, false, false],
    ] as const) {
      const a = randomArray(m * k, random);
      const b = randomArray(k * n, random);
      const bias = randomArray(n, random);
      const epi = { bias, act: 1, alpha: 0, prelu: null };
      addon.setThreads(1);
      const one = runMatMul(a, b, 1, m, n, k, ta, tb, 0, 0, epi);
      addon.setThreads(2);
      const two = runMatMul(a, b, 1, m, n, k, ta, tb, 0, 0, epi);
      expect(two).toEqual(one);
      expectClose(two, matMulRef(a, b, 1, m, n, k, ta, tb, 0, 0, epi));
    }
  });

  it('runs many small batch entries in parallel', () => {
    addon.setThreads(2);
    const random = rng(12);
    const [batch, m, n, k] = [300, 20, 21, 19];
    const a = randomArray(batch * m * k, random);
    const b = randomArray(k * n, random);
    expectClose(
      runMatMul(a, b, batch, m, n, k, false, false, m * k, 0, noEpi),
      matMulRef(a, b, batch, m, n, k, false, false, m * k, 0, noEpi),
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Convolutions

interface ConvCase {
  batch: number;
  h: number;
  w: number;
  inC: number;
  outC: number;
  fh: number;
  fw: number;
  strides: [number, number];
  dilations: [number, number];
  pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
}

function convGeometry(c: ConvCase): { geometry: ConvGeometry; info: tf.backend_util.Conv2DInfo } {
  const info = tf.backend_util.computeConv2DInfo(
    [c.batch, c.h, c.w, c.inC],
    [c.fh, c.fw, c.inC, c.outC],
    c.strides,
    c.dilations,
    c.pad,
  );
  const geometry: ConvGeometry = [
    c.batch,
    c.h,
    c.w,
    c.inC,
    info.outHeight,
    info.outWidth,
    c.outC,
    c.fh,
    c.fw,
    c.strides[0],
    c.strides[1],
    c.dilations[0],
    c.dilations[1],
    info.padInfo.top,
    info.padInfo.left,
  ];
  return { geometry, info };
}

/** Calls f(xIndex, yIndex, wIndex) for every tap of every output position (the definition of conv2d). */
function forEachTap(g: ConvGeometry, f: (xi: number, yi: number, wi: number) => void): void {
  const [batch, inH, inW, inC, outH, outW, outC, fh, fw, sh, sw, dh, dw, pt, pl] = g;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let ky = 0; ky < fh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < fw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= inW) continue;
            for (let c = 0; c < inC; c++) {
              const xi = ((b * inH + iy) * inW + ix) * inC + c;
              const yi = ((b * outH + oy) * outW + ox) * outC;
              const wi = ((ky * fw + kx) * inC + c) * outC;
              f(xi, yi, wi);
            }
          }
        }
      }
    }
  }
}

function convRef(x: F32, w: F32, g: ConvGeometry, epi: Epi): F32 {
  const [batch, , , , outH, outW, outC] = g;
  const acc = new Float64Array(batch * outH * outW * outC);
  forEachTap(g, (xi, yi, wi) => {
    const xv = x[xi] as number;
    for (let o = 0; o < outC; o++) acc[yi + o] = (acc[yi + o] as number) + xv * (w[wi + o] as number);
  });
  return Float32Array.from(acc, (v, i) => {
    const o = i % outC;
    const s = v + (epi.bias ? (epi.bias[o] as number) : 0);
    return activate(s, epi.act, epi.alpha, epi.prelu ? (epi.prelu[o] as number) : 0);
  });
}

function convBackpropInputRef(dy: F32, w: F32, g: ConvGeometry): F32 {
  const [batch, inH, inW, inC, , , outC] = g;
  const dx = new Float64Array(batch * inH * inW * inC);
  forEachTap(g, (xi, yi, wi) => {
    let s = 0;
    for (let o = 0; o < outC; o++) s += (dy[yi + o] as number) * (w[wi + o] as number);
    dx[xi] = (dx[xi] as number) + s;
  });
  return Float32Array.from(dx);
}

function convBackpropFilterRef(x: F32, dy: F32, g: ConvGeometry): F32 {
  const [, , , inC, , , outC, fh, fw] = g;
  const dw = new Float64Array(fh * fw * inC * outC);
  forEachTap(g, (xi, yi, wi) => {
    const xv = x[xi] as number;
    for (let o = 0; o < outC; o++) dw[wi + o] = (dw[wi + o] as number) + xv * (dy[yi + o] as number);
  });
  return Float32Array.from(dw);
}

const convCases: ConvCase[] = [
  { batch: 2, h: 5, w: 6, inC: 3, outC: 4, fh: 1, fw: 1, strides: [1, 1], dilations: [1, 1], pad: 'valid' },
  { batch: 2, h: 7, w: 6, inC: 3, outC: 5, fh: 1, fw: 1, strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { batch: 2, h: 9, w: 8, inC: 3, outC: 5, fh: 3, fw: 3, strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { batch: 3, h: 9, w: 11, inC: 4, outC: 6, fh: 3, fw: 3, strides: [2, 2], dilations: [1, 1], pad: 'valid' },
  { batch: 1, h: 11, w: 10, inC: 2, outC: 7, fh: 5, fw: 5, strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { batch: 2, h: 10, w: 9, inC: 3, outC: 4, fh: 3, fw: 3, strides: [1, 1], dilations: [2, 2], pad: 'same' },
  { batch: 2, h: 8, w: 9, inC: 2, outC: 3, fh: 3, fw: 2, strides: [1, 1], dilations: [2, 1], pad: 'valid' },
  {
    batch: 2,
    h: 9,
    w: 10,
    inC: 3,
    outC: 4,
    fh: 3,
    fw: 3,
    strides: [2, 1],
    dilations: [1, 1],
    pad: [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ],
  },
  { batch: 3, h: 4, w: 5, inC: 2, outC: 6, fh: 4, fw: 5, strides: [1, 1], dilations: [1, 1], pad: 'valid' },
  { batch: 1, h: 1, w: 7, inC: 1, outC: 1, fh: 1, fw: 3, strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { batch: 4, h: 28, w: 28, inC: 8, outC: 16, fh: 5, fw: 5, strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { batch: 1, h: 30, w: 30, inC: 16, outC: 24, fh: 3, fw: 3, strides: [1, 1], dilations: [1, 1], pad: 'same' },
];

function label(c: ConvCase): string {
  const pad = typeof c.pad === 'string' ? c.pad : JSON.stringify(c.pad.slice(1, 3));
  return `${c.batch}x${c.h}x${c.w}x${c.inC} -> ${c.outC}, ${c.fh}x${c.fw} stride ${c.strides} dilation ${c.dilations} ${pad}`;
}

describe.each(flavours)('convolutions with the %s kernels', (flavour) => {
  beforeAll(() => addon.setSimd(flavour));
  afterAll(() => addon.setSimd(initialSimd));

  it.each(convCases.map((c) => [label(c), c] as const))('conv2d and its gradients: %s', (_, c) => {
    const random = rng(c.h * 97 + c.w * 13 + c.inC + c.fh * 7 + c.strides[0]);
    const { geometry } = convGeometry(c);
    const [batch, , , , outH, outW] = geometry;
    const x = randomArray(batch * c.h * c.w * c.inC, random);
    const w = randomArray(c.fh * c.fw * c.inC * c.outC, random);
    const dy = randomArray(batch * outH * outW * c.outC, random);
    for (const threads of [1, 2]) {
      addon.setThreads(threads);
      const out = new Float32Array(dy.length).fill(Number.NaN);
      addon.conv2d(x, w, out, ...geometry, null, 0, 0, null);
      expectClose(out, convRef(x, w, geometry, noEpi));

      const dx = new Float32Array(x.length).fill(Number.NaN);
      addon.conv2dBackpropInput(dy, w, dx, ...geometry);
      expectClose(dx, convBackpropInputRef(dy, w, geometry));

      const dw = new Float32Array(w.length).fill(Number.NaN);
      addon.conv2dBackpropFilter(x, dy, dw, ...geometry);
      expectClose(dw, convBackpropFilterRef(x, dy, geometry));
    }
    addon.setThreads(initialThreads);
  });

  it('fuses bias and relu / prelu / elu into conv2d', () => {
    const c = convCases[2] as ConvCase;
    const random = rng(5);
    const { geometry } = convGeometry(c);
    const [batch, , , , outH, outW] = geometry;
    const x = randomArray(batch * c.h * c.w * c.inC, random);
    const w = randomArray(c.fh * c.fw * c.inC * c.outC, random);
    const bias = randomArray(c.outC, random);
    const prelu = randomArray(c.outC, random);
    for (const epi of [
      { bias, act: 1, alpha: 0, prelu: null },
      { bias, act: 6, alpha: 0, prelu },
      { bias: null, act: 5, alpha: 0, prelu: null },
      { bias, act: 3, alpha: 0.1, prelu: null },
    ]) {
      const out = new Float32Array(batch * outH * outW * c.outC);
      addon.conv2d(x, w, out, ...geometry, epi.bias, epi.act, epi.alpha, epi.prelu);
      expectClose(out, convRef(x, w, geometry, epi));
    }
  });
});

describe('the filter gradient', () => {
  it.each([
    // A small CNN's second layer (batch 64, 14×14×8 → 16, 3×3 same), and a wide layer with long patches.
    { batch: 64, h: 14, w: 14, inC: 8, outC: 16, fh: 3, fw: 3, strides: [1, 1], dilations: [1, 1], pad: 'same' },
    { batch: 8, h: 16, w: 16, inC: 64, outC: 32, fh: 3, fw: 3, strides: [1, 1], dilations: [1, 1], pad: 'same' },
  ] satisfies ConvCase[])('sums its row blocks in one fixed order, whatever the threads: $batch×$h×$w×$inC → $outC', (c) => {
    // Which participant claims which block depends on timing (a busy core, a late worker), so a sum
    // that followed the participants would change from run to run; it must equal the one-thread sum.
    const random = rng(23);
    const { geometry } = convGeometry(c);
    const [batch, , , , outH, outW] = geometry;
    const x = randomArray(batch * c.h * c.w * c.inC, random);
    const dy = randomArray(batch * outH * outW * c.outC, random);
    const gradientWith = (threads: number) => {
      addon.setThreads(threads);
      const dw = new Float32Array(c.fh * c.fw * c.inC * c.outC);
      addon.conv2dBackpropFilter(x, dy, dw, ...geometry);
      return dw;
    };
    const alone = gradientWith(1);
    expectClose(alone, convBackpropFilterRef(x, dy, geometry));
    for (let call = 0; call < 20; call++) {
      expect(Buffer.from(gradientWith(2).buffer).equals(Buffer.from(alone.buffer))).toBe(true);
    }
    addon.setThreads(initialThreads);
  });
});

describe('convolutions with empty sizes', () => {
  it('writes zeros where no gradient flows, and nothing where there is no output', () => {
    // [batch, inH, inW, inC, outH, outW, outC, fH, fW, sH, sW, dH, dW, padTop, padLeft]
    const noOut: ConvGeometry = [2, 3, 3, 2, 3, 3, 0, 3, 3, 1, 1, 1, 1, 1, 1];
    const dx = new Float32Array(36).fill(Number.NaN);
    addon.conv2dBackpropInput(new Float32Array(0), new Float32Array(0), dx, ...noOut);
    expect(Array.from(new Set(dx))).toEqual([0]);
    const noBatch: ConvGeometry = [0, 3, 3, 2, 3, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1];
    const dw = new Float32Array(72).fill(Number.NaN);
    addon.conv2dBackpropFilter(new Float32Array(0), new Float32Array(0), dw, ...noBatch);
    expect(Array.from(new Set(dw))).toEqual([0]);
    const out = new Float32Array(0);
    expect(() => addon.conv2d(new Float32Array(0), new Float32Array(72), out, ...noBatch, null, 0, 0, null)).not.toThrow();
    const huge: ConvGeometry = [0, 2 ** 30, 2 ** 30, 2 ** 30, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0];
    expect(() => addon.conv2d(out, out, out, ...huge, null, 0, 0, null)).toThrow(/the input shape is too large/);
  });
});

describe('the convolution references', () => {
  // The plain-JS references above define the geometry; here they are checked against tfjs itself.
  it.each(convCases.filter((c) => c.strides[0] === 1 || c.dilations[0] === 1).map((c) => [label(c), c] as const))(
    'agree with tfjs conv2d and its gradients: %s',
    (_, c) => {
      const random = rng(3);
      const { geometry } = convGeometry(c);
      const [batch, , , , outH, outW] = geometry;
      const x = randomArray(batch * c.h * c.w * c.inC, random);
      const w = randomArray(c.fh * c.fw * c.inC * c.outC, random);
      const dy = randomArray(batch * outH * outW * c.outC, random);
      const xt = tf.tensor4d(x, [batch, c.h, c.w, c.inC]);
      const wt = tf.tensor4d(w, [c.fh, c.fw, c.inC, c.outC]);
      const yt = tf.conv2d(xt, wt, c.strides, c.pad, 'NHWC', c.dilations);
      expectClose(yt.dataSync(), convRef(x, w, geometry, noEpi));
      if (c.dilations[0] === 1 && c.dilations[1] === 1) {
        const dyt = tf.tensor4d(dy, yt.shape as [number, number, number, number]);
        const loss = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), dyt));
        const [gx, gw] = tf.grads(loss)([xt, wt]) as [tf.Tensor, tf.Tensor];
        expectClose(gx.dataSync(), convBackpropInputRef(dy, w, geometry));
        expectClose(gw.dataSync(), convBackpropFilterRef(x, dy, geometry));
      }
      tf.dispose([xt, wt, yt]);
    },
  );
});

// ---------------------------------------------------------------------------------------------------
// Pooling

interface PoolCase {
  batch: number;
  h: number;
  w: number;
  c: number;
  filter: [number, number];
  strides: [number, number];
  pad: 'same' | 'valid' | number;
}

const poolCases: PoolCase[] = [
  { batch: 2, h: 6, w: 6, c: 3, filter: [2, 2], strides: [2, 2], pad: 'valid' },
  { batch: 2, h: 7, w: 5, c: 4, filter: [3, 3], strides: [1, 1], pad: 'same' },
  { batch: 1, h: 7, w: 9, c: 5, filter: [3, 3], strides: [2, 2], pad: 'same' },
  { batch: 3, h: 5, w: 6, c: 2, filter: [2, 3], strides: [1, 2], pad: 'same' },
  { batch: 2, h: 6, w: 7, c: 3, filter: [3, 3], strides: [2, 2], pad: 1 },
  { batch: 2, h: 4, w: 4, c: 1, filter: [1, 1], strides: [1, 1], pad: 'valid' },
  { batch: 1, h: 5, w: 5, c: 70, filter: [5, 5], strides: [1, 1], pad: 'valid' },
  { batch: 4, h: 24, w: 24, c: 16, filter: [2, 2], strides: [2, 2], pad: 'valid' },
  { batch: 1, h: 24, w: 24, c: 32, filter: [3, 3], strides: [1, 1], pad: 'same' },
  // Large enough to run on two threads: split over images, then over channels of one image.
  { batch: 8, h: 32, w: 32, c: 32, filter: [3, 3], strides: [1, 1], pad: 'same' },
  { batch: 1, h: 48, w: 48, c: 40, filter: [3, 3], strides: [1, 1], pad: 'same' },
];

function poolGeometry(p: PoolCase): { geometry: PoolGeometry; info: tf.backend_util.Conv2DInfo } {
  const info = tf.backend_util.computePool2DInfo([p.batch, p.h, p.w, p.c], p.filter, p.strides, 1, p.pad);
  const geometry: PoolGeometry = [
    p.batch,
    p.h,
    p.w,
    p.c,
    info.outHeight,
    info.outWidth,
    p.filter[0],
    p.filter[1],
    p.strides[0],
    p.strides[1],
    1,
    1,
    info.padInfo.top,
    info.padInfo.left,
  ];
  return { geometry, info };
}

function poolLabel(p: PoolCase): string {
  return `${p.batch}x${p.h}x${p.w}x${p.c}, ${p.filter} stride ${p.strides} pad ${p.pad}`;
}

describe('pooling against tfjs-backend-cpu', () => {
  afterAll(() => addon.setThreads(initialThreads));

  it.each(poolCases.map((p) => [poolLabel(p), p] as const))('maxPool, avgPool and their gradients: %s', (_, p) => {
    const random = rng(p.h * 31 + p.c);
    const { geometry } = poolGeometry(p);
    const [batch, , , , outH, outW] = geometry;
    const n = batch * p.h * p.w * p.c;
    // Small integers: many ties, so the gradient must pick the first maximum like tfjs.
    const x = Float32Array.from({ length: n }, () => Math.floor(random() * 4));
    const dy = randomArray(batch * outH * outW * p.c, random);
    const xt = tf.tensor4d(x, [batch, p.h, p.w, p.c]);
    const maxT = tf.maxPool(xt, p.filter, p.strides, p.pad);
    const avgT = tf.avgPool(xt, p.filter, p.strides, p.pad);
    const dyt = tf.tensor4d(dy, maxT.shape);
    const attrs = { filterSize: p.filter, strides: p.strides, pad: p.pad };
    const maxGrad = tf.engine().runKernel('MaxPoolGrad', { dy: dyt, input: xt, output: maxT }, attrs) as tf.Tensor;
    const avgGrad = tf.engine().runKernel('AvgPoolGrad', { dy: dyt, input: xt }, attrs) as tf.Tensor;
    for (const threads of [1, 2]) {
      addon.setThreads(threads);
      const out = new Float32Array(dy.length).fill(Number.NaN);
      addon.maxPool(x, out, ...geometry);
      expectClose(out, maxT.dataSync(), 0);
      addon.avgPool(x, out, ...geometry);
      expectClose(out, avgT.dataSync(), 1e-6);
      const dx = new Float32Array(n).fill(Number.NaN);
      addon.maxPoolBackprop(dy, x, dx, ...geometry);
      expectClose(dx, maxGrad.dataSync(), 1e-6);
      dx.fill(Number.NaN);
      addon.avgPoolBackprop(dy, dx, ...geometry);
      expectClose(dx, avgGrad.dataSync(), 1e-6);
    }
    tf.dispose([xt, maxT, avgT, dyt, maxGrad, avgGrad]);
  });

  it('treats NaN and -Infinity like tfjs (never a maximum; an all-NaN window routes nothing)', () => {
    const p: PoolCase = { batch: 1, h: 4, w: 4, c: 2, filter: [2, 2], strides: [2, 2], pad: 'valid' };
    const { geometry } = poolGeometry(p);
    const x = new Float32Array(32).map((_, i) => (i % 5) - 2);
    for (const i of [0, 1, 2, 3, 8, 9, 10, 11]) x[i] = Number.NaN; // the first window, both channels
    x[4] = Number.NEGATIVE_INFINITY;
    x[21] = Number.NaN;
    const dy = new Float32Array(8).map((_, i) => i + 1);
    const xt = tf.tensor4d(x, [1, 4, 4, 2]);
    const maxT = tf.maxPool(xt, p.filter, p.strides, p.pad);
    const dyt = tf.tensor4d(dy, maxT.shape);
    const attrs = { filterSize: p.filter, strides: p.strides, pad: p.pad };
    const maxGrad = tf.engine().runKernel('MaxPoolGrad', { dy: dyt, input: xt, output: maxT }, attrs) as tf.Tensor;
    const out = new Float32Array(8);
    addon.maxPool(x, out, ...geometry);
    expectClose(out, maxT.dataSync(), 0);
    const dx = new Float32Array(32);
    addon.maxPoolBackprop(dy, x, dx, ...geometry);
    expectClose(dx, maxGrad.dataSync(), 0);
    tf.dispose([xt, maxT, dyt, maxGrad]);
  });

  it('supports dilation (which tfjs pools lack), by the same rules', () => {
    // [batch, inH, inW, C, outH, outW, fH, fW, sH, sW, dH, dW, padTop, padLeft]
    const geometry: PoolGeometry = [2, 7, 8, 3, 4, 4, 2, 3, 2, 2, 2, 2, 1, 1];
    const [batch, inH, inW, C, outH, outW, fh, fw, sh, sw, dh, dw, pt, pl] = geometry;
    const random = rng(9);
    const x = Float32Array.from({ length: batch * inH * inW * C }, () => Math.floor(random() * 5));
    const dy = randomArray(batch * outH * outW * C, random);
    const maxRef = new Float32Array(dy.length);
    const avgRef = new Float32Array(dy.length);
    const maxGradRef = new Float32Array(x.length);
    const avgGradRef = new Float32Array(x.length);
    for (let b = 0; b < batch; b++) {
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          for (let c = 0; c < C; c++) {
            let best = Number.NEGATIVE_INFINITY;
            let where = -1;
            let sum = 0;
            let count = 0;
            const windowPositions: number[] = [];
            for (let ky = 0; ky < fh; ky++) {
              for (let kx = 0; kx < fw; kx++) {
                const iy = oy * sh - pt + ky * dh;
                const ix = ox * sw - pl + kx * dw;
                if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
                const i = ((b * inH + iy) * inW + ix) * C + c;
                const v = x[i] as number;
                windowPositions.push(i);
                sum += v;
                count++;
                if (v > best) {
                  best = v;
                  where = i;
                }
              }
            }
            const o = ((b * outH + oy) * outW + ox) * C + c;
            maxRef[o] = best;
            avgRef[o] = sum / count;
            const d = dy[o] as number;
            if (where >= 0) maxGradRef[where] = (maxGradRef[where] as number) + d;
            for (const i of windowPositions) avgGradRef[i] = (avgGradRef[i] as number) + d / (fh * fw);
          }
        }
      }
    }
    const out = new Float32Array(dy.length);
    addon.maxPool(x, out, ...geometry);
    expectClose(out, maxRef, 0);
    addon.avgPool(x, out, ...geometry);
    expectClose(out, avgRef, 1e-6);
    const dx = new Float32Array(x.length);
    addon.maxPoolBackprop(dy, x, dx, ...geometry);
    expectClose(dx, maxGradRef, 1e-6);
    addon.avgPoolBackprop(dy, dx, ...geometry);
    expectClose(dx, avgGradRef, 1e-6);
  });
});

// ---------------------------------------------------------------------------------------------------
// The module's own functions and its argument checks

describe('elementwise functions against JS references', () => {
  afterAll(() => addon.setThreads(initialThreads));

  // Sizes: one element, odd ones, and ones above the addon's 65536-element threading threshold.
  const sizes = [1, 7, 1023, 65537, 300_001];
  const binaryOps: [string, number, (x: number, y: number) => number][] = [
    ['add', 0, (x, y) => x + y],
    ['sub', 1, (x, y) => x - y],
    ['mul', 2, (x, y) => x * y],
    ['div', 3, (x, y) => x / y],
  ];
  const unaryOps: [string, number, (x: number, alpha: number) => number][] = [
    ['sqrt', 0, (x) => Math.sqrt(x)],
    ['square', 1, (x) => x * x],
    ['relu', 2, (x) => (Number.isNaN(x) ? x : x < 0 || Object.is(x, -0) ? 0 : x)],
    ['step', 3, (x, alpha) => (Number.isNaN(x) ? x : x > 0 ? 1 : alpha)],
  ];
  const specials = [0, -0, 1.5, -2.25, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3e-39, 1e30, -7];

  /** Relative tolerance 1e-6 (sqrt and division may differ in the last ulp); NaNs, infinities and zeros exactly. */
  function expectRelClose(actual: F32, expected: ArrayLike<number>): void {
    expect(actual.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) {
      const a = actual[i] as number;
      const e = Math.fround(expected[i] as number);
      if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) continue;
      if (!(Number.isFinite(e) && e !== 0 && Math.abs(a - e) <= 1e-6 * Math.abs(e))) {
        expect.fail(`element ${i}: got ${a}, expected ${e}`);
      }
    }
  }

  function operand(n: number, seed: number, positive = false): F32 {
    const values = randomArray(n, rng(seed));
    if (positive) for (let i = 0; i < n; i++) values[i] = Math.abs(values[i] as number) + 0.01;
    // Special values at the start of the larger arrays.
    if (n >= 16) values.set(specials);
    return values;
  }

  describe.each([1, 2])('on %i thread(s)', (threads) => {
    it.each(binaryOps)('binary %s: same shape, a scalar on either side, both scalars', (_name, op, f) => {
      addon.setThreads(threads);
      for (const n of sizes) {
        const a = operand(n, n + op);
        const b = operand(n, 7 * n + op, op === 3);
        const scalar = Float32Array.of(op === 3 ? 0.37 : -1.3);
        const out = new Float32Array(n).fill(99);
        addon.binary(op, a, b, out);
        expectRelClose(
          out,
          Array.from(a, (x, i) => f(x, b[i] as number)),
        );
        addon.binary(op, a, scalar, out);
        expectRelClose(
          out,
          Array.from(a, (x) => f(x, scalar[0] as number)),
        );
        addon.binary(op, scalar, b, out);
        expectRelClose(
          out,
          Array.from(b, (y) => f(scalar[0] as number, y)),
        );
        addon.binary(op, scalar, Float32Array.of(2.5), out);
        expectRelClose(out, new Array<number>(n).fill(f(scalar[0] as number, 2.5)));
      }
    });

    it.each(unaryOps)('unary %s', (_name, op, f) => {
      addon.setThreads(threads);
      for (const n of sizes) {
        const x = operand(n, 3 * n + op);
        const out = new Float32Array(n).fill(99);
        addon.unary(op, x, out, 0.25);
        expectRelClose(
          out,
          Array.from(x, (v) => f(v, 0.25)),
        );
      }
    });
  });

  it('computes in place when out is an input', () => {
    const x = operand(70_001, 5);
    const expected = Array.from(x, (v) => v * v);
    addon.unary(1, x, x, 0);
    expectRelClose(x, expected);
    const y = operand(70_001, 6);
    const sums = Array.from(y, (v, i) => v + (x[i] as number));
    addon.binary(0, y, x, y);
    expectRelClose(y, sums);
  });

  it('checks its arguments', () => {
    const a = new Float32Array(6);
    expect(() => addon.binary(4, a, a, new Float32Array(6))).toThrow(/op must be/);
    expect(() => addon.binary(0, a, new Float32Array(2), new Float32Array(6))).toThrow(/b must hold one value or as many as out/);
    expect(() => addon.binary(0, new Float32Array(5), a, new Float32Array(6))).toThrow(/a must hold one value/);
    const shared = new Float32Array(8);
    expect(() => addon.binary(0, shared.subarray(0, 6), a, shared.subarray(2, 8))).toThrow(/out must not overlap a/);
    expect(() => addon.unary(0, a, new Float32Array(5), 0)).toThrow(/x must hold as many values as out/);
    expect(() => addon.unary(9, a, new Float32Array(6), 0)).toThrow(/op must be/);
    expect(() => call.unary?.(0, a, new Float32Array(6), 0, 1)).toThrow(/expects 4 arguments/);
    expect(() => addon.binary(0, new Float32Array(0), new Float32Array(0), new Float32Array(0))).not.toThrow();
  });
});

describe('the addon’s adamUpdate', () => {
  /** The step in float32, one rounding per operation as in the composed tensor operations (Math.fround). */
  function adamReference(
    theta: F32,
    m: F32,
    v: F32,
    g: F32,
    [b1, b2, c1, c2, eps, lr]: [number, number, number, number, number, number],
  ) {
    const f = Math.fround;
    const [fb1, fob1, fb2, fob2, fc1, fc2, feps, fneg] = [b1, 1 - b1, b2, 1 - b2, c1, c2, eps, -lr].map(f) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const out = { theta: new Float32Array(theta.length), m: new Float32Array(m.length), v: new Float32Array(v.length) };
    for (let i = 0; i < theta.length; i++) {
      const gi = g[i] as number;
      const mi = f(f((m[i] as number) * fb1) + f(gi * fob1));
      const vi = f(f((v[i] as number) * fb2) + f(f(gi * gi) * fob2));
      const step = f(f(mi / fc1) / f(f(Math.sqrt(f(vi / fc2))) + feps));
      out.m[i] = mi;
      out.v[i] = vi;
      out.theta[i] = f((theta[i] as number) + f(step * fneg));
    }
    return out;
  }
  const scalars: [number, number, number, number, number, number] = [0.9, 0.999, 1 - 0.9 ** 3, 1 - 0.999 ** 3, 1e-7, 0.01];

  it.each([1, 17, 70_001])('equals the float32 formula bit for bit on %i values, in place or not', (size) => {
    const theta = randomArray(size, rng(11));
    const m = randomArray(size, rng(12)).map((x) => x * 0.1);
    const v = randomArray(size, rng(13)).map((x) => x * x * 0.01);
    const g = randomArray(size, rng(14));
    const expected = adamReference(theta, m, v, g, scalars);
    const out = { theta: new Float32Array(size), m: new Float32Array(size), v: new Float32Array(size) };
    addon.adamUpdate(theta, m, v, g, out.theta, out.m, out.v, ...scalars);
    expect(Array.from(out.theta)).toEqual(Array.from(expected.theta));
    expect(Array.from(out.m)).toEqual(Array.from(expected.m));
    expect(Array.from(out.v)).toEqual(Array.from(expected.v));
    addon.adamUpdate(theta, m, v, g, theta, m, v, ...scalars);
    expect(Array.from(theta)).toEqual(Array.from(expected.theta));
    expect(Array.from(m)).toEqual(Array.from(expected.m));
    expect(Array.from(v)).toEqual(Array.from(expected.v));
  });

  it('checks its arguments', () => {
    const [a, b, c, d, e, f, h] = [0, 1, 2, 3, 4, 5, 6].map(() => new Float32Array(6)) as [F32, F32, F32, F32, F32, F32, F32];
    expect(() => addon.adamUpdate(a, b, c, new Float32Array(5), d, e, f, ...scalars)).toThrow(
      /gradient must hold as many values as variable/,
    );
    expect(() => addon.adamUpdate(a, b, c, d, b, e, f, ...scalars)).toThrow(/variableOut must not overlap m/);
    expect(() => addon.adamUpdate(a, b, c, d, e, e, f, ...scalars)).toThrow(/variableOut must not overlap mOut/);
    expect(() => call.adamUpdate?.(a, b, c, d, e, f, h, 0.9)).toThrow(/beta2 must be a number/);
  });
});

describe('addon settings', () => {
  afterAll(() => addon.setThreads(initialThreads));

  it('reports its threads and simd flavour', () => {
    expect(addon.threads()).toBeGreaterThanOrEqual(1);
    expect(['avx512', 'avx2', 'scalar']).toContain(initialSimd);
    expect(flavours).toContain('scalar');
    expect(addon.setThreads(1)).toBe(1);
    expect(addon.threads()).toBe(1);
    expect(addon.setThreads(2)).toBe(2);
    expect(addon.threads()).toBe(2);
  });
});

describe('argument checks', () => {
  const a = new Float32Array(6);
  const b = new Float32Array(6);
  const out = new Float32Array(4);
  const mm = (...overrides: [number, unknown][]) => {
    const args: unknown[] = [a, b, out, 1, 2, 2, 3, false, false, 0, 0, null, 0, 0, null];
    for (const [i, v] of overrides) args[i] = v;
    return () => call.matMul?.(...args);
  };

  it('accepts the well-formed call', () => {
    expect(mm()).not.toThrow();
  });

  it.each([
    ['a', [[0, new Float64Array(6)]], /a must be a Float32Array/],
    ['b', [[1, [1, 2, 3]]], /b must be a Float32Array/],
    ['out too short', [[2, new Float32Array(3)]], /out is too short/],
    ['a too short', [[6, 4]], /a is too short/],
    ['negative m', [[4, -1]], /m must be a non-negative integer/],
    ['fractional k', [[6, 1.5]], /k must be a non-negative integer/],
    ['non-number batch', [[3, '1']], /batch must be a number/],
    ['bias', [[11, new Float32Array(1)]], /bias is too short/],
    ['activation', [[12, 9]], /activation must be/],
    ['prelu without alpha', [[12, 6]], /preluAlpha is required/],
    ['out overlaps a', [[2, a.subarray(2)]], /out must not overlap a/],
  ] as [string, [number, unknown][], RegExp][])('throws a TypeError for %s', (_, overrides, message) => {
    expect(mm(...overrides)).toThrow(TypeError);
    expect(mm(...overrides)).toThrow(message);
  });

  it('counts the arguments and checks the geometry of convolutions and pools', () => {
    expect(() => call.matMul?.(a, b, out)).toThrow(TypeError);
    expect(() => call.matMul?.(a, b, out, 1, 2, 2, 3, false, false, 0, 0, null, 0, 0, null, 1)).toThrow(/expects 15 arguments/);
    const x = new Float32Array(16);
    const w = new Float32Array(9);
    const y = new Float32Array(16);
    const good: ConvGeometry = [1, 4, 4, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1];
    expect(() => addon.conv2d(x, w, y, ...good, null, 0, 0, null)).not.toThrow();
    const zeroStride = [...good] as ConvGeometry;
    zeroStride[9] = 0;
    expect(() => addon.conv2d(x, w, y, ...zeroStride, null, 0, 0, null)).toThrow(/strideH must be a positive integer/);
    expect(() => addon.conv2dBackpropFilter(x, y, new Float32Array(8), ...good)).toThrow(/dw is too short/);
    const pool: PoolGeometry = [1, 4, 4, 1, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0];
    expect(() => addon.maxPool(x, new Float32Array(4), ...pool)).not.toThrow();
    expect(() => addon.maxPoolBackprop(new Float32Array(4), x, new Float32Array(15), ...pool)).toThrow(/dx is too short/);
    expect(() => call.setSimd?.('sse9')).toThrow(TypeError);
    expect(() => call.setThreads?.(0)).toThrow(/n must be a positive integer/);
  });
});
