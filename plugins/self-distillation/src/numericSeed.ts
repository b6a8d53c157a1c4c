/**
 * A 32-bit number from a text seed (FNV-1a), for tfjs ops that take only numeric seeds (`tf.randomNormal`), so a
 * variable can be seeded by a readable path such as `'7/self.byot/0/conv1'` as `tf.randomUniform` allows.
 */
export function numericSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
