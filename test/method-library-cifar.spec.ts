import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricsRecord, Summary } from '@distillery/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { extractCifarSubset } from './support/extractCifarSubset.js';
import { runDistillery } from './support/runDistillery.js';

// Every key of the method library (issues 18 and 19) trains end to end from a config through the CLI on real CIFAR-10
// images (a few hundred of the shared data folder's JPEG copy, 32×32), between zoo models: a ResNet-14 teacher trained
// once by the first run and loaded from its stage output by the others, and a ResNet-8 student, the zoo's smallest
// model (the zoo has no narrower widths). Both are CIFAR ResNets of 16-32-64 filters, so their taps have equal shapes,
// as in RepDistiller's resnet56 → resnet20 pair; the teacher is the deeper. Nothing here measures accuracy: the point is
// that every key runs on real images with zoo models, logs its term and parts finite every epoch, the parts make up
// the term as documented, and the run ends with a summary. Without the archive the tests fail; they never skip.

let directory: string;
let root: string;
let teacherPath: string;

const base = (name: string) => ({
  name,
  plugins: [
    '@distillery/plugin-response',
    '@distillery/plugin-relation',
    '@distillery/plugin-multi-teacher',
    '@distillery/plugin-feature',
    '@distillery/plugin-attention',
    '@distillery/plugin-self-distillation',
    '@distillery/plugin-contrastive',
  ],
  // Each run reads the images decoded by the first from the cache in the temporary folder.
  data: { source: 'image-folder', root, size: [32, 32], validation: 40, cacheDir: join(directory, 'image-cache') },
  student: { name: 'student', model: { type: 'zoo', name: 'resnet8' } },
  training: { epochs: 2, batchSize: 64, optimizer: { name: 'adam', learningRate: 0.003 } },
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
    .map((line) => JSON.parse(line) as MetricsRecord);
  return { records, summary: JSON.parse(await readFile(join(runDirectory, 'summary.json'), 'utf8')) as Summary };
}

const studentRecords = (records: MetricsRecord[]) => records.filter((record) => record.model === 'student');

/** Epoch means of float32 batch losses, combined in another order: equal to four significant digits at least. */
function expectNear(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected)));
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'distillery-methods-cifar-'));
  // 40 training images per class (400, of which 40 are held out for validation) and 10 test images per class.
  root = await extractCifarSubset(directory, { train: 40, test: 10 });
  const teacherRun = await run('zoo-teacher', {
    teachers: [
      {
        name: 'teacher',
        model: { type: 'zoo', name: 'resnet14' },
        training: { epochs: 5, batchSize: 32, optimizer: { name: 'adam', learningRate: 0.003 } },
      },
    ],
    strategies: [
      { key: 'response.kd', weight: 0.5 },
      { key: 'task.ce', weight: 0.5 },
    ],
  });
  // The teacher learns: its cross-entropy falls from chance level (ln 10 ≈ 2.30) over its five epochs. Its accuracy on
  // 100 test images after so little training is too noisy to bound away from chance.
  const teacherLosses = teacherRun.records.filter((record) => record.model === 'teacher:teacher').map((record) => record.loss);
  expect(teacherLosses).toHaveLength(5);
  expect(teacherLosses.at(-1)).toBeLessThan(teacherLosses[0] as number);
  expect(teacherRun.summary.models['teacher:teacher']?.accuracy.mean).toBeGreaterThanOrEqual(0);
  teacherPath = join(directory, 'runs', 'zoo-teacher', 'stages', 'seed1-teacher-teacher');
}, 180_000);

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const pool = [{ student: 'student_pool', teacher: 'teacher_pool' }];
type Parts = Record<string, number>;

interface MethodCase {
  readonly key: string;
  readonly options?: object;
  readonly weight?: number;
  /** The loss parts the key declares, logged every epoch. */
  readonly parts?: readonly string[];
  /** How its README says the parts make up the term (an epoch mean of a linear combination is that combination of the means). */
  readonly totals?: readonly ((parts: Parts) => number)[];
  /** How many teachers the run loads from the teacher run's output (two: the same file twice, named a and b). */
  readonly teachers?: 0 | 1 | 2;
}

