// GEMM micro-benchmark of the native addon: GFLOP/s at 1024^3 and at the shapes of a KD MLP
// (784-1200-1200-10, batch 128: forward, and the backward products with transposes), on 1 and 2 threads.
// Usage: node bench/gemm.mjs [--simd avx512|avx2|scalar] [--threads 1,2] [--numpy]
// --numpy also runs the same shapes through numpy (OpenBLAS) in python3, for comparison in the same run.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addon = createRequire(import.meta.url)(join(root, 'build/Release/distillery_native.node'));

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
if (opt('simd')) addon.setSimd(opt('simd'));
const threadCounts = opt('threads', '1,2').split(',').map(Number);

// [label, m, n, k, transA, transB]
const shapes = [
  ['1024^3', 1024, 1024, 1024, false, false],
  ['fwd 128x784 . 784x1200', 128, 1200, 784, false, false],
  ['fwd 128x1200 . 1200x1200', 128, 1200, 1200, false, false],
  ['fwd 128x1200 . 1200x10', 128, 10, 1200, false, false],
  ['dW1 784x128 . 128x1200 (tA)', 784, 1200, 128, true, false],
  ['dW2 1200x128 . 128x1200 (tA)', 1200, 1200, 128, true, false],
  ['dW3 1200x128 . 128x10 (tA)', 1200, 10, 128, true, false],
  ['dX1 128x1200 . 1200x784 (tB)', 128, 784, 1200, false, true],
  ['dX2 128x1200 . 1200x1200 (tB)', 128, 1200, 1200, false, true],
  ['dX3 128x10 . 10x1200 (tB)', 128, 1200, 10, false, true],
];

const random = (n) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
};

function bench(m, n, k, ta, tb) {
  const a = random(m * k);
  const b = random(k * n);
  const out = new Float32Array(m * n);
  const flops = 2 * m * n * k;
  const run = () => addon.matMul(a, b, out, 1, m, n, k, ta, tb, 0, 0, null, 0, 0, null);
  const reps = Math.max(5, Math.ceil(1e9 / flops));
  for (let i = 0; i < 3; i++) run();
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) run();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9 / reps);
  }
  return flops / best / 1e9;
}

console.log(`distillery_native: simd=${addon.simd()} ${JSON.stringify(addon.info())}`);
const header = ['shape'.padEnd(32), ...threadCounts.map((t) => `native ${t}T`.padStart(11))];
const rows = [];
for (const [label, m, n, k, ta, tb] of shapes) {
  const row = [label.padEnd(32)];
  for (const t of threadCounts) {
    addon.setThreads(t);
    row.push(bench(m, n, k, ta, tb).toFixed(1).padStart(11));
  }
  rows.push(row);
}

if (args.includes('--numpy')) {
  // The environment may pin OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for old OpenBLAS builds; a current numpy
  // is slower with them, so they are removed for this child only.
  const py = `
import numpy as np, time, sys, json
shapes = json.loads(sys.argv[1])
res = []
for (label, m, n, k, ta, tb) in shapes:
    a = np.random.rand(*( (k, m) if ta else (m, k))).astype(np.float32) - 0.5
    b = np.random.rand(*( (n, k) if tb else (k, n))).astype(np.float32) - 0.5
    A = a.T if ta else a
    B = b.T if tb else b
    fl = 2.0 * m * n * k
    reps = max(5, int(1e9 / fl))
    for _ in range(3): np.dot(A, B)
    best = 1e9
    for r in range(7):
        t = time.perf_counter()
        for _ in range(reps): np.dot(A, B)
        best = min(best, (time.perf_counter() - t) / reps)
    res.append(fl / best / 1e9)
print(json.dumps(res))
`;
  for (const t of threadCounts) {
    const env = { ...process.env, OPENBLAS_NUM_THREADS: String(t) };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const r = spawnSync('python3', ['-c', py, JSON.stringify(shapes)], { env, encoding: 'utf8' });
    header.push(`numpy ${t}T`.padStart(11));
    const values = r.status === 0 ? JSON.parse(r.stdout) : shapes.map(() => Number.NaN);
    if (r.status !== 0) console.warn(`numpy run failed: ${r.stderr.trim().split('\n').pop()}`);
    for (const [i, v] of values.entries()) rows[i].push(v.toFixed(1).padStart(11));
  }
}
console.log(header.join(' '));
for (const row of rows) console.log(row.join(' '));
console.log('(GFLOP/s, best of 7)');
