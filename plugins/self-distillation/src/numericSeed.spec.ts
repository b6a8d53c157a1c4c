import { describe, expect, it } from 'vitest';
import { numericSeed } from './numericSeed.js';

describe('numericSeed', () => {
  it('is 32-bit FNV-1a, matching the published test vectors', () => {
    // FNV-1a 32-bit: offset basis 0x811c9dc5 for '', 0xe40c292c for 'a', 0xbf9cf968 for 'foobar'.
    expect(numericSeed('')).toBe(0x811c9dc5);
    expect(numericSeed('a')).toBe(0xe40c292c);
    expect(numericSeed('foobar')).toBe(0xbf9cf968);
  });

  it('tells apart the seeds of neighbouring variables', () => {
    expect(numericSeed('7/self.byot/0/conv1/kernel')).not.toBe(numericSeed('7/self.byot/1/conv1/kernel'));
  });
});