const cases: readonly MethodCase[] = [
  { key: 'response.kd', options: { temperature: 2, standardize: true }, weight: 9 },
  {
    key: 'response.dkd',
    // A one-epoch warm-up: its factor min((epoch + 1) / 1, 1) is 1 from the first epoch; α = 1 and β = 8 by default.
    options: { warmupEpochs: 1 },
    parts: ['tckd', 'nckd'],
    totals: [(parts) => (parts.tckd as number) + 8 * (parts.nckd as number)],
  },
  {
    key: 'response.dist',
    options: { beta: 2, gamma: 2, temperature: 4 },
    parts: ['inter', 'intra'],
    totals: [(parts) => 2 * (parts.inter as number) + 2 * (parts.intra as number)],
  },
  { key: 'response.ctkd', options: { mode: 'global' }, weight: 0.9, parts: ['temperature'] },
  { key: 'response.tfkd', weight: 10, teachers: 0 },
  {
    key: 'relation.rkd',
    options: { pairs: pool },
    parts: ['distance', 'angle'],
    // λ_D = 25 and λ_A = 50 by default.
    totals: [(parts) => 25 * (parts.distance as number) + 50 * (parts.angle as number)],
  },
  { key: 'relation.pkt', options: { pairs: pool }, weight: 3000 },
  { key: 'relation.sp', options: { pairs: [{ student: 'student_stage3', teacher: 'teacher_stage3' }] }, weight: 300 },
  { key: 'relation.nst', options: { pairs: [{ student: 'student_stage2', teacher: 'teacher_stage2' }] }, weight: 50 },
  {
    key: 'relation.fsp',
    // The flow between the stem and the first stage, both 32×32×16 in either model.
    options: { pairs: [{ student: ['student_stem', 'student_stage1'], teacher: ['teacher_stem', 'teacher_stage1'] }] },
    weight: 50,
  },
  { key: 'relation.cc', options: { pairs: pool }, weight: 0.02 },
  { key: 'feature.hint', options: { pairs: [{ student: 'student_stage2', teacher: 'teacher_stage2' }] } },
  {
    key: 'attention.at',
    options: {
      pairs: [
        { student: 'student_stage1', teacher: 'teacher_stage1' },
        { student: 'student_stage2', teacher: 'teacher_stage2' },
        { student: 'student_stage3', teacher: 'teacher_stage3' },
      ],
    },
  },
  // Issue 19: strategies with learned modules or state.
  { key: 'feature.vid', options: { pairs: [{ student: 'student_stage3', teacher: 'teacher_stage3' }] } },
  {
    key: 'feature.review',
    options: {
      midChannels: 16,
      warmupEpochs: 1,
      // Two 8×8 stages (stage 3's first block and its output) keep this file short: with the 16×16 stage 2 the ABF
      // modules' 3×3 convolutions and their gradients at 16×16 take about three times as long (12.8 s against 3.8 s).
      pairs: [
        { student: 'student_s3b1_conv1_relu', teacher: 'teacher_s3b1_relu' },
        { student: 'student_stage3', teacher: 'teacher_stage3' },
      ],
    },
    parts: ['stage1', 'stage2'],
    totals: [(parts) => (parts.stage1 as number) + (parts.stage2 as number)],
  },
  {
    key: 'feature.ft',
    // Two stages: feature.ft.paraphraser fits the paraphraser to the frozen teacher's 8×8 map for one epoch, then the
    // student trains its translator against the paraphraser's encoder; β = 200 is RepDistiller's weight.
    options: { teacherLayer: 'teacher_stage3', student: 'student_stage3', paraphraserEpochs: 1 },
    weight: 200,
  },
  {
    key: 'self.byot',
    options: { stages: ['student_stage1', 'student_stage2'], deepest: 'student_pool' },
    parts: ['ce', 'kd', 'feature'],
    teachers: 0,
  },
  {
    key: 'contrastive.crd',
    options: { student: 'student_pool', teacherLayer: 'teacher_pool', negatives: 256 },
    weight: 0.8,
    parts: ['student', 'teacher'],
    totals: [(parts) => (parts.student as number) + (parts.teacher as number)],
  },
  {
    key: 'multi.relation',
    // Two teachers (the same file twice), weighted per example by confidence. RKD on the pooled features: its angle
    // term builds [B, B, D] differences, which for a flattened 8×8×64 map would be most of the file's time.
    options: {
      method: 'rkd',
      policy: 'confidence',
      pairs: [
        { teacher: 'a', student: 'student_pool', teacherLayer: 'teacher_pool' },
        { teacher: 'b', student: 'student_pool', teacherLayer: 'teacher_pool' },
      ],
    },
    teachers: 2,
  },
  // Written alongside this file for issue 19.
  {
    key: 'feature.ofd',
    // Pre-ReLU block sums at the ends of stages 2 and 3; the margins come from the batch norm ending the teacher's
    // residual branch there (ResNet-14 has two blocks per stage, ResNet-8 one).
    options: {
      pairs: [
        { student: 'student_s2b1_add', teacher: 'teacher_s2b2_add', teacherBatchNorm: 'teacher_s2b2_conv2_bn' },
        { student: 'student_s3b1_add', teacher: 'teacher_s3b2_add', teacherBatchNorm: 'teacher_s3b2_conv2_bn' },
      ],
    },
    // The reference CIFAR script's 1/1000.
    weight: 0.001,
    parts: ['pair1', 'pair2'],
    // Pair weights 1/2^(P−1−p): the shallower pair counts half.
    totals: [(parts) => (parts.pair1 as number) / 2 + (parts.pair2 as number)],
  },
  {
    key: 'multi.crd',
    options: { student: 'student_pool', teacherLayer: 'teacher_pool', negatives: 256, policy: 'entropy' },
    weight: 0.8,
    parts: ['student', 'teacher', 'crd/a', 'crd/b'],
    // Either family sums to the term: the two directions, or each teacher's weighted share.
    totals: [
      (parts) => (parts.student as number) + (parts.teacher as number),
      (parts) => (parts['crd/a'] as number) + (parts['crd/b'] as number),
    ],
    teachers: 2,
  },
];

