import { DistilleryError } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { builtInPolicies } from './builtInPolicies.js';
import { builtInPolicyRegistry } from './builtInPolicyRegistry.js';

describe('builtInPolicyRegistry', () => {
  it('finds every built-in policy by key, the very objects the plugin binds', () => {
    expect(builtInPolicyRegistry.keys()).toEqual([...builtInPolicies.keys()].sort());
    for (const [key, policy] of builtInPolicies) expect(builtInPolicyRegistry.get(key)).toBe(policy);
  });

  it('names an unknown key at the caller and lists the registered keys', () => {
    const lookup = () => builtInPolicyRegistry.get('median', 'teacherWeights');
    expect(lookup).toThrow(DistilleryError);
    expect(lookup).toThrow(
      "teacherWeights: unknown policy 'median'; registered: confidence, entropy, mean-logits, mean-probs, random, uniform, weighted",
    );
  });
});
