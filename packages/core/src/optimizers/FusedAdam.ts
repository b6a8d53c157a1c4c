/**
 * The name of the fused Adam kernel, an extension point for backends. A backend that registers a kernel
 * under this name (inputs `variable`, `firstMoment`, `secondMoment`, `gradient`, attributes
 * {@link FusedAdamAttrs}, outputs the three updated tensors in that order) does one Adam step in one pass
 * over memory; on any other backend {@link adamUpdate} composes it from tensor operations.
 */
export const FusedAdam = 'DistilleryFusedAdam';
