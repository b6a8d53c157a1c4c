/** Uniform numbers in [0, 1) from a seeded generator: the only randomness an augmentation may use. */
export type RandomSource = () => number;
