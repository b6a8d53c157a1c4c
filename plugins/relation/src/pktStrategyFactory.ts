import { pktLoss } from './pktLoss.js';
import { plainRelationFactory } from './plainRelationFactory.js';

/**
 * `relation.pkt`: probabilistic knowledge transfer, the KL between the teacher's and the student's cosine-kernel
 * neighbour distributions, averaged over the pairs (see {@link pktLoss}). RepDistiller applies it to the
 * penultimate embedding with this term's weight 30000 beside CE.
 */
export const pktStrategyFactory = plainRelationFactory({
  key: 'relation.pkt',
  description: 'PKT (Passalis & Tefas 2018): match the teacher’s cosine-similarity neighbour distributions',
  paper: 'Passalis, Tefas 2018, "Learning Deep Representations with Probabilistic Knowledge Transfer", ECCV',
  loss: (student, teacher) => pktLoss(student, teacher),
});
