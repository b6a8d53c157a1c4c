import type { StrategyCreationContext, SymbolicShape } from '@distillery/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { RelationPair } from './RelationPair.js';

/** What {@link pairRelationStrategy} needs to make a relation strategy over layer pairs (or the logits). */
export interface PairRelationSpec {
  readonly key: string;
  readonly context: StrategyCreationContext;
  readonly teacher: string;
  readonly pairs: readonly RelationPair[] | undefined;
  /** The method's named terms for one pair, scalars; the strategy averages each over the pairs. */
  termsOf(student: tf.Tensor, teacher: tf.Tensor): Record<string, tf.Scalar>;
  /** The strategy's total from the pair-averaged terms (the method's weights applied). */
  totalOf(terms: Record<string, tf.Scalar>): tf.Scalar;
  /** Terms reported as named parts beside the total; none for one-term methods. */
  readonly lossParts?: readonly string[];
  /** Checks a pair's tapped static shapes when the experiment is built; throws a one-line error naming `where`. */
  checkShapes?(student: SymbolicShape, teacher: SymbolicShape, where: string): void;
}
