import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/**
 * Hex SHA-256 of bytes (or of several byte arrays, one after the other) or of a string's UTF-8 encoding. Web Crypto
 * when the environment has it (native speed), else @noble/hashes' audited pure-JS SHA-256: browsers give
 * `crypto.subtle` only to secure contexts (https, localhost), and the kernel must also run on a page served over
 * plain http. Both give the same digest, so fingerprints and cache keys do not depend on where they were computed.
 */
export async function sha256Hex(
  input: Uint8Array | readonly Uint8Array[] | string,
  /** Web Crypto's digest, null where there is none; given explicitly only to test the fallback. */
  subtle: Pick<SubtleCrypto, 'digest'> | null = globalThis.crypto?.subtle ?? null,
): Promise<string> {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input instanceof Uint8Array ? input : joined(input);
  if (subtle === null) return bytesToHex(sha256(bytes));
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return bytesToHex(new Uint8Array(digest));
}

function joined(parts: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}
