import '@tensorflow/tfjs-backend-cpu';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { fixtureMlp, silentLogger, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelFingerprint } from '../models/modelFingerprint.js';
import type { TrainingState } from '../state/TrainingState.js';
import type { DistillationContext } from '../strategy/DistillationContext.js';
import { StrategyFactory } from '../strategy/StrategyFactory.js';
import { sha256Hex } from '../teachers/sha256Hex.js';
import { TrainingInterrupted } from '../training/TrainingInterrupted.js';
import { runStages } from './runStages.js';
import type { StagedExperimentSpec } from './StagedExperimentSpec.js';
import type { StageResult } from './StageResult.js';
import type { StageSpec } from './StageSpec.js';
import type { StageStore } from './StageStore.js';

const train = new IndexedDataset(gaussianClusters({ examples: 48, features: 6, classes: 3, seed: 5 }));
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const training = { epochs: 2, batchSize: 16, seed: 1 };
const mlp =
  (prefix: string, hidden: number, seed = 1) =>
  () =>
    fixtureMlp({ inputSize: 6, hidden: [hidden], classes: 3, prefix, seed });

/** A store in memory, as a browser app might keep one. */
class MemoryStore implements StageStore {
  readonly saved = new Map<string, StageResult>();
  async load(stage: string, fingerprint: string) {
    const result = this.saved.get(stage);
    if (result === undefined || result.fingerprint !== fingerprint) return undefined;
    const { model, peers, ...rest } = result;
    return { model, ...(peers === undefined ? {} : { peers }), result: rest };
  }
  async save(result: StageResult) {
    this.saved.set(result.name, result);
  }
}

function chain(store?: StageStore): StagedExperimentSpec {
  return {
    stages: [
      { name: 'teacher', student: { model: mlp('big', 16) }, strategies: [{ key: 'task.ce' }], training },
      {
        name: 'assistant',
        teachers: [{ name: 'big', stage: 'teacher' }],
        student: { model: mlp('mid', 8) },
        strategies: [{ key: 'task.ce' }],
        training,
      },
      {
        name: 'small',
        teachers: [{ name: 'mid', stage: 'assistant' }],
        student: { model: mlp('small', 4) },
        strategies: [{ key: 'task.ce' }],
        training,
      },
    ],
    backend: 'cpu',
    logger: silentLogger,
    ...(store === undefined ? {} : { store }),
  };
}

