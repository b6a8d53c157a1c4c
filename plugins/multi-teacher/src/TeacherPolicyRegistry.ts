import { DistilleryError } from '@distillery/core';
import { injectable, multiInject } from 'inversify';
import { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

/** Looks teacher-weighting policies up by key among every policy the loaded modules bound. */
@injectable()
export class TeacherPolicyRegistry {
  private readonly policies = new Map<string, TeacherWeightingPolicy>();

  constructor(@multiInject(TeacherWeightingPolicy) policies: readonly TeacherWeightingPolicy[]) {
    for (const policy of policies) {
      if (this.policies.has(policy.key)) {
        throw new DistilleryError(`teacher-weighting policy key '${policy.key}' is bound twice; keys must be unique`);
      }
      if (policy.kind === 'target' && typeof policy.target !== 'function') {
        throw new DistilleryError(`teacher-weighting policy '${policy.key}' is of kind 'target' but has no target()`);
      }
      this.policies.set(policy.key, policy);
    }
  }

  /** Every registered key, sorted. */
  keys(): string[] {
    return [...this.policies.keys()].sort();
  }

  describe(key: string): string | undefined {
    return this.policies.get(key)?.description;
  }

  /** @param field where the key stands in the config, for the lookup-miss message (`strategies[1].options.policy`). */
  get(key: string, field = 'policy'): TeacherWeightingPolicy {
    const policy = this.policies.get(key);
    if (policy === undefined) {
      throw new DistilleryError(`${field}: unknown policy '${key}'; registered: ${this.keys().join(', ')}`, field);
    }
    return policy;
  }
}
