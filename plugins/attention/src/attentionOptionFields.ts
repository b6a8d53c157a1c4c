import * as z from 'zod';

/**
 * The zod fields of the attention-transfer options that `attention.at` and `multi.attention` share: the
 * exponent `p` of at(A) = normalize(mean_c |A|^p), the weight `beta` of (β / 2) · Σ at_loss, and how maps of
 * different H×W are brought to one size (`resize`). Spread them into a strategy's `z.strictObject`; a
 * strategy whose β weighs something else (one term per teacher) re-describes `beta`, so its JSON Schema
 * says what β weighs there.
 */
export const attentionOptionFields = {
  p: z
    .number({ error: 'expected a number ≥ 1' })
    .min(1, { error: 'expected a number ≥ 1 (below 1, |A|^p has an infinite slope at zero activations)' })
    .default(2)
    .describe('exponent p of the attention map mean_c |A|^p'),
  beta: z
    .number({ error: 'expected a finite number ≥ 0' })
    .min(0, { error: 'expected a finite number ≥ 0' })
    .default(1000)
    .describe("the paper's β: the loss is β/2 · Σ at_loss, so the term's weight stays 1"),
  resize: z
    .enum(['avgpool', 'bilinear'], { error: "expected 'avgpool' or 'bilinear'" })
    .default('avgpool')
    .describe("maps of different H×W: reduce the larger by 'avgpool' (integer ratios) or 'bilinear' (half-pixel)"),
};
