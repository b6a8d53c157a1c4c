import '@tensorflow/tfjs-backend-cpu';
import { gaussianClusters } from '@distillery/data';
import { expectNoLeaks, fixtureMlp, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDistiller } from '../composition/createDistiller.js';
import { TensorDataset } from '../data/TensorDataset.js';
import type { TrainingState } from '../state/TrainingState.js';
import type { DistillationContext } from '../strategy/DistillationContext.js';
import { StrategyFactory } from '../strategy/StrategyFactory.js';
import { stopGradient } from '../strategy/stopGradient.js';
import type { Distiller, FitOptions } from './Distiller.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Mutual learning in miniature: the peer's cross-entropy, and each model pulled towards the other's detached logits. */
const mutual = new ContainerModule(({ bind }) => {
  bind(StrategyFactory).toConstantValue({
    key: 'test.mutual',
    description: 'squared logit difference to the other model, both ways, plus the peer’s cross-entropy',
    create: () => ({
      key: 'test.mutual',
      loss: (context: DistillationContext) => {
        const peer = context.peers?.[0];
        if (peer === undefined) throw new Error('no peer in the context');
        const towardsPeer = tf.mean(tf.squaredDifference(context.student.logits, stopGradient(peer.logits)));
        const towardsStudent = tf.mean(tf.squaredDifference(peer.logits, stopGradient(context.student.logits)));
        const peerCe = tf.losses.softmaxCrossEntropy(tf.oneHot(context.labels, peer.logits.shape[1]), peer.logits);
        return tf.addN([towardsPeer, towardsStudent, peerCe]) as tf.Scalar;
      },
    }),
  });
});

function data(): TensorDataset {
  const { inputs, labels } = gaussianClusters({ examples: 70, features: 6, classes: 3, seed: 8 });
  return new TensorDataset(tf.tensor2d(inputs, [70, 6]), tf.tensor1d(labels, 'int32'), 'synthetic-70');
}

const model = (prefix: string, seed: number, hidden = 8) =>
  fixtureMlp({ inputSize: 6, hidden: [hidden], classes: 3, prefix, seed });

function distillerFor(student: tfl.LayersModel, peer: tfl.LayersModel): Distiller {
  return createDistiller({
    student: { model: student },
    peers: [{ name: 'peer', model: peer }],
    strategies: [{ key: 'task.ce' }, { key: 'test.mutual', weight: 0.5 }],
    plugins: [mutual],
    training: { epochs: 3, batchSize: 16, seed: 5, optimizer: { name: 'adam', learningRate: 0.02 } },
    backend: 'cpu',
    logger: { info() {}, warn() {} },
  });
}

const values = (model: tfl.LayersModel) => weightsOf(model).map((array) => Array.from(array));

describe('a Distiller with peers (online distillation)', () => {
  it('trains the peer together with the student and evaluates it beside the student', async () => {
    const train = data();
    const [student, peer] = [model('student', 1), model('peer', 2, 12)];
    const peerBefore = values(peer);
    const distiller = distillerFor(student, peer);
    const history = await distiller.fit(train, { validation: train, diagnoseTeachers: false });
    expect(values(peer)).not.toEqual(peerBefore);
    const last = history.at(-1)?.validation;
    expect(Object.keys(last?.peers ?? {})).toEqual(['peer']);
    expect(last?.peers?.peer?.accuracy).toBeGreaterThan(0.5);
    expect((last?.peers?.peer?.accuracy as number) * 70).toBeCloseTo(Math.round((last?.peers?.peer?.accuracy as number) * 70), 6);
    distiller.dispose();
    for (const m of [student, peer]) m.dispose();
    train.dispose();
  });

  it('is checkpointed with its weights and optimizer state: resumed mid-epoch, both models end bit for bit as uninterrupted', async () => {
    const train = data();
    const [wholeStudent, wholePeer] = [model('student', 1), model('peer', 2, 12)];
    const whole = distillerFor(wholeStudent, wholePeer);
    await whole.fit(train, { diagnoseTeachers: false });
    whole.dispose();

    const [cutStudent, cutPeer] = [model('student', 1), model('peer', 2, 12)];
    const cut = distillerFor(cutStudent, cutPeer);
    const states: TrainingState[] = [];
    cut.on('batchEnd', ({ step }) => {
      if (step === 7) cut.interrupt();
    });
    const checkpoint: FitOptions['checkpoint'] = { everySteps: 100, save: async (state) => void states.push(state) };
    await cut.fit(train, { diagnoseTeachers: false, checkpoint }).catch(() => undefined);
    cut.dispose();
    const saved = states.at(-1) as TrainingState;
    expect(saved.peerWeights).toHaveLength(1);

    // Other initialisations: everything must come from the state.
    const [resumedStudent, resumedPeer] = [model('student', 41), model('peer', 42, 12)];
    await expectNoLeaks(async () => {
      const resumed = distillerFor(resumedStudent, resumedPeer);
      await resumed.fit(train, { diagnoseTeachers: false, resume: saved });
      resumed.dispose();
    });
    expect(values(resumedStudent)).toEqual(values(wholeStudent));
    expect(values(resumedPeer)).toEqual(values(wholePeer));

    const other = distillerFor(model('student', 1), model('peer', 2, 5));
    await expect(other.fit(train, { diagnoseTeachers: false, resume: saved })).rejects.toThrow(
      /^checkpoint: peer 'peer' weights: /,
    );
    other.dispose();
    for (const m of [wholeStudent, wholePeer, cutStudent, cutPeer, resumedStudent, resumedPeer]) m.dispose();
    train.dispose();
  });

  it('refuses a peer that is the student, a repeated peer name and a peer of other classes, in one line', () => {
    const student = model('student', 1);
    const base = { student: { model: student }, strategies: [{ key: 'task.ce' }], backend: 'cpu' as const };
    expect(() => createDistiller({ ...base, peers: [{ name: 'p', model: student }] })).toThrow(
      'peers[0].model: the peer is also the student or a teacher; give each peer its own model',
    );
    const [a, b] = [model('a', 2), model('b', 3)];
    expect(() =>
      createDistiller({
        ...base,
        peers: [
          { name: 'p', model: a },
          { name: 'p', model: b },
        ],
      }),
    ).toThrow("peers[1].name: peer name 'p' is used twice");
    const fourClasses = fixtureMlp({ inputSize: 6, hidden: [4], classes: 4, prefix: 'four', seed: 4 });
    expect(() => createDistiller({ ...base, peers: [{ name: 'four', model: fourClasses }] })).toThrow(
      "peers[0].model: peer 'four' predicts 4 classes, the student 3",
    );
    for (const m of [student, a, b, fourClasses]) m.dispose();
  });
});
