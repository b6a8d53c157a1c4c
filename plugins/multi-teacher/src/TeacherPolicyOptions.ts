/**
 * What a {@link TeacherWeightingPolicy} is configured with: the strategy's `weights` option (the fixed c_k of
 * `weighted`) and the entries of its `policyOptions` object (free-form, for researchers' own policies).
 */
export type TeacherPolicyOptions = { readonly weights?: readonly number[] } & Readonly<Record<string, unknown>>;
