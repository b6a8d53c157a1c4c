import { StrategyFactory } from '@distillery/core';
import { ContainerModule } from 'inversify';
import { builtInPolicies } from './builtInPolicies.js';
import { MultiAttentionStrategyFactory } from './MultiAttentionStrategyFactory.js';
import { MultiCrdStrategyFactory } from './MultiCrdStrategyFactory.js';
import { MultiDkdStrategyFactory } from './MultiDkdStrategyFactory.js';
import { MultiHintStrategyFactory } from './MultiHintStrategyFactory.js';
import { MultiKdStrategyFactory } from './MultiKdStrategyFactory.js';
import { MultiRelationStrategyFactory } from './MultiRelationStrategyFactory.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';
import { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

/**
 * Registers `multi.kd`, `multi.dkd`, `multi.hint`, `multi.attention`, `multi.relation` and `multi.crd`, the built-in teacher-weighting
 * policies and the registry that finds policies by key: `createDistiller({ …, plugins: [multiTeacherPlugin] })`. Load a
 * module of your own that binds `TeacherWeightingPolicy` beside it to add policies.
 */
export const multiTeacherPlugin = new ContainerModule(({ bind }) => {
  for (const policy of builtInPolicies.values()) bind(TeacherWeightingPolicy).toConstantValue(policy);
  bind(TeacherPolicyRegistry).toSelf().inSingletonScope();
  bind(StrategyFactory).to(MultiKdStrategyFactory).inSingletonScope();
  bind(StrategyFactory).to(MultiDkdStrategyFactory).inSingletonScope();
  bind(StrategyFactory).to(MultiHintStrategyFactory).inSingletonScope();
  bind(StrategyFactory).to(MultiAttentionStrategyFactory).inSingletonScope();
  bind(StrategyFactory).to(MultiRelationStrategyFactory).inSingletonScope();
  bind(StrategyFactory).to(MultiCrdStrategyFactory).inSingletonScope();
});
