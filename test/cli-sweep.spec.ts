import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProgram, type Summary, type SweepPoint } from '@distillery/cli';
import { parseConfig } from '@distillery/config';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let directory: string;
let sweepDirectory: string;
let configPath: string;
let outcome: { code: number; out: string[]; err: string[] };

interface SweepFile {
  readonly grid: Record<string, number[]>;
  readonly selectedBy: string;
  readonly best: SweepPoint;
  readonly points: SweepPoint[];
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'distillery-sweep-'));
  configPath = join(directory, 'kd.yaml');
  await writeFile(
    configPath,
    `plugins: ['@distillery/plugin-response']
data: { source: synthetic, examples: 300, features: 8, classes: 3, validation: 60, test: 60 }
teachers:
  - name: big
    model: { type: mlp, hidden: [32] }
    training: { epochs: 2, batchSize: 32, optimizer: { name: adam, learningRate: 0.01 } }
student:
  model: { type: mlp, hidden: [8] }
strategies:
  - { key: response.kd, weight: 0.7, options: { temperature: 2 } }
  - { key: task.ce, weight: 0.3 }
training: { epochs: 2, batchSize: 32, optimizer: { name: adam, learningRate: 0.01 } }
seeds: [1]
backend: cpu
output: ${join(directory, 'runs')}
`,
  );
  // The sweep is named after the config file: kd → kd-sweep.
  sweepDirectory = join(directory, 'runs', 'kd-sweep');
  const out: string[] = [];
  const err: string[] = [];
  const code = await runProgram(['sweep', configPath, '--grid', 'temperature=1,4', '--grid', 'alpha=0.5,0.9', '--quiet'], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  outcome = { code, out, err };
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const settings = [
  { temperature: 1, alpha: 0.5 },
  { temperature: 1, alpha: 0.9 },
  { temperature: 4, alpha: 0.5 },
  { temperature: 4, alpha: 0.9 },
];
const label = (setting: Readonly<Record<string, number | string>>) =>
  Object.entries(setting)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');

describe('distillery sweep', () => {
  it('exits with 0 and prints the best point and the sweep directory', () => {
    expect(outcome.err).toEqual([]);
    expect(outcome.code).toBe(0);
    expect(outcome.out.at(-1)).toBe(sweepDirectory);
    expect(outcome.out[0]).toMatch(/^chosen on validation: T = [14], α = 0\.[59] \(\d+\.\d\d% validation, \d+\.\d\d% test\)$/);
  });

  it('runs every point of the grid into its own directory, with the setting applied', async () => {
    expect(await readdir(sweepDirectory)).toEqual(expect.arrayContaining([...settings.map(label), 'sweep.json', 'report.html']));
    for (const setting of settings) {
      const point = join(sweepDirectory, label(setting));
      expect(await readdir(point)).toEqual(expect.arrayContaining(['summary.json', 'config.yaml', 'student']));
      const config = parseConfig(await readFile(join(point, 'config.yaml'), 'utf8'), 'config.yaml');
      // α on the distillation term and 1 − α on task.ce; the temperature on response.kd.
      expect(config.strategies).toEqual([
        { key: 'response.kd', weight: setting.alpha, options: { temperature: setting.temperature } },
        { key: 'task.ce', weight: 1 - setting.alpha },
      ]);
    }
  });

  it('writes sweep.json with the points and the best one chosen on validation accuracy', async () => {
    const sweep = JSON.parse(await readFile(join(sweepDirectory, 'sweep.json'), 'utf8')) as SweepFile;
    expect(sweep.grid).toEqual({ temperature: [1, 4], alpha: [0.5, 0.9] });
    expect(sweep.selectedBy).toBe('validation accuracy');
    expect(sweep.points.map((point) => point.settings)).toEqual(settings);
    for (const point of sweep.points) {
      const summary = JSON.parse(await readFile(join(point.directory, 'summary.json'), 'utf8')) as Summary;
      expect(point.directory).toBe(join(sweepDirectory, label(point.settings)));
      expect(point.accuracy).toBe(summary.models.student?.validationAccuracy.mean);
      expect(point.testAccuracy).toBe(summary.models.student?.accuracy.mean);
      expect(point.gain).toBe(summary.gain?.mean);
      // The chart's gain is on validation, paired by seed: the student's minus the baseline's.
      const student = summary.models.student?.validationAccuracy.values as number[];
      const baseline = summary.models.baseline?.validationAccuracy.values as number[];
      expect(point.validationGain?.values).toEqual(student.map((value, i) => value - (baseline[i] as number)));
    }
    const highest = Math.max(...sweep.points.map((point) => point.accuracy));
    expect(sweep.best.accuracy).toBe(highest);
    // On a tie the earlier point stays the best.
    expect(sweep.best).toEqual(sweep.points.find((point) => point.accuracy === highest));
  });

  it('trains the teacher and the baseline once for all points, and keeps each point’s student apart', async () => {
    // The shared store is keyed by fingerprint: `<stage>.<first 12 hex digits>`.
    const stages = await readdir(join(sweepDirectory, 'stages'));
    expect(stages.filter((stage) => stage.includes('teacher'))).toEqual([
      expect.stringMatching(/^seed1-teacher-big\.[0-9a-f]{12}$/),
    ]);
    expect(stages.filter((stage) => stage.includes('baseline'))).toEqual([
      expect.stringMatching(/^seed1-baseline\.[0-9a-f]{12}$/),
    ]);
    expect(stages.filter((stage) => stage.startsWith('seed1-student.'))).toHaveLength(settings.length);
    for (const stage of stages) {
      const trainings = await readFile(join(sweepDirectory, 'stages', stage, 'trainings.jsonl'), 'utf8');
      expect(trainings.trim().split('\n')).toHaveLength(1);
    }
    const baselines = await Promise.all(
      settings.map(async (setting) => {
        const summary = JSON.parse(await readFile(join(sweepDirectory, label(setting), 'summary.json'), 'utf8')) as Summary;
        return summary.models.baseline?.accuracy.values;
      }),
    );
    expect(new Set(baselines.map((values) => JSON.stringify(values))).size).toBe(1);
  });

  it('writes a report that charts the gain over the baseline, with readable settings and the chosen point marked', async () => {
    const html = await readFile(join(sweepDirectory, 'report.html'), 'utf8');
    const sweep = JSON.parse(await readFile(join(sweepDirectory, 'sweep.json'), 'utf8')) as SweepFile;
    const readable = (setting: (typeof settings)[number]) => `T = ${setting.temperature}, α = ${setting.alpha}`;
    const best = readable(sweep.best.settings as (typeof settings)[number]);
    expect(html.split('<svg').length - 1).toBe(1);
    expect(html).not.toContain('<script');
    expect(html).toContain(`<strong>Chosen on validation: ${best}</strong>`);
    expect(html).toContain(`${best} ← chosen`);
    expect(html.split(' ← chosen').length - 1).toBe(1);
    // One table row per point, by its readable label, never as JSON.
    for (const setting of settings) expect(html).toContain(`<td>${readable(setting)}`);
    expect(html).not.toContain('&quot;temperature&quot;');
    // The chart: the baseline's zero line, the lines per α, the ring and the label of the chosen point.
    expect(html).toContain('student trained alone');
    expect(html.split('>chosen</text>').length - 1).toBe(1);
    expect(html).toContain('Gain from distillation over the grid (validation)');
  });

  it('keeps the points it finished when run again, so an interrupted sweep goes on where it stopped', async () => {
    const first = join(sweepDirectory, label(settings[0] as (typeof settings)[number]), 'summary.json');
    const last = join(sweepDirectory, label(settings[3] as (typeof settings)[number]), 'summary.json');
    const kept = await readFile(first, 'utf8');
    const before = JSON.parse(await readFile(join(sweepDirectory, 'sweep.json'), 'utf8')) as SweepFile;
    await rm(last); // as if the sweep had been stopped during its last point
    const lines: string[] = [];
    const code = await runProgram(['sweep', configPath, '--grid', 'temperature=1,4', '--grid', 'alpha=0.5,0.9'], {
      out: () => {},
      err: (line) => lines.push(line),
    });
    expect(code).toBe(0);
    expect(lines.filter((line) => line.endsWith('(finished earlier, kept)'))).toHaveLength(3);
    expect(await readFile(first, 'utf8')).toBe(kept);
    const after = JSON.parse(await readFile(join(sweepDirectory, 'sweep.json'), 'utf8')) as SweepFile;
    expect(after.points.map((point) => point.settings)).toEqual(before.points.map((point) => point.settings));
    expect(after.points.slice(0, 3)).toEqual(before.points.slice(0, 3));
    expect((JSON.parse(await readFile(last, 'utf8')) as Summary).models.student).toBeDefined();
  });
});
