import * as tar from 'tar';

/**
 * The bytes of the members `names` of a (gzipped) tar archive, read straight from it with the `tar`
 * package: one pass, nothing extracted to disk, other members skipped. Members not in the archive are
 * absent from the map. A damaged archive (truncated gzip, bad header, short member) rejects with tar's
 * or zlib's error; strict mode turns tar's warnings into errors, so nothing damaged is returned.
 */
export async function readTarMembers(path: string, names: readonly string[]): Promise<Map<string, Uint8Array>> {
  const wanted = new Set(names);
  const members = new Map<string, Uint8Array>();
  const problems: Error[] = [];
  await tar.t({
    file: path,
    strict: true,
    onReadEntry: (entry) => {
      if (!wanted.has(entry.path) || entry.type !== 'File') return;
      const bytes = new Uint8Array(entry.size);
      let filled = 0;
      entry.on('data', (chunk: Buffer) => {
        if (filled + chunk.length > bytes.length) {
          problems.push(new Error(`member ${entry.path} holds more than the ${entry.size} bytes its header says`));
          return;
        }
        bytes.set(chunk, filled);
        filled += chunk.length;
      });
      entry.on('end', () => {
        if (filled === bytes.length) members.set(entry.path, bytes);
        else problems.push(new Error(`member ${entry.path} ends after ${filled} of its ${entry.size} bytes`));
      });
    },
  });
  if (problems.length > 0) throw problems[0];
  return members;
}
