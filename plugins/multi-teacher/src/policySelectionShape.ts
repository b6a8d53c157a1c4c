import * as z from 'zod';

/**
 * The options every `multi.*` strategy shares: which policy weights the teachers, and with what.
 * `defaultPolicy` differs: `multi.kd` distils from the mean of probabilities, the feature strategies weight uniformly.
 */
export function policySelectionShape(defaultPolicy: string) {
  return {
    /** Checked against the registry when the strategy is created. */
    policy: z
      .string({ error: 'expected a policy key such as mean-probs' })
      .min(1, { error: 'expected a policy key such as mean-probs' })
      .default(defaultPolicy)
      .describe(
        'teacher-weighting policy: mean-probs, mean-logits, uniform, weighted, confidence, entropy, random, or a plugin’s key',
      ),
    temperature: z
      .number({ error: 'expected a positive number' })
      .positive({ error: 'expected a positive number' })
      .default(4)
      .describe('softening temperature T > 0'),
    /** The policy checks the rest. */
    weights: z
      .array(z.number({ error: 'expected a finite number' }), { error: 'expected an array of numbers, one per teacher' })
      .optional()
      .describe('for policy weighted: c_k, one per teacher, ≥ 0 and not all 0'),
    policyOptions: z
      .record(z.string(), z.unknown(), { error: 'expected an object of options for the policy' })
      .refine((options) => !('weights' in options), { error: 'give weights as options.weights, not inside policyOptions' })
      .optional()
      .describe('options for a policy of one’s own; weights goes at the top level'),
  };
}
