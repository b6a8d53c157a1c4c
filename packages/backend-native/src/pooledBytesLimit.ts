import { totalmem } from 'node:os';

const mebibyte = 1024 * 1024;

/**
 * How many bytes of freed output buffers the native backend keeps for reuse. A training step frees and allocates
 * its activations' worth of buffers; when they do not all fit, the rest are allocated fresh every step, and a fresh
 * multi-megabyte Float32Array costs its page faults in the kernel that first writes it. At 512 MiB a resnet56 step at
 * batch 128 (about 3 GiB of activations and gradients) took 5.5 s, most of it in Add and Multiply writing fresh
 * buffers; at 2 GiB 3.3 s; at 4 GiB 1.0 s. So the default is a third of the machine's memory (8 GiB on a 24 GiB one),
 * at most 16 GiB; `DISTILLERY_NATIVE_POOL_MB` sets it, e.g. lower on a machine that runs other work.
 */
export function pooledBytesLimit(environment: Record<string, string | undefined> = process.env): number {
  const asked = environment.DISTILLERY_NATIVE_POOL_MB;
  if (asked !== undefined && asked !== '') {
    const megabytes = Number(asked);
    if (!Number.isFinite(megabytes) || megabytes < 0) {
      throw new Error(`DISTILLERY_NATIVE_POOL_MB: expected a number of MiB ≥ 0, got '${asked}'`);
    }
    return megabytes * mebibyte;
  }
  return Math.min(16 * 1024 * mebibyte, Math.floor(totalmem() / 3));
}
