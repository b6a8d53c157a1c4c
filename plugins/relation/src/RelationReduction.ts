/**
 * How a relation loss reduces: `'mean'` gives the paper's scalar; `'none'` gives each example's share [B], the
 * terms of its anchor row (example b's row of a B×B relation, or the triplets with b at the vertex), so that the
 * mean of the [B] values equals the scalar. Multi-teacher policies weigh those shares per example.
 */
export type RelationReduction = 'mean' | 'none';