describe('the method library, each key trained end to end through the CLI on CIFAR-10 images with zoo models', () => {
  for (const [index, { key, options, weight = 1, parts = [], totals = [], teachers = 1 }] of cases.entries()) {
    it(`${key} trains a ResNet-8, logging its term and parts every epoch, finite and consistent`, async () => {
      const teacherList =
        teachers === 2
          ? ['a', 'b'].map((name) => ({ name, model: { type: 'file', path: teacherPath } }))
          : teachers === 1
            ? [{ name: 'teacher', model: { type: 'file', path: teacherPath } }]
            : [];
      const { records, summary } = await run(`method-${index}`, {
        teachers: teacherList,
        strategies: [{ key, weight, ...(options === undefined ? {} : { options }) }, { key: 'task.ce' }],
      });
      const student = studentRecords(records);
      expect(student.map((record) => record.epoch)).toEqual([0, 1]);
      for (const record of student) {
        const term = record.losses[key] as number;
        const logged = record.lossParts?.[key] ?? {};
        expect(Number.isFinite(term)).toBe(true);
        expect(Object.keys(logged).sort()).toEqual([...parts].sort());
        for (const value of Object.values(logged)) expect(Number.isFinite(value)).toBe(true);
        for (const total of totals) expectNear(total(logged), term);
        // The objective logged is the weighted term plus the labels' cross-entropy.
        expectNear(record.loss, weight * term + (record.losses['task.ce'] as number));
      }
      if (key === 'response.ctkd') {
        // τ = 1 + 20 σ(θ) stays inside (1, 21).
        for (const record of student) {
          const tau = record.lossParts?.[key]?.temperature as number;
          expect(tau).toBeGreaterThan(1);
          expect(tau).toBeLessThan(21);
        }
      }
      if (key === 'feature.ft') {
        const paraphraser = records.filter((record) => record.model === 'pretraining:feature.ft');
        expect(paraphraser.map((record) => record.epoch)).toEqual([0]);
        const reconstruction = paraphraser[0]?.lossParts?.['feature.ft.paraphraser']?.reconstruction as number;
        expect(Number.isFinite(reconstruction)).toBe(true);
        expectNear(paraphraser[0]?.losses['feature.ft.paraphraser'] as number, reconstruction);
      }
      const accuracy = summary.models.student?.accuracy.mean as number;
      expect(accuracy).toBeGreaterThanOrEqual(0);
      expect(accuracy).toBeLessThanOrEqual(1);
    });
  }

  it('online.dml trains a ResNet-8 student and a ResNet-8 peer from scratch together, and evaluates and saves the peer', async () => {
    const { records, summary } = await run('method-dml', {
      teachers: [],
      peers: [{ name: 'peer', model: { type: 'zoo', name: 'resnet8' } }],
      strategies: [{ key: 'task.ce' }, { key: 'online.dml', options: { temperature: 2 } }],
    });
    const student = studentRecords(records);
    expect(student.map((record) => record.epoch)).toEqual([0, 1]);
    for (const record of student) {
      expect(Number.isFinite(record.losses['online.dml'])).toBe(true);
      expectNear(record.loss, (record.losses['online.dml'] as number) + (record.losses['task.ce'] as number));
      expect(Object.keys(record.lossParts?.['online.dml'] ?? {}).sort()).toEqual(['mutual', 'peers']);
      for (const value of Object.values(record.lossParts?.['online.dml'] ?? {})) expect(Number.isFinite(value)).toBe(true);
    }
    expect(Object.keys(student[1]?.validation?.peers ?? {})).toEqual(['peer']);
    expect(summary.models['peer:peer']?.role).toBe('peer');
    const peerAccuracy = summary.models['peer:peer']?.accuracy.mean as number;
    expect(peerAccuracy).toBeGreaterThanOrEqual(0);
    expect(peerAccuracy).toBeLessThanOrEqual(1);
    await expect(stat(join(directory, 'runs', 'method-dml', 'peers', 'peer', 'model.json'))).resolves.toBeDefined();
  });
});
