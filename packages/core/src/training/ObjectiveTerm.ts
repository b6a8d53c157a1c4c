import type { DistillationStrategy } from '../strategy/DistillationStrategy.js';

/** One strategy of an experiment as the objective weighs it. */
export interface ObjectiveTerm {
  /** The strategy's `name`, else its key, made unique (`response.kd#2`): the metrics' key. */
  readonly name: string;
  readonly key: string;
  readonly weight: number;
  readonly strategy: DistillationStrategy;
  /** The epoch window [from, until) in which the term counts. */
  readonly from: number;
  readonly until: number;
}
