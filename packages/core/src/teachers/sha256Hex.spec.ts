import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256Hex.js';

// FIPS 180-2's test vectors, and a million 'a's (its long message).
const vectors: [string, string][] = [
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  [
    'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  ],
  ['a'.repeat(1_000_000), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
];

describe('sha256Hex', () => {
  it.each(vectors.map(([input, digest]) => [input.length, input, digest]))(
    'gives the FIPS digest of a %i-character message with Web Crypto and without it (plain-http pages)',
    async (_length, input, digest) => {
      expect(await sha256Hex(input as string)).toBe(digest);
      // Without Web Crypto: the pure-JS path, which must not touch crypto.subtle at all.
      expect(await sha256Hex(input as string, null)).toBe(digest);
    },
  );

  it('hashes several byte arrays as one message, alike either way', async () => {
    const parts = [new TextEncoder().encode('ab'), new Uint8Array(), new TextEncoder().encode('c')];
    expect(await sha256Hex(parts)).toBe(vectors[0]?.[1]);
    expect(await sha256Hex(parts, null)).toBe(vectors[0]?.[1]);
  });
});

describe('sha256Hex without Web Crypto', () => {
  it('never reaches for crypto.subtle, as on a page served over plain http', async () => {
    const untouchable = {
      digest: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'digest')");
      },
    };
    await expect(sha256Hex('abc', untouchable)).rejects.toThrow(TypeError);
    expect(await sha256Hex('abc', null)).toBe(vectors[0]?.[1]);
  });
});
