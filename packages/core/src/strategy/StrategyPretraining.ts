import type { StrategySpec } from './StrategySpec.js';

/**
 * A stage a strategy needs before the one it trains in: its module fitted on a teacher held fixed as that stage's
 * student (factor transfer's paraphraser on the teacher's features). A runner (the CLI) runs it as a stage of its
 * own, stored and reused like any stage, and starts the strategy's variables of the same local names from it
 * (`StageSpec.strategyWeightsFrom`).
 */
export interface StrategyPretraining {
  /** The experiment's teacher, by name, that the stage holds fixed as its student. */
  readonly teacher: string;
  /** The stage's objective: strategies that own the module under the local names the strategy uses. */
  readonly strategies: readonly (Pick<StrategySpec, 'key' | 'options'> & { readonly weight?: number })[];
  /** How long the stage trains; its other training options are the experiment's. */
  readonly epochs: number;
}
