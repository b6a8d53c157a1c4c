// CI check: the main job (`npm start`, examples/quickstart) showed what the README promises: the
// distilled student beat the student trained alone on every seed, by at least +0.5 points of test
// accuracy on average. Reads the run's summary.json; prints what it found; exits 1 when it falls short.
// Usage: node scripts/check-main-job.mjs [run dir]   (default: examples/quickstart/runs/quickstart)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const promisedMeanGain = 0.005;
const directory = resolve(process.argv[2] ?? join(import.meta.dirname, '../examples/quickstart/runs/quickstart'));
let summary;
try {
  summary = JSON.parse(readFileSync(join(directory, 'summary.json'), 'utf8'));
} catch (error) {
  console.error(
    `main job check: cannot read ${join(directory, 'summary.json')} (${error.code ?? error.message}); did npm start finish?`,
  );
  process.exit(1);
}
const problems = [];
const gain = summary.gain;
if (gain === undefined) {
  problems.push('summary.json has no gain: the main job must train the baseline');
} else {
  const losing = gain.values.flatMap((value, i) => (value > 0 ? [] : [`seed ${summary.seeds[i]} (${(100 * value).toFixed(2)})`]));
  if (losing.length > 0) problems.push(`the distilled student did not beat the baseline on ${losing.join(', ')}`);
  if (!(gain.mean >= promisedMeanGain)) {
    problems.push(`mean gain ${(100 * gain.mean).toFixed(2)} points, below the promised +${(100 * promisedMeanGain).toFixed(1)}`);
  }
}
const perSeed = gain?.values.map((value) => (100 * value).toFixed(2)).join(', ') ?? 'none';
console.log(
  `main job check: ${directory}: gain ${gain === undefined ? 'none' : (100 * gain.mean).toFixed(2)} points (per seed ${perSeed}), ` +
    `${summary.seeds.length} seeds in ${summary.wallSeconds.toFixed(0)} s, ${problems.length} problems`,
);
for (const problem of problems) console.error(`main job check: ${problem}`);
process.exitCode = problems.length === 0 ? 0 : 1;
