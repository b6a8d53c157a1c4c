import { plainRelationFactory } from './plainRelationFactory.js';
import { similarityPreservingLoss } from './similarityPreservingLoss.js';

/**
 * `relation.sp`: similarity-preserving KD, the squared difference of the row-normalised batch Gram matrices,
 * averaged over the pairs (see {@link similarityPreservingLoss}). RepDistiller applies it to the last feature
 * maps before pooling (a zoo model's last `<name>_stage…`) with this term's weight 3000 beside CE.
 */
export const similarityPreservingStrategyFactory = plainRelationFactory({
  key: 'relation.sp',
  description: 'Similarity-preserving KD (Tung & Mori 2019): match the batch’s pairwise similarity matrix',
  paper: 'Tung, Mori 2019, "Similarity-Preserving Knowledge Distillation", ICCV',
  loss: (student, teacher) => similarityPreservingLoss(student, teacher),
});
