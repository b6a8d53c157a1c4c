import '@tensorflow/tfjs-backend-cpu';
import { createDistiller, DistilleryError, lossTotal } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { creationContext, expectNoLeaks, fixtureMlp, silentLogger, strategyLossParts } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mutualLearningLoss } from './mutualLearningLoss.js';
import { mutualLearningStrategyFactory } from './mutualLearningStrategyFactory.js';
import { selfDistillationPlugin } from './selfDistillationPlugin.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const creation = creationContext({ path: 'strategies[1].options', teacherNames: [] });

describe('mutualLearningStrategyFactory', () => {
  it('is registered as online.dml with T = 1 by default, and cites Zhang et al. 2018', () => {
    expect(mutualLearningStrategyFactory.key).toBe('online.dml');
    expect(mutualLearningStrategyFactory.optionsSchema?.parse({})).toEqual({ temperature: 1 });
    expect(mutualLearningStrategyFactory.paper).toBe('Zhang, Xiang, Hospedales, Lu 2018, "Deep Mutual Learning", CVPR');
  });

  it('adds the mutual KL terms of student and peers and the peers’ cross-entropy, and reports both parts', async () => {
    const strategy = mutualLearningStrategyFactory.create({ temperature: 2 }, creation);
    const [student, peer, labels] = [
      tf.tensor2d([
        [0.5, -1, 2],
        [1, 0, -0.5],
      ]),
      tf.tensor2d([
        [0.2, 0.7, -0.3],
        [0, 1, 0],
      ]),
      tf.tensor1d([2, 1], 'int32'),
    ];
    const context = {
      inputs: student,
      labels,
      student: { logits: student, features: {} },
      teachers: [],
      peers: [{ name: 'peer', logits: peer, features: {} }],
      epoch: 0,
      epochs: 1,
      step: 0,
      stepsPerEpoch: 1,
    };
    const mutual = tf.tidy(() => mutualLearningLoss([student, peer], { temperature: 2 }).dataSync()[0] as number);
    const peerCe = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 3), peer).dataSync()[0] as number);
    const reported = await strategyLossParts(strategy, context);
    expect(reported.parts.mutual).toBeCloseTo(mutual, 6);
    expect(reported.parts.peers).toBeCloseTo(peerCe, 6);
    expect(reported.total).toBeCloseTo(mutual + peerCe, 5);
    // The peer gets its own CE gradient as well as its KL one; the student only its KL one.
    const studentGradient = await expectNoLeaks(() =>
      tf.tidy(() =>
        tf
          .grad((z: tf.Tensor) => lossTotal(strategy.loss({ ...context, student: { logits: z as tf.Tensor2D, features: {} } })))(
            student,
          )
          .dataSync(),
      ),
    );
    const klOnly = tf.tidy(() =>
      tf
        .grad((z: tf.Tensor) => mutualLearningLoss([z as tf.Tensor2D, peer], { temperature: 2 }))(student)
        .dataSync(),
    );
    Array.from(studentGradient).forEach((value, i) => {
      expect(value).toBeCloseTo(klOnly[i] as number, 6);
    });
    tf.dispose([student, peer, labels]);
  });

  it('says in one line that it needs peers, and rejects a bad temperature', () => {
    const strategy = mutualLearningStrategyFactory.create({}, creation);
    const lonely = {
      inputs: tf.zeros([1, 2]),
      labels: tf.tensor1d([0], 'int32'),
      student: { logits: tf.zeros([1, 2]) as tf.Tensor2D, features: {} },
      teachers: [],
      epoch: 0,
      epochs: 1,
      step: 0,
      stepsPerEpoch: 1,
    };
    expect(() => strategy.loss(lonely)).toThrow(DistilleryError);
    expect(() => strategy.loss(lonely)).toThrow(
      'strategies[1].options: online.dml needs peers to learn with; give the experiment peers: [{ name, model }]',
    );
    expect(() => mutualLearningStrategyFactory.create({ temperature: 0 }, creation)).toThrow(
      'strategies[1].options.temperature: expected a positive number',
    );
    tf.dispose([lonely.inputs, lonely.labels, lonely.student.logits]);
  });

  it('trains a student and a peer from scratch together, both learning the task, with no teacher', async () => {
    const data = new IndexedDataset(gaussianClusters({ examples: 240, features: 10, classes: 4, noise: 1.2, seed: 3 }));
    const [train, validation] = [data.take(180), data.slice(180)];
    const student = fixtureMlp({ inputSize: 10, hidden: [12], classes: 4, prefix: 'student', seed: 1 });
    const peer = fixtureMlp({ inputSize: 10, hidden: [16], classes: 4, prefix: 'peer', seed: 2 });
    const distiller = createDistiller({
      student: { model: student },
      peers: [{ name: 'peer', model: peer }],
      strategies: [{ key: 'task.ce' }, { key: 'online.dml' }],
      plugins: [selfDistillationPlugin],
      training: { epochs: 6, batchSize: 30, seed: 4, optimizer: { name: 'adam', learningRate: 0.02 } },
      backend: 'cpu',
      logger: silentLogger,
    });
    const history = await distiller.fit(train, { validation, diagnoseTeachers: false });
    const first = history[0]?.validation;
    const last = history.at(-1)?.validation;
    expect(last?.accuracy).toBeGreaterThan((first?.accuracy as number) + 0.05);
    expect(last?.peers?.peer?.accuracy).toBeGreaterThan((first?.peers?.peer?.accuracy as number) + 0.05);
    expect(history.at(-1)?.lossParts?.['online.dml']?.mutual).toBeLessThan(
      history[0]?.lossParts?.['online.dml']?.mutual as number,
    );
    distiller.dispose();
    for (const model of [student, peer]) model.dispose();
  });
});
