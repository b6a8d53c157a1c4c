import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricsRecord, Summary } from '@distillery/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runDistillery } from './support/runDistillery.js';

// Every key of the method library (issues 18 and 19) trains end to end from a config through the CLI on MNIST, learning
// from a zoo teacher (ResNet-8) trained once by the first run and loaded from its stage output by the others.

let directory: string;
let teacherPath: string;

const base = (name: string) => ({
  name,
  plugins: [
    '@distillery/plugin-response',
    '@distillery/plugin-relation',
    '@distillery/plugin-multi-teacher',
    '@distillery/plugin-feature',
    '@distillery/plugin-self-distillation',
    '@distillery/plugin-contrastive',
  ],
  data: { source: 'mnist', trainExamples: 480, validation: 96, testExamples: 200 },
  student: { name: 'student', model: { type: 'cnn', channels: [4, 8], dense: 16 } },
  training: { epochs: 2, batchSize: 64, optimizer: { name: 'adam', learningRate: 0.005 } },
  seeds: [1],
  baseline: false,
  output: join(directory, 'runs'),
});

async function run(name: string, config: object): Promise<{ records: MetricsRecord[]; summary: Summary }> {
  const path = join(directory, `${name}.yaml`);
  await writeFile(path, stringify({ ...base(name), ...config }));
  const outcome = await runDistillery('run', path, '--quiet');
  expect(outcome.err, `${name}: ${outcome.err.join('\n')}`).toEqual([]);
  expect(outcome.code).toBe(0);
  const runDirectory = join(directory, 'runs', name);
  const records = (await readFile(join(runDirectory, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as MetricsRecord)
    .filter((record) => record.model === 'student');
  return { records, summary: JSON.parse(await readFile(join(runDirectory, 'summary.json'), 'utf8')) as Summary };
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'distillery-methods-'));
  const teacherRun = await run('zoo-teacher', {
    teachers: [
      {
        name: 'teacher',
        model: { type: 'zoo', name: 'resnet8' },
        training: { epochs: 6, batchSize: 32, optimizer: { name: 'adam', learningRate: 0.003 } },
      },
    ],
    strategies: [
      { key: 'response.kd', weight: 0.5 },
      { key: 'task.ce', weight: 0.5 },
    ],
  });
  // A usable teacher, well above chance (one in ten), even after this short training.
  expect(teacherRun.summary.models['teacher:teacher']?.accuracy.mean).toBeGreaterThan(0.3);
  teacherPath = join(directory, 'runs', 'zoo-teacher', 'stages', 'seed1-teacher-teacher');
}, 180_000);

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const pool = [{ student: 'student_dense', teacher: 'teacher_pool' }];
const cases: { key: string; options?: object; weight?: number; parts?: string[]; student?: object }[] = [
  { key: 'response.kd', options: { temperature: 2, standardize: true }, weight: 9 },
  { key: 'response.dkd', options: { warmupEpochs: 1, standardize: true }, parts: ['tckd', 'nckd'] },
  { key: 'response.dist', options: { beta: 2, gamma: 2, temperature: 4 }, parts: ['inter', 'intra'] },
  { key: 'response.ctkd', weight: 0.9, parts: ['temperature'] },
  { key: 'response.ctkd', options: { mode: 'instance', hidden: 16 }, weight: 0.9, parts: ['temperature'] },
  { key: 'response.tfkd', weight: 10 },
  { key: 'relation.rkd', options: { pairs: pool }, parts: ['distance', 'angle'] },
  { key: 'relation.pkt', options: { pairs: pool }, weight: 3000 },
  { key: 'relation.sp', options: { pairs: [{ student: 'student_pool2', teacher: 'teacher_stage3' }] }, weight: 300 },
  { key: 'relation.nst', options: { pairs: [{ student: 'student_conv2', teacher: 'teacher_stage2' }] }, weight: 50 },
  {
    key: 'relation.fsp',
    options: { pairs: [{ student: ['student_conv1', 'student_conv2'], teacher: ['teacher_stage1', 'teacher_stage2'] }] },
    weight: 50,
  },
  { key: 'relation.cc', options: { pairs: pool }, weight: 0.02 },
  // Issue 19: strategies with learned modules or state.
  { key: 'feature.vid', options: { pairs: [{ student: 'student_conv2', teacher: 'teacher_stage2' }] } },
  {
    key: 'feature.review',
    options: {
      midChannels: 8,
      warmupEpochs: 1,
      // 14×14 and 7×7 maps: the 28×28 ones make tfjs's 3×3 filter gradient the whole run's cost.
      pairs: [
        { student: 'student_pool1', teacher: 'teacher_stage2' },
        { student: 'student_pool2', teacher: 'teacher_stage3' },
      ],
    },
    parts: ['stage1', 'stage2'],
  },
  {
    key: 'feature.ofd',
    // Pre-ReLU maps on both sides: the student normalises before its ReLUs (student_bn<i>), and each of the teacher's
    // stages ends in the block's addition, whose margins come from the residual branch's last batch norm.
    student: { name: 'student', model: { type: 'cnn', channels: [4, 8], dense: 16, batchNorm: true } },
    options: {
      pairs: [
        { student: 'student_bn1', teacher: 'teacher_s1b1_add', teacherBatchNorm: 'teacher_s1b1_conv2_bn' },
        { student: 'student_bn2', teacher: 'teacher_s2b1_add', teacherBatchNorm: 'teacher_s2b1_conv2_bn' },
      ],
    },
    // The reference's CIFAR weight: its loss is summed over every element and divided by the batch size only.
    weight: 1e-3,
    parts: ['pair1', 'pair2'],
  },
  {
    key: 'self.byot',
    options: { stages: ['student_conv1', 'student_conv2'], deepest: 'student_dense' },
    parts: ['ce', 'kd', 'feature'],
  },
  {
    key: 'contrastive.crd',
    options: { student: 'student_dense', teacherLayer: 'teacher_pool', negatives: 256 },
    weight: 0.8,
    parts: ['student', 'teacher'],
  },
];