describe('runStages', () => {
  it('runs a teacher-assistant chain, each stage taking the previous output as its teacher', async () => {
    const teachersSeen: string[][] = [];
    const results = await runStages(
      chain(),
      { train, validation: train },
      {
        onStageBegin: (_stage, distiller) =>
          teachersSeen.push(distiller.teachers.map((teacher) => (teacher.model as tfl.LayersModel).name)),
      },
    );
    expect(results.map((result) => result.name)).toEqual(['teacher', 'assistant', 'small']);
    expect(teachersSeen).toEqual([[], ['big'], ['mid']]);
    expect(results.map((result) => result.model.name)).toEqual(['big', 'mid', 'small']);
    for (const result of results) {
      expect(result.history).toHaveLength(2);
      expect(result.reused).toBe(false);
      expect(result.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(result.evaluation?.accuracy).toBeGreaterThanOrEqual(0);
    }
    expect(results[1]?.diagnostics?.teachers.big?.accuracy).toBe(results[0]?.evaluation?.accuracy);
    for (const result of results) result.model.dispose();
  });

  it('continues training an earlier stage’s model when the student is { stage }', async () => {
    let built: tfl.LayersModel | undefined;
    const results = await runStages(
      {
        stages: [
          { name: 'first', student: { model: () => (built = mlp('m', 5)()) }, strategies: [{ key: 'task.ce' }], training },
          { name: 'second', student: { stage: 'first' }, strategies: [{ key: 'task.ce' }], training },
        ],
        backend: 'cpu',
        logger: silentLogger,
      },
      { train },
    );
    expect(results[1]?.model).toBe(built);
    expect(results[1]?.model).toBe(results[0]?.model);
    built?.dispose();
  });

  it('reuses a stored stage with the same fingerprint and retrains what changed after it', async () => {
    const store = new MemoryStore();
    const first = await runStages(chain(store), { train, id: 'synthetic-v1' });
    const teacherWeights = weightsOf(first[0]?.model as tfl.LayersModel);

    const again = await runStages(chain(store), { train, id: 'synthetic-v1' });
    expect(again.map((result) => result.reused)).toEqual([true, true, true]);
    expect(again.map((result) => result.fingerprint)).toEqual(first.map((result) => result.fingerprint));
    expect(weightsOf(again[0]?.model as tfl.LayersModel)).toEqual(teacherWeights);

    // Other data: nothing may be reused.
    const otherData = await runStages(chain(store), { train, id: 'synthetic-v2' });
    expect(otherData.map((result) => result.reused)).toEqual([false, false, false]);

    // A changed middle stage invalidates it and every stage downstream, not the ones before it.
    const changed = chain(store);
    const stages = [...changed.stages];
    stages[1] = { ...(stages[1] as (typeof stages)[number]), training: { ...training, epochs: 3 } };
    const partly = await runStages({ ...changed, stages }, { train, id: 'synthetic-v2' });
    expect(partly.map((result) => result.reused)).toEqual([true, false, false]);
    // The memory store hands back the very models it saved, so several results share one model.
    for (const model of new Set([...first, ...again, ...otherData, ...partly].map((result) => result.model))) model.dispose();
  });

  it('refuses references to stages that do not come earlier, and duplicate names', async () => {
    const forward: StagedExperimentSpec = {
      stages: [
        { name: 'a', teachers: [{ name: 't', stage: 'b' }], student: { model: mlp('a', 4) }, strategies: [{ key: 'task.ce' }] },
        { name: 'b', student: { model: mlp('b', 4) }, strategies: [{ key: 'task.ce' }] },
      ],
    };
    await expect(runStages(forward, { train })).rejects.toThrow(
      "stages[0].teachers[0].stage: no earlier stage named 'b'; earlier stages: none",
    );
    const twice: StagedExperimentSpec = {
      stages: [
        { name: 'a', student: { model: mlp('a', 4) }, strategies: [{ key: 'task.ce' }] },
        { name: 'a', student: { stage: 'a' }, strategies: [{ key: 'task.ce' }] },
      ],
    };
    await expect(runStages(twice, { train })).rejects.toThrow("stages[1].name: stage name 'a' is used twice");
    await expect(runStages({ stages: [] }, { train })).rejects.toThrow('stages: expected at least one stage');
  });
});

describe('runStages when a stage fails', () => {
  it('frees the models it built, so nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const failing: StagedExperimentSpec = {
      stages: [
        { name: 'fine', student: { model: mlp('fine', 4) }, strategies: [{ key: 'task.ce' }], training },
        {
          name: 'broken',
          teachers: [{ name: 'fine', stage: 'fine' }],
          student: { model: mlp('broken', 4) },
          strategies: [{ key: 'no.such' }],
          training,
        },
      ],
      backend: 'cpu',
      logger: silentLogger,
    };
    await expect(runStages(failing, { train })).rejects.toThrow("strategies[0].key: unknown strategy 'no.such'");
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** The peer's cross-entropy, so a peer learns the labels beside the student (core knows no online-distillation plugin). */
const peerCrossEntropy = new ContainerModule(({ bind }) => {
  bind(StrategyFactory).toConstantValue({
    key: 'test.peer-ce',
    description: 'each peer’s cross-entropy on the labels',
    create: () => ({
      key: 'test.peer-ce',
      loss: (context: DistillationContext) =>
        tf.addN(
          (context.peers ?? []).map(({ logits }) => tf.losses.softmaxCrossEntropy(tf.oneHot(context.labels, 3), logits)),
        ) as tf.Scalar,
    }),
  });
});

function withPeers(store?: StageStore, peerSeed = 2): StagedExperimentSpec {
  return {
    stages: [
      {
        name: 'mutual',
        student: { model: mlp('student', 8) },
        peers: [{ name: 'peer', model: mlp('peer', 8, peerSeed) }],
        strategies: [{ key: 'task.ce' }, { key: 'test.peer-ce' }],
        training,
      },
    ],
    plugins: [peerCrossEntropy],
    backend: 'cpu',
    logger: silentLogger,
    ...(store === undefined ? {} : { store }),
  };
}

describe('runStages with peers', () => {
  it('trains each peer beside the student and hands the peers back with the stage', async () => {
    const before = weightsOf(mlp('peer', 8, 2)());
    const [result] = await runStages(withPeers(), { train, validation: train });
    expect(result?.peers?.map(({ name }) => name)).toEqual(['peer']);
    const peer = result?.peers?.[0]?.model as tfl.LayersModel;
    expect(weightsOf(peer)).not.toEqual(before);
    expect(Object.keys(result?.evaluation?.peers ?? {})).toEqual(['peer']);
    result?.model.dispose();
    peer.dispose();
  });

  it('reuses a stored stage with its peers, and trains again when a peer starts elsewhere', async () => {
    const store = new MemoryStore();
    const [first] = await runStages(withPeers(store), { train });
    const before = tf.memory().numTensors;
    const [again] = await runStages(withPeers(store), { train });
    expect(again?.reused).toBe(true);
    expect(again?.peers?.[0]?.model).toBe(first?.peers?.[0]?.model);
    // The freshly built student and peer were freed when the stored ones were taken.
    expect(tf.memory().numTensors).toBe(before);

    const [moved] = await runStages(withPeers(store, 3), { train });
    expect(moved?.reused).toBe(false);
    expect(moved?.fingerprint).not.toBe(first?.fingerprint);
    for (const result of [first, moved]) {
      result?.model.dispose();
      for (const { model } of result?.peers ?? []) model.dispose();
    }
  });

  it('keeps the fingerprint of a stage without peers what it was before peers existed', async () => {
    const fresh = mlp('big', 16)();
    // The fingerprint as it was computed before peers existed, field for field: a store made then is still used.
    const expected = await sha256Hex(
      JSON.stringify({
        name: 'teacher',
        strategies: [{ key: 'task.ce' }],
        training,
        data: 'clusters-48',
        train: null,
        student: await modelFingerprint(fresh),
        teachers: [],
      }),
    );
    fresh.dispose();
    const [result] = await runStages({ ...chain(), stages: chain().stages.slice(0, 1) }, { train, id: 'clusters-48' });
    expect(result?.fingerprint).toBe(expected);
    result?.model.dispose();
  });
});

describe('runStages with a store that keeps checkpoints', () => {
  /**
   * Keeps each stage's latest checkpoint, as files would, and no finished stage: a run that fails frees
   * the models it made, so an in-memory store cannot hand them to the next run (a file store reloads them).
   */
  class CheckpointingStore implements StageStore {
    readonly saved: string[] = [];
    async load() {
      return undefined;
    }
    async save(result: StageResult) {
      this.saved.push(result.name);
    }
    readonly checkpoints = new Map<string, { fingerprint: string; state: TrainingState }>();
    readonly removed: string[] = [];
    async saveCheckpoint(stage: string, fingerprint: string, state: TrainingState) {
      this.checkpoints.set(stage, { fingerprint, state });
    }
    readonly resumed: string[] = [];
    async loadCheckpoint(stage: string, fingerprint: string) {
      const saved = this.checkpoints.get(stage);
      if (saved?.fingerprint !== fingerprint) return undefined;
      this.resumed.push(stage);
      return saved.state;
    }
    async removeCheckpoint(stage: string) {
      this.removed.push(stage);
      this.checkpoints.delete(stage);
    }
  }

  it('continues an interrupted stage from its checkpoint to the weights of an uninterrupted run', async () => {
    const whole = await runStages(chain(), { train });
    const expected = weightsOf(whole.at(-1)?.model as tfl.LayersModel);
    for (const result of whole) result.model.dispose();

    const store = new CheckpointingStore();
    const error = await runStages(
      chain(store),
      { train },
      {
        checkpointEverySteps: 1,
        onStageBegin: (stage, distiller) => {
          if (stage === 'assistant') distiller.on('batchEnd', ({ step }) => step === 3 && distiller.interrupt());
        },
      },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TrainingInterrupted);
    expect((error as Error).message).toBe('stage assistant: interrupted at epoch 1, batch 1 of 3 (step 4); the state is saved');
    expect(store.removed).toEqual(['teacher']);
    expect([...store.checkpoints.keys()]).toEqual(['assistant']);

    const resumed = await runStages(chain(store), { train });
    // The teacher trains again, to the same weights, so the assistant's checkpoint still matches its fingerprint.
    expect(store.saved).toEqual(['teacher', 'teacher', 'assistant', 'small']);
    expect(weightsOf(resumed.at(-1)?.model as tfl.LayersModel)).toEqual(expected);
    expect(store.removed).toEqual(['teacher', 'teacher', 'assistant', 'small']);
    expect(store.resumed).toEqual(['assistant']);
    for (const result of resumed) result.model.dispose();
  });

  it('names the stage in a non-finite-loss error', async () => {
    const spec = chain();
    const poisoned: StagedExperimentSpec = {
      ...spec,
      stages: [{ ...(spec.stages[0] as StageSpec), training: { ...training, optimizer: { name: 'sgd', learningRate: 1e30 } } }],
    };
    await expect(runStages(poisoned, { train })).rejects.toThrow(
      /^stage teacher: non-finite loss at epoch \d+, step \d+: term 'task\.ce' is (NaN|Infinity)/,
    );
  });
});
