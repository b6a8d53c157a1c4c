import '@tensorflow/tfjs-backend-cpu';
import { createDistiller, type EpochMetrics } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { attentionPlugin } from '@distillery/plugin-attention';
import { contrastivePlugin } from '@distillery/plugin-contrastive';
import { featurePlugin } from '@distillery/plugin-feature';
import { multiTeacherPlugin } from '@distillery/plugin-multi-teacher';
import { relationPlugin } from '@distillery/plugin-relation';
import { responsePlugin } from '@distillery/plugin-response';
import { fixtureCnn, silentLogger } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

const classes = 3;
const examples = 96;
const batchSize = 16;
/** Batches per epoch: the teacher cache counts hits and misses in batches. */
const batches = Math.ceil(examples / batchSize);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('every strategy in one experiment, with the teacher cache on', () => {
  it('leaks no tensor over a 3-epoch run, and holds the same number at the end of every epoch', async () => {
    // 8×8×1 images in Gaussian clusters; the store's id keys the teacher-output cache. Batches are copied out of
    // the store as the loop asks for them, so only the models exist before the count, and they are disposed after it.
    const data = new IndexedDataset(
      gaussianClusters({ examples, features: 64, classes, exampleShape: [8, 8, 1], noise: 1, seed: 7 }),
    );
    // Two teachers with 8×8 and 4×4 conv maps (conv1, then pool, conv2), and a thinner student of the same layout.
    const wide = fixtureCnn({ inputShape: [8, 8, 1], channels: [8, 16], classes, prefix: 'wide', seed: 11 });
    // narrow normalises before each ReLU: feature.ofd reads its pre-ReLU maps (narrow_bn<i>) and their γ, β.
    const narrow = fixtureCnn({ inputShape: [8, 8, 1], channels: [6, 12], classes, prefix: 'narrow', seed: 12, batchNorm: true });
    const student = fixtureCnn({ inputShape: [8, 8, 1], channels: [4, 8], classes, prefix: 'student', seed: 13 });
    const before = tf.memory().numTensors;

    const distiller = createDistiller({
      teachers: [
        { name: 'wide', model: wide },
        { name: 'narrow', model: narrow },
      ],
      student: { model: student },
      strategies: [
        { key: 'task.ce', weight: 1 },
        { key: 'response.kd', weight: 0.1, options: { teacher: 'wide', temperature: 4 } },
        { key: 'response.dkd', weight: 0.1, options: { teacher: 'narrow', temperature: 4, warmupEpochs: 2, standardize: true } },
        { key: 'response.dist', weight: 0.1, options: { teacher: 'wide', beta: 2, gamma: 2, temperature: 4 } },
        {
          key: 'feature.hint',
          weight: 0.1,
          // 4×4 student map onto the 8×8 teacher map: the adapter's output is resized bilinearly.
          options: { teacher: 'wide', pairs: [{ student: 'student_conv2', teacher: 'wide_conv1' }] },
        },
        {
          key: 'attention.at',
          weight: 0.01,
          // 8×8 against 4×4: the larger map is average-pooled.
          options: {
            teacher: 'narrow',
            pairs: [
              { student: 'student_conv1', teacher: 'narrow_conv2' },
              { student: 'student_conv2', teacher: 'narrow_conv2' },
            ],
          },
        },
        { key: 'multi.kd', weight: 0.1, options: { policy: 'confidence', temperature: 4 } },
        {
          key: 'multi.hint',
          weight: 0.1,
          options: {
            policy: 'entropy',
            pairs: [
              { teacher: 'wide', student: 'student_conv1', teacherLayer: 'wide_conv1' },
              { teacher: 'narrow', student: 'student_conv2', teacherLayer: 'narrow_conv2' },
            ],
          },
        },
        {
          key: 'multi.attention',
          weight: 0.01,
          options: {
            pairs: [
              { teacher: 'wide', student: 'student_conv2', teacherLayer: 'wide_conv2' },
              { teacher: 'narrow', student: 'student_conv1', teacherLayer: 'narrow_conv1' },
            ],
          },
        },
        { key: 'response.ctkd', weight: 0.1, options: { teacher: 'wide' } },
        { key: 'response.ctkd', weight: 0.1, options: { teacher: 'narrow', mode: 'instance', hidden: 8 } },
        { key: 'response.tfkd', weight: 0.1 },
        {
          key: 'relation.rkd',
          weight: 0.1,
          options: { teacher: 'wide', pairs: [{ student: 'student_conv2', teacher: 'wide_conv2' }] },
        },
        { key: 'relation.pkt', weight: 0.1, options: { teacher: 'narrow' } },
        { key: 'relation.sp', weight: 0.1, options: { pairs: [{ student: 'student_conv1', teacher: 'wide_conv1' }] } },
        // 4×4 student map against the 8×8 teacher map: resized bilinearly.
        { key: 'relation.nst', weight: 0.1, options: { pairs: [{ student: 'student_conv2', teacher: 'wide_conv1' }] } },
        {
          key: 'relation.fsp',
          weight: 0.1,
          // Student 4 and 8 channels against the teacher's 8 and 16: one adapter per layer.
          options: { pairs: [{ student: ['student_conv1', 'student_conv2'], teacher: ['wide_conv1', 'wide_conv2'] }] },
        },
        { key: 'relation.cc', weight: 0.1 },
        { key: 'multi.dkd', weight: 0.1, options: { policy: 'confidence', warmupEpochs: 2 } },
        // Memory banks over the 96 examples, updated every step: state that must not leak either.
        {
          key: 'contrastive.crd',
          weight: 0.1,
          options: { student: 'student_conv2', teacherLayer: 'wide_conv2', featureDim: 8, negatives: 16 },
        },
        // 4×4 student map against the 8×8 teacher map: the regressor's input is brought to 8×8.
        { key: 'feature.vid', weight: 0.1, options: { pairs: [{ student: 'student_conv2', teacher: 'wide_conv1' }] } },
        {
          key: 'feature.review',
          weight: 0.1,
          options: {
            teacher: 'narrow',
            midChannels: 4,
            pairs: [
              { student: 'student_conv1', teacher: 'narrow_conv1' },
              { student: 'student_conv2', teacher: 'narrow_conv2' },
            ],
          },
        },
        // A translator onto a paraphraser encoder of wide's 4×4 map (its encoder stays fixed: state, not trained).
        {
          key: 'feature.ft',
          weight: 10,
          options: { teacher: 'wide', teacherLayer: 'wide_conv2', student: 'student_conv2' },
        },
        // A connector (1×1 conv + batch norm) onto narrow's pre-ReLU map; margins from narrow_bn2's γ and β.
        {
          key: 'feature.ofd',
          weight: 0.01,
          options: {
            teacher: 'narrow',
            pairs: [{ student: 'student_conv2', teacher: 'narrow_bn2', teacherBatchNorm: 'narrow_bn2' }],
          },
        },
        {
          key: 'multi.relation',
          weight: 0.1,
          options: {
            method: 'nst',
            policy: 'confidence',
            pairs: [
              { teacher: 'wide', student: 'student_conv1', teacherLayer: 'wide_conv1' },
              { teacher: 'narrow', student: 'student_conv2', teacherLayer: 'narrow_conv1' },
            ],
          },
        },
        // One head pair, two banks and Z per teacher, every bank moved every step.
        {
          key: 'multi.crd',
          weight: 0.1,
          options: {
            student: 'student_conv2',
            teacherLayer: { wide: 'wide_conv2', narrow: 'narrow_conv2' },
            featureDim: 8,
            negatives: 16,
            policy: 'confidence',
          },
        },
      ],
      training: {
        epochs: 3,
        batchSize,
        seed: 5,
        optimizer: { name: 'adam', learningRate: 0.005 },
        teacherCache: { enabled: true },
      },
      plugins: [responsePlugin, featurePlugin, attentionPlugin, multiTeacherPlugin, relationPlugin, contrastivePlugin],
      backend: 'cpu',
      logger: silentLogger,
    });
    const terms = [
      'task.ce',
      'response.kd',
      'response.dkd',
      'response.dist',
      'feature.hint',
      'attention.at',
      'multi.kd',
      'multi.hint',
      'multi.attention',
      'response.ctkd',
      'response.ctkd#2',
      'response.tfkd',
      'relation.rkd',
      'relation.pkt',
      'relation.sp',
      'relation.nst',
      'relation.fsp',
      'relation.cc',
      'multi.dkd',
      'contrastive.crd',
      'feature.vid',
      'feature.review',
      'feature.ft',
      'feature.ofd',
      'multi.relation',
      'multi.crd',
    ];
    expect(distiller.termNames).toEqual(terms);

    let teacherCache = '';
    distiller.on('trainBegin', (event) => {
      teacherCache = event.teacherCache;
    });
    const tensorsAtEpochEnd: number[] = [];
    distiller.on('epochEnd', () => {
      tensorsAtEpochEnd.push(tf.memory().numTensors);
    });
    // diagnoseTeachers is left at its default (on, since there are teachers): it runs on the training data.
    const history: EpochMetrics[] = await distiller.fit(data);
    const diagnostics = distiller.diagnostics;
    distiller.dispose();
    const after = tf.memory().numTensors;
    for (const model of [wide, narrow, student]) model.dispose();

    expect(teacherCache).toBe('memory');
    expect(diagnostics?.examples).toBe(examples);
    expect(history.map((epoch) => epoch.epoch)).toEqual([0, 1, 2]);
    expect(history.map((epoch) => epoch.teacherCache)).toEqual([
      { hits: 0, misses: batches },
      { hits: batches, misses: 0 },
      { hits: batches, misses: 0 },
    ]);
    for (const epoch of history) {
      expect(Object.keys(epoch.losses)).toEqual(terms);
      expect(Number.isFinite(epoch.loss)).toBe(true);
      for (const term of terms) expect(Number.isFinite(epoch.losses[term])).toBe(true);
    }
    // No growth from epoch to epoch once the cache is filled (epoch 0 fills it and creates the optimizer's slots) …
    expect(tensorsAtEpochEnd).toHaveLength(3);
    expect(tensorsAtEpochEnd[2]).toBe(tensorsAtEpochEnd[1]);
    // … and nothing left behind once the distiller is disposed: adapters, optimizer slots and cache all go with it.
    expect(after).toBe(before);
  });
});
