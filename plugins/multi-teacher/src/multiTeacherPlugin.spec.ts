import '@tensorflow/tfjs-backend-cpu';
import { StrategyFactory } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { Container } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtInPolicies } from './builtInPolicies.js';
import defaultExport, { multiTeacherPlugin } from './index.js';
import { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('multiTeacherPlugin', () => {
  it('binds the multi.kd, multi.dkd, multi.hint, multi.attention, multi.relation and multi.crd strategy factories', () => {
    const container = new Container({ defaultScope: 'Singleton' });
    container.load(multiTeacherPlugin);
    const keys = container.getAll<StrategyFactory>(StrategyFactory).map((factory) => factory.key);
    expect(keys.sort()).toEqual(['multi.attention', 'multi.crd', 'multi.dkd', 'multi.hint', 'multi.kd', 'multi.relation']);
  });

  it('binds every built-in policy under the TeacherWeightingPolicy token', () => {
    const container = new Container();
    container.load(multiTeacherPlugin);
    expect(container.getAll<TeacherWeightingPolicy>(TeacherWeightingPolicy)).toEqual([...builtInPolicies.values()]);
    expect(TeacherWeightingPolicy).toBe(Symbol.for('@distillery/plugin-multi-teacher/TeacherWeightingPolicy'));
  });

  it('is the package default export', () => {
    expect(defaultExport).toBe(multiTeacherPlugin);
  });
});
