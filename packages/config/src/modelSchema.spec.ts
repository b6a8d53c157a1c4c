import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from './buildModel.js';
import { parseConfig } from './parseConfig.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config = (student: string, teacher: string) => `
data: { source: synthetic }
teachers: [{ name: big, model: ${teacher}, training: { epochs: 1 } }]
student: { model: ${student} }
strategies: [{ key: task.ce }]
`;

describe("a model of type 'zoo'", () => {
  it('names a vision net of @distillery/zoo, for students and teachers alike', () => {
    const parsed = parseConfig(config('{ type: zoo, name: resnet8 }', '{ type: zoo, name: wrn-16-2 }'), 'c.yaml');
    expect(parsed.student.model).toEqual({ type: 'zoo', name: 'resnet8' });
    expect(parsed.teachers[0]?.model).toEqual({ type: 'zoo', name: 'wrn-16-2' });
  });

  it('builds with layers named after the model, the stage taps included, outputting logits', () => {
    const { student } = parseConfig(config('{ type: zoo, name: resnet8 }', '{ type: mlp }'), 'c.yaml');
    const model = buildModel(student.model, { inputShape: [32, 32, 3], classes: 10, name: 'student', seed: 1 });
    expect(model.getLayer('student_stage2').outputShape).toEqual([null, 16, 16, 32]);
    expect(model.outputs[0]?.shape).toEqual([null, 10]);
    // ResNet-8 with 10 classes, as PyTorch counts it (see @distillery/zoo's zooModels).
    expect(model.countParams() - model.nonTrainableWeights.reduce((sum, weight) => sum + (weight.shape[0] ?? 0), 0)).toBe(78_042);
    model.dispose();
  });

  it('refuses a name the zoo does not have in one line that lists what it has', () => {
    expect(() => parseConfig(config('{ type: zoo, name: resnet9000 }', '{ type: mlp }'), 'c.yaml')).toThrow(
      "c.yaml: student.model.name: zoo model resnet9000: a CIFAR ResNet's depth is 6n + 2 (8, 14, 20, 32, 44, 56, 110, …), not 9000",
    );
    let message = '';
    try {
      parseConfig(config('{ type: mlp }', '{ type: zoo, name: efficientnet-b0 }'), 'c.yaml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /^c\.yaml: teachers\[0\]\.model\.name: unknown zoo model 'efficientnet-b0': the zoo has resnet8, resnet14, .*, shufflenetv2, lenet5 \(and any resnet<6n\+2>, resnet<6n\+2>x4, wrn-<6n\+4>-<k>\)$/,
    );
    expect(message).not.toContain('\n');
  });
});
