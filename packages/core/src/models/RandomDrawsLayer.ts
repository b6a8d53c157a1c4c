/**
 * A layer whose randomness comes from a seed and a count of draws made so far (Distillery's seeded
 * dropout): restoring the count restores the random stream, so a resumed run draws what the
 * uninterrupted one would have. The Distiller checkpoints the count of every student layer that has one.
 */
export interface RandomDrawsLayer {
  randomDraws: number;
}