describe('the method library, each key trained end to end through the CLI on MNIST with a zoo teacher', () => {
  for (const [index, { key, options, weight = 1, parts, student }] of cases.entries()) {
    it(`${key}${options && 'mode' in options ? ` (${options.mode})` : ''} trains, logs its term and its parts every epoch`, async () => {
      const { records, summary } = await run(`method-${index}`, {
        teachers:
          key === 'response.tfkd' || key === 'self.byot' ? [] : [{ name: 'teacher', model: { type: 'file', path: teacherPath } }],
        strategies: [{ key, weight, ...(options === undefined ? {} : { options }) }, { key: 'task.ce' }],
        ...(student === undefined ? {} : { student }),
      });
      expect(records.map((record) => record.epoch)).toEqual([0, 1]);
      for (const record of records) {
        expect(Number.isFinite(record.losses[key])).toBe(true);
        expect(Object.keys(record.lossParts?.[key] ?? {}).sort()).toEqual([...(parts ?? [])].sort());
        for (const value of Object.values(record.lossParts?.[key] ?? {})) expect(Number.isFinite(value)).toBe(true);
      }
      if (key === 'response.ctkd') {
        // τ stays inside (1, 21); the reversal is weak in the first epochs, so it starts near 1 + 20 σ(θ₀).
        for (const record of records) {
          const tau = record.lossParts?.[key]?.temperature as number;
          expect(tau).toBeGreaterThan(1);
          expect(tau).toBeLessThan(21);
        }
      }
      // It learns: the weighted objective falls from the first epoch to the second, and the student is evaluated.
      // CRD's NCE term is measured against memory banks that start random and fill with real embeddings during the
      // first epochs, so it may rise early; there the student's own cross-entropy is what must fall.
      const watched = (record: MetricsRecord) => (key === 'contrastive.crd' ? (record.losses['task.ce'] as number) : record.loss);
      expect(watched(records[1] as MetricsRecord)).toBeLessThan(watched(records[0] as MetricsRecord));
      const accuracy = summary.models.student?.accuracy.mean as number;
      expect(accuracy).toBeGreaterThanOrEqual(0);
      expect(accuracy).toBeLessThanOrEqual(1);
    });
  }

  it('multi.relation weighs two teachers’ RKD relations per example by confidence', async () => {
    const teachers = ['a', 'b'].map((name) => ({ name, model: { type: 'file', path: teacherPath } }));
    const { records, summary } = await run('method-multi', {
      teachers,
      strategies: [
        {
          key: 'multi.relation',
          options: {
            method: 'rkd',
            policy: 'confidence',
            pairs: [
              { teacher: 'a', student: 'student_dense', teacherLayer: 'teacher_pool' },
              { teacher: 'b', student: 'student_pool2', teacherLayer: 'teacher_stage3' },
            ],
          },
        },
        { key: 'task.ce' },
      ],
    });
    expect(records.every((record) => Number.isFinite(record.losses['multi.relation']))).toBe(true);
    expect((records[1] as MetricsRecord).loss).toBeLessThan((records[0] as MetricsRecord).loss);
    expect(summary.models.student?.accuracy.mean).toBeGreaterThanOrEqual(0);
  });

  it('multi.crd contrasts the student with two teachers, a head pair and two banks each, weighted per example by entropy', async () => {
    const teachers = ['a', 'b'].map((name) => ({ name, model: { type: 'file', path: teacherPath } }));
    const { records, summary } = await run('method-multi-crd', {
      teachers,
      strategies: [
        {
          key: 'multi.crd',
          weight: 0.8,
          options: { student: 'student_dense', teacherLayer: 'teacher_pool', negatives: 256, policy: 'entropy' },
        },
        { key: 'task.ce' },
      ],
    });
    expect(records.map((record) => record.epoch)).toEqual([0, 1]);
    for (const record of records) {
      expect(Number.isFinite(record.losses['multi.crd'])).toBe(true);
      expect(Object.keys(record.lossParts?.['multi.crd'] ?? {})).toEqual(['student', 'teacher', 'crd/a', 'crd/b']);
      for (const value of Object.values(record.lossParts?.['multi.crd'] ?? {})) expect(Number.isFinite(value)).toBe(true);
    }
    // As for contrastive.crd, the banks start random, so the student's own cross-entropy is what must fall.
    expect((records[1] as MetricsRecord).losses['task.ce']).toBeLessThan(
      (records[0] as MetricsRecord).losses['task.ce'] as number,
    );
    expect(summary.models.student?.accuracy.mean).toBeGreaterThanOrEqual(0);
  });

  it('feature.ft runs the paraphraser’s own stage on the teacher held fixed, then the student’s from its encoder', async () => {
    const { records } = await run('method-ft', {
      teachers: [{ name: 'teacher', model: { type: 'file', path: teacherPath } }],
      strategies: [
        { key: 'task.ce' },
        {
          key: 'feature.ft',
          weight: 50,
          // 14×14 maps on both sides; one epoch of paraphraser training is enough to see it run.
          options: { teacherLayer: 'teacher_stage2', student: 'student_pool1', paraphraserEpochs: 1 },
        },
      ],
    });
    expect(records.map((record) => Number.isFinite(record.losses['feature.ft']))).toEqual([true, true]);
    const runDirectory = join(directory, 'runs', 'method-ft');
    const all = (await readFile(join(runDirectory, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as MetricsRecord);
    const paraphraser = all.filter((record) => record.stage === 'seed1-pretrain-feature.ft');
    expect(paraphraser.map((record) => record.model)).toEqual(['pretraining:feature.ft']);
    expect(paraphraser[0]?.lossParts?.['feature.ft.paraphraser']?.reconstruction).toBeGreaterThan(0);
    // The paraphraser's stage is kept with its strategy weights, for a re-run to reuse.
    const kept = JSON.parse(
      await readFile(join(runDirectory, 'stages', 'seed1-pretrain-feature.ft', 'stage-strategy-weights.json'), 'utf8'),
    ) as { weights: { name: string }[] };
    expect(kept.weights.map(({ name }) => name)).toContain('paraphraser/encoder/conv1/kernel');
  });

  it('online.dml trains the student and a peer from scratch together, and evaluates and saves the peer', async () => {
    const { records, summary } = await run('method-dml', {
      teachers: [],
      peers: [{ name: 'peer', model: { type: 'cnn', channels: [8, 8], dense: 16 } }],
      strategies: [{ key: 'task.ce' }, { key: 'online.dml', options: { temperature: 2 } }],
    });
    expect(records.map((record) => Object.keys(record.lossParts?.['online.dml'] ?? {}).sort())).toEqual([
      ['mutual', 'peers'],
      ['mutual', 'peers'],
    ]);
    expect((records[1] as MetricsRecord).loss).toBeLessThan((records[0] as MetricsRecord).loss);
    expect(Object.keys(records[1]?.validation?.peers ?? {})).toEqual(['peer']);
    expect(summary.models['peer:peer']?.role).toBe('peer');
    // Past twice chance (one in ten) after two epochs of 480 examples.
    expect(summary.models['peer:peer']?.accuracy.mean).toBeGreaterThan(0.2);
    await expect(stat(join(directory, 'runs', 'method-dml', 'peers', 'peer', 'model.json'))).resolves.toBeDefined();
  });
});
