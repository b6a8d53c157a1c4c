// The browser program scripts/check-browser.mjs bundles and runs in Chromium: distillation through the kernel
// and the plugins exactly as a web app would import them. Every package said to be browser-safe is imported, so
// the bundle fails to build if any of them reaches for a Node built-in.

import { buildModel, parseConfig } from '@distillery/config';
import { createDistiller } from '@distillery/core';
import { gaussianClusters, splitTrainValidation } from '@distillery/data';
import * as attention from '@distillery/plugin-attention';
import * as contrastive from '@distillery/plugin-contrastive';
import * as feature from '@distillery/plugin-feature';
import { multiTeacherPlugin } from '@distillery/plugin-multi-teacher';
import * as relation from '@distillery/plugin-relation';
import { responsePlugin } from '@distillery/plugin-response';
import * as selfDistillation from '@distillery/plugin-self-distillation';
import * as graphModelTeacher from '@distillery/teacher-graph-model';
import * as zoo from '@distillery/zoo';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';

const silent = { info() {}, warn() {} };
globalThis.browserSafeExports = [attention, contrastive, feature, relation, selfDistillation, graphModelTeacher, zoo].map(
  (module) => Object.keys(module).length,
);
// A config parsed in the page, as an app that ships YAML configs would.
const config = parseConfig(
  'strategies: [{ key: response.kd, weight: 0.7, options: { temperature: 4 } }, { key: task.ce, weight: 0.3 }]\n' +
    'student: { model: { type: mlp, hidden: [8] } }\ndata: { source: synthetic }\n',
  'page.yaml',
);

/** Trains two teachers on labels, then distils a student with response.kd and with multi.kd, on `backend`. */
globalThis.distil = async (backend) => {
  if (!(await tf.setBackend(backend))) return { backend, unavailable: true };
  await tf.ready();
  const started = tf.memory().numTensors;
  const store = gaussianClusters({ examples: 900, features: 16, classes: 4, noise: 1.2, seed: 3 });
  const { train, validation } = splitTrainValidation(store, { validation: 200, seed: 1 });
  const shape = { inputShape: [16], classes: 4 };
  const training = { epochs: 6, batchSize: 64, seed: 1, optimizer: { name: 'adam', learningRate: 0.02 } };
  const teachers = [];
  for (const seed of [1, 2]) {
    const model = buildModel({ type: 'mlp', hidden: [64] }, { ...shape, name: `teacher${seed}`, seed });
    const fit = createDistiller({
      student: { name: `teacher${seed}`, model },
      strategies: [{ key: 'task.ce' }],
      training,
      backend,
      logger: silent,
    });
    await fit.fit(train);
    fit.dispose();
    teachers.push({ name: `teacher${seed}`, model });
  }
  const runs = {};
  for (const key of ['response.kd', 'multi.kd']) {
    const student = buildModel(config.student.model, { ...shape, name: 'student', seed: 5 });
    const tensorsBefore = tf.memory().numTensors;
    const distiller = createDistiller({
      teachers: key === 'multi.kd' ? teachers : teachers.slice(0, 1),
      student: { name: 'student', model: student },
      strategies: [{ ...config.strategies[0], key }, config.strategies[1]],
      training,
      plugins: [responsePlugin, multiTeacherPlugin],
      backend,
      logger: silent,
    });
    const clock = performance.now();
    const history = await distiller.fit(train, { validation });
    const seconds = (performance.now() - clock) / 1000;
    const { accuracy } = await distiller.evaluate(validation);
    distiller.dispose();
    const tensorsAfter = tf.memory().numTensors;
    student.dispose();
    runs[key] = { losses: history.map((epoch) => epoch.loss), accuracy, seconds, tensorsBefore, tensorsAfter };
  }
  for (const { model } of teachers) model.dispose();
  return {
    backend: tf.getBackend(),
    runs,
    tensorsStarted: started,
    tensorsEnded: tf.memory().numTensors,
    secureContext: globalThis.isSecureContext,
    webCrypto: globalThis.crypto?.subtle !== undefined,
  };
};
