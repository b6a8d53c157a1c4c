import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { Container, ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtInPolicies } from './builtInPolicies.js';
import { multiTeacherPlugin } from './multiTeacherPlugin.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';
import { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';
import { uniformPolicy } from './uniformPolicy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const sharpest: TeacherWeightingPolicy = {
  key: 'sharpest',
  description: 'test policy',
  kind: 'weights',
  weights: ({ teacherLogits }) => tf.ones([teacherLogits[0]?.shape[0] ?? 0, teacherLogits.length]) as tf.Tensor2D,
};

describe('TeacherPolicyRegistry', () => {
  it('finds each built-in policy by key and lists the keys sorted', () => {
    const registry = new TeacherPolicyRegistry([...builtInPolicies.values()]);
    expect(registry.keys()).toEqual(['confidence', 'entropy', 'mean-logits', 'mean-probs', 'random', 'uniform', 'weighted']);
    for (const [key, policy] of builtInPolicies) expect(registry.get(key)).toBe(policy);
    expect(registry.describe('confidence')).toMatch(/CA-MKD/);
    expect(registry.describe('median')).toBeUndefined();
  });

  it('names an unknown key at the given field and lists every registered key', () => {
    const registry = new TeacherPolicyRegistry([uniformPolicy, sharpest]);
    const lookup = () => registry.get('median', 'strategies[2].options.policy');
    expect(lookup).toThrow(DistilleryError);
    expect(lookup).toThrow("strategies[2].options.policy: unknown policy 'median'; registered: sharpest, uniform");
  });

  it('refuses two policies with one key', () => {
    expect(() => new TeacherPolicyRegistry([uniformPolicy, { ...sharpest, key: 'uniform' }])).toThrow(
      "teacher-weighting policy key 'uniform' is bound twice; keys must be unique",
    );
  });

  it('refuses a target-combining policy without target()', () => {
    expect(() => new TeacherPolicyRegistry([{ ...sharpest, kind: 'target' }])).toThrow(
      "teacher-weighting policy 'sharpest' is of kind 'target' but has no target()",
    );
  });

  it('collects the policies of every loaded module through the container', () => {
    const container = new Container({ defaultScope: 'Singleton' });
    const researcherModule = new ContainerModule(({ bind }) => {
      bind(TeacherWeightingPolicy).toConstantValue(sharpest);
    });
    container.load(multiTeacherPlugin, researcherModule);
    const registry = container.get(TeacherPolicyRegistry);
    expect(registry.get('sharpest')).toBe(sharpest);
    expect(registry.keys()).toHaveLength(builtInPolicies.size + 1);
  });
});
