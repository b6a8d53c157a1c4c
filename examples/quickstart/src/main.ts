/**
 * `npm start`: a small, complete distillation run. A wide teacher learns a 10-class problem from its
 * labels; a student 1/8 its size then learns it twice, alone and distilled (Hinton KD + hard labels),
 * with the same seed and budget, and both are measured on held-out data.
 */
import { createDistiller, DistilleryError, type EpochMetrics, TensorDataset } from '@distillery/core';
import { loadBackends, saveStudent } from '@distillery/node';
import { responsePlugin } from '@distillery/plugin-response';
import { fixtureMlp, syntheticClassification } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';

const features = 32;
const classes = 10;
const runDirectory = 'runs/quickstart';

function split(all: TensorDataset, trainSize: number): { train: TensorDataset; test: TensorDataset } {
  const [batch] = all.batches({ batchSize: all.size, shuffle: false, seed: 0, epoch: 0 });
  if (batch === undefined) throw new DistilleryError('quickstart: no data');
  const train = new TensorDataset(tf.slice(batch.inputs, 0, trainSize), tf.slice(batch.labels, 0, trainSize));
  const test = new TensorDataset(tf.slice(batch.inputs, trainSize), tf.slice(batch.labels, trainSize));
  tf.dispose([batch.inputs, batch.labels]);
  all.dispose();
  return { train, test };
}

function progress(label: string) {
  return {
    onEpochEnd: ({ epoch, metrics }: { epoch: number; metrics: EpochMetrics }) => {
      const accuracy =
        metrics.validation === undefined ? '' : `  held-out accuracy ${(100 * metrics.validation.accuracy).toFixed(1)}%`;
      console.log(`  ${label} epoch ${epoch + 1}: loss ${metrics.loss.toFixed(4)}${accuracy}  (${metrics.seconds.toFixed(1)} s)`);
    },
  };
}

function parameterCount(model: { countParams(): number }): string {
  return model.countParams().toLocaleString('en-US');
}

async function main(): Promise<void> {
  await loadBackends();
  const { train, test } = split(syntheticClassification({ examples: 2500, features, classes, noise: 2, seed: 7 }), 1500);
  const training = { epochs: 8, batchSize: 64, seed: 1, optimizer: { name: 'adam' as const, learningRate: 2e-3 } };

  console.log('teacher: 32-256-256-10, trained on labels');
  const teacherModel = fixtureMlp({ inputSize: features, hidden: [256, 256], classes, prefix: 'teacher', seed: 1 });
  const teacher = createDistiller({
    student: { name: 'teacher', model: teacherModel },
    strategies: [{ key: 'task.ce' }],
    training,
  });
  await teacher.fit(train, { validation: test, callbacks: [progress('teacher')] });
  const teacherAccuracy = (await teacher.evaluate(test)).accuracy;

  console.log('student alone: 32-24-10, trained on labels');
  const alone = createDistiller({
    student: { model: fixtureMlp({ inputSize: features, hidden: [24], classes, prefix: 'alone', seed: 2 }) },
    strategies: [{ key: 'task.ce' }],
    training,
  });
  await alone.fit(train, { validation: test, callbacks: [progress('alone')] });
  const aloneAccuracy = (await alone.evaluate(test)).accuracy;

  console.log('student distilled: the same student, KD at T = 4 (weight 0.9) + hard labels (weight 0.1)');
  const studentModel = fixtureMlp({ inputSize: features, hidden: [24], classes, prefix: 'student', seed: 2 });
  const distilled = createDistiller({
    teachers: [{ name: 'teacher', model: teacherModel }],
    student: { model: studentModel },
    strategies: [
      { key: 'response.kd', weight: 0.9, options: { temperature: 4 } },
      { key: 'task.ce', weight: 0.1 },
    ],
    training,
    plugins: [responsePlugin],
  });
  await distilled.fit(train, { validation: test, callbacks: [progress('distilled')] });
  const result = await distilled.evaluate(test);
  await saveStudent(distilled, `${runDirectory}/student`);

  const rows = [
    ['teacher', parameterCount(teacherModel), teacherAccuracy],
    ['student alone', parameterCount(studentModel), aloneAccuracy],
    ['student distilled', parameterCount(studentModel), result.accuracy],
  ] as const;
  console.log(`\nheld-out accuracy on ${test.size} examples (backend ${tf.getBackend()})`);
  console.log('model                 parameters  accuracy');
  for (const [name, parameters, accuracy] of rows) {
    console.log(`${name.padEnd(20)} ${parameters.padStart(11)}  ${(100 * accuracy).toFixed(2)}%`);
  }
  console.log(`gain from distillation: ${(100 * (result.accuracy - aloneAccuracy)).toFixed(2)} points`);
  console.log(`teacher–student agreement: ${(100 * (result.agreement.teacher ?? 0)).toFixed(1)}%`);
  console.log(runDirectory);
  for (const distiller of [teacher, alone, distilled]) distiller.dispose();
  train.dispose();
  test.dispose();
}

main().catch((error: unknown) => {
  if (error instanceof DistilleryError) {
    console.error(`error: ${error.message}`);
    process.exitCode = 2;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
});
