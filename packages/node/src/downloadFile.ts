import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface DownloadFileOptions {
  readonly url: string;
  /** Where the file goes; it appears there whole, or not at all. */
  readonly path: string;
  /** The SHA-256 (hex) the file must have; a download with another is thrown away. */
  readonly sha256?: string;
  /** Called as bytes arrive; `total` is the Content-Length, undefined when the server sends none. */
  readonly onProgress?: (received: number, total: number | undefined) => void;
}

/**
 * Downloads `url` to `path` with fetch: the bytes go to a temporary sibling, are hashed on the way,
 * flushed to disk, checked against `sha256`, and only then renamed to `path`, so an interrupted or
 * corrupt download never leaves a file that looks complete. Throws a plain Error saying what went
 * wrong (HTTP status, network error, checksum); callers turn it into advice.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<void> {
  const { url, path, onProgress } = options;
  const response = await fetch(url);
  if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.download`;
  const handle = await open(temporary, 'w');
  const hash = createHash('sha256');
  try {
    const reader = response.body.getReader();
    let received = 0;
    onProgress?.(0, total);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      hash.update(chunk.value);
      await handle.write(chunk.value);
      received += chunk.value.length;
      onProgress?.(received, total);
    }
    if (total !== undefined && received !== total) throw new Error(`the transfer ended after ${received} of ${total} bytes`);
    const sha256 = hash.digest('hex');
    if (options.sha256 !== undefined && sha256 !== options.sha256.toLowerCase()) {
      throw new Error(`the file downloaded has SHA-256 ${sha256}, expected ${options.sha256.toLowerCase()}`);
    }
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temporary, { force: true });
    throw error;
  }
  await rename(temporary, path);
}
