import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DistilleryError } from '@distillery/core';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCifar } from './loadCifar.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'distillery-cifar-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let folders = 0;
const freshFolder = async () => {
  const folder = join(root, `case-${folders++}`);
  await mkdir(folder, { recursive: true });
  return folder;
};

/** A record: the label bytes, then planes R, G, B with R[p] = (p + tag) mod 256, G[p] = tag, B[p] = 255 − tag. */
function record(labels: readonly number[], tag: number): Uint8Array {
  const bytes = new Uint8Array(labels.length + 3072);
  bytes.set(labels);
  for (let p = 0; p < 1024; p++) {
    bytes[labels.length + p] = (p + tag) % 256;
    bytes[labels.length + 1024 + p] = tag;
    bytes[labels.length + 2048 + p] = 255 - tag;
  }
  return bytes;
}

const concat = (parts: readonly Uint8Array[]) => Buffer.concat(parts);
const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`).join('\n');
const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Builds a .tar.gz in the real layout from `members` (path inside the archive → bytes) and returns its bytes. */
async function archiveOf(members: Readonly<Record<string, Uint8Array | string>>): Promise<Buffer> {
  const source = await freshFolder();
  for (const [path, bytes] of Object.entries(members)) {
    await mkdir(join(source, path, '..'), { recursive: true });
    await writeFile(join(source, path), bytes);
  }
  const file = join(source, 'archive.tar.gz');
  const tops = [...new Set(Object.keys(members).map((path) => path.split('/')[0] as string))];
  await tar.c({ gzip: true, file, cwd: source }, tops);
  return readFile(file);
}

/** CIFAR-10 in miniature: five training batches of two records (labels 0–9 in order) and a test batch of three. */
function cifar10Members(overrides: Readonly<Record<string, Uint8Array | string>> = {}): Record<string, Uint8Array | string> {
  const members: Record<string, Uint8Array | string> = {
    'cifar-10-batches-bin/batches.meta.txt': 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n',
    'cifar-10-batches-bin/test_batch.bin': concat([record([3], 30), record([8], 31), record([0], 32)]),
    'cifar-10-batches-bin/readme.html': '<p>not read</p>',
  };
  for (let b = 1; b <= 5; b++) {
    members[`cifar-10-batches-bin/data_batch_${b}.bin`] = concat([record([2 * b - 2], 10 * b), record([2 * b - 1], 10 * b + 1)]);
  }
  return { ...members, ...overrides };
}

async function folderWith(archive: Buffer, file = 'cifar-10-binary.tar.gz'): Promise<string> {
  const folder = await freshFolder();
  await writeFile(join(folder, file), archive);
  return folder;
}

function errorOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

describe('loadCifar on a CIFAR-10 archive in the folder', () => {
  it('reads the five training batches in order as NHWC bytes with the class names', async () => {
    const archive = await archiveOf(cifar10Members());
    const store = await loadCifar({
      variant: 'cifar10',
      split: 'train',
      dir: await folderWith(archive),
      sha256: sha256Of(archive),
    });
    expect(store.id).toBe('cifar10-train');
    expect(store.size).toBe(10);
    expect(Array.from(store.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(store.classNames).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
    expect(store.exampleShape).toEqual([32, 32, 3]);
    expect(store.inputs).toBeInstanceOf(Uint8Array);
    expect(store.normalization).toBeUndefined();
    // Example 4 is the first record of data_batch_3 (tag 30): pixel 5 is (R, G, B) = (35, 30, 225).
    expect(Array.from(store.inputs.subarray(4 * 3072 + 15, 4 * 3072 + 18))).toEqual([35, 30, 225]);
  });

  it('reads the test batch', async () => {
    const archive = await archiveOf(cifar10Members());
    const store = await loadCifar({
      variant: 'cifar10',
      split: 'test',
      dir: await folderWith(archive),
      sha256: sha256Of(archive),
    });
    expect(store.id).toBe('cifar10-test');
    expect(Array.from(store.labels)).toEqual([3, 8, 0]);
  });

  it('refuses an archive that is not the official one, by its SHA-256', async () => {
    const archive = await archiveOf(cifar10Members());
    const dir = await folderWith(archive);
    const error = await errorOf(loadCifar({ variant: 'cifar10', split: 'test', dir }));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe(
      `${join(dir, 'cifar-10-binary.tar.gz')}: SHA-256 is ${sha256Of(archive)}, not c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd ` +
        `(the official cifar-10-binary.tar.gz); the file is damaged or not the official archive: delete ${join(dir, 'cifar-10-binary.tar.gz')} ` +
        'to download it again from https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
    );
  });

  it('looks in DISTILLERY_DATA when no folder is given', async () => {
    const archive = await archiveOf(cifar10Members());
    const saved = process.env.DISTILLERY_DATA;
    process.env.DISTILLERY_DATA = await folderWith(archive);
    try {
      expect((await loadCifar({ variant: 'cifar10', split: 'test', sha256: sha256Of(archive) })).size).toBe(3);
    } finally {
      if (saved === undefined) delete process.env.DISTILLERY_DATA;
      else process.env.DISTILLERY_DATA = saved;
    }
  });
});

describe('loadCifar on a CIFAR-100 archive', () => {
  const members = () => ({
    'cifar-100-binary/fine_label_names.txt': names('fine', 100),
    'cifar-100-binary/coarse_label_names.txt': names('coarse', 20),
    'cifar-100-binary/train.bin': concat([record([19, 99], 1), record([0, 42], 2)]),
    'cifar-100-binary/test.bin': concat([record([5, 7], 3)]),
  });

  it('learns the fine labels by default and the superclasses when asked', async () => {
    const archive = await archiveOf(members());
    const dir = await folderWith(archive, 'cifar-100-binary.tar.gz');
    const sha256 = sha256Of(archive);
    const fine = await loadCifar({ variant: 'cifar100', split: 'train', dir, sha256 });
    expect([fine.id, fine.numClasses, Array.from(fine.labels), fine.classNames[42]]).toEqual([
      'cifar100-fine-train',
      100,
      [99, 42],
      'fine42',
    ]);
    const coarse = await loadCifar({ variant: 'cifar100', split: 'test', dir, sha256, labels: 'coarse' });
    expect([coarse.id, coarse.numClasses, Array.from(coarse.labels), coarse.classNames[5]]).toEqual([
      'cifar100-coarse-test',
      20,
      [5],
      'coarse5',
    ]);
    // The pixels start after both label bytes: pixel 0 of the test example is (3, 3, 252).
    expect(Array.from(coarse.inputs.subarray(0, 3))).toEqual([3, 3, 252]);
  });

  it('refuses labels for CIFAR-10', async () => {
    expect((await errorOf(loadCifar({ variant: 'cifar10', split: 'test', labels: 'coarse' }))).message).toBe(
      "loadCifar: labels ('fine' or 'coarse') apply to CIFAR-100 only",
    );
  });
});

describe('loadCifar on a damaged archive', () => {
  const load = async (archive: Buffer) => {
    const dir = await folderWith(archive);
    const error = await errorOf(loadCifar({ variant: 'cifar10', split: 'train', dir, sha256: sha256Of(archive) }));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).not.toContain('\n');
    return { message: error.message, path: join(dir, 'cifar-10-binary.tar.gz') };
  };

  it('names the file when the gzip stream is truncated', async () => {
    const whole = await archiveOf(cifar10Members());
    const { message, path } = await load(whole.subarray(0, Math.floor(whole.length / 2)));
    expect(message).toMatch(
      new RegExp(`^${path}: cannot be read as a \\.tar\\.gz archive \\(.+\\); the file is damaged or not the official archive`),
    );
  });

  it('names the file when the tar inside the gzip stream is cut short', async () => {
    const tarBytes = gunzipSync(await archiveOf(cifar10Members()));
    const { message, path } = await load(gzipSync(tarBytes.subarray(0, Math.floor(tarBytes.length * 0.6))));
    expect(message).toMatch(
      new RegExp(
        `^${path}: cannot be read as a \\.tar\\.gz archive \\(TAR_BAD_ARCHIVE: Truncated input.*\\); the file is damaged`,
      ),
    );
  });

  it('names the member whose length is not whole records', async () => {
    const archive = await archiveOf(
      cifar10Members({ 'cifar-10-batches-bin/data_batch_3.bin': record([1], 0).subarray(0, 3000) }),
    );
    const { message, path } = await load(archive);
    expect(message).toBe(
      `${path}: cifar-10-batches-bin/data_batch_3.bin: 3000 bytes is not a whole number of CIFAR-10 records of 3073 bytes (1 label byte + 3072 pixel bytes); the file is damaged`,
    );
  });

  it('names the member and record whose label is not a class', async () => {
    const archive = await archiveOf(
      cifar10Members({ 'cifar-10-batches-bin/data_batch_2.bin': concat([record([1], 0), record([12], 0)]) }),
    );
    const { message, path } = await load(archive);
    expect(message).toBe(
      `${path}: cifar-10-batches-bin/data_batch_2.bin: record 1 has label 12, but CIFAR-10 has 10 classes (0–9); the file is damaged`,
    );
  });

  it('names the member that is missing', async () => {
    const members = cifar10Members();
    delete members['cifar-10-batches-bin/data_batch_5.bin'];
    const { message, path } = await load(await archiveOf(members));
    expect(message).toBe(
      `${path}: has no member cifar-10-batches-bin/data_batch_5.bin, so it is not the CIFAR-10 binary archive`,
    );
  });
});

describe('loadCifar downloading a missing archive', () => {
  let archive: Buffer;
  let server: Server;
  let base: string;
  const requests: string[] = [];
  beforeAll(async () => {
    archive = await archiveOf(cifar10Members());
    const half = Math.floor(archive.length / 2);
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      if (request.url === '/cifar-10-binary.tar.gz') {
        response.writeHead(200, { 'content-length': archive.length });
        // Two writes; fetch may still hand them over as one chunk.
        response.write(archive.subarray(0, half));
        setTimeout(() => response.end(archive.subarray(half)), 5);
      } else if (request.url === '/cut-off.tar.gz') {
        response.writeHead(200, { 'content-length': archive.length });
        response.write(archive.subarray(0, half));
        setTimeout(() => response.destroy(), 5);
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('downloads it once, reporting progress, then reads it from the folder', async () => {
    const dir = join(await freshFolder(), 'not-yet-made');
    const progress: [number, number | undefined][] = [];
    const options = {
      variant: 'cifar10',
      split: 'test',
      dir,
      url: `${base}/cifar-10-binary.tar.gz`,
      sha256: sha256Of(archive),
      onProgress: (received: number, total: number | undefined) => progress.push([received, total]),
    } as const;
    requests.length = 0;
    expect((await loadCifar(options)).size).toBe(3);
    expect(progress[0]).toEqual([0, archive.length]);
    expect(progress.at(-1)).toEqual([archive.length, archive.length]);
    const received = progress.map(([bytes]) => bytes);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(await readdir(dir)).toEqual(['cifar-10-binary.tar.gz']);
    expect((await loadCifar(options)).size).toBe(3);
    expect(requests).toEqual(['/cifar-10-binary.tar.gz']);
  });

  it('says in one line which file to put where when the download fails, and leaves nothing behind', async () => {
    const dir = await freshFolder();
    const path = join(dir, 'cifar-10-binary.tar.gz');
    const error = await errorOf(loadCifar({ variant: 'cifar10', split: 'test', dir, url: `${base}/missing.tar.gz` }));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe(
      `CIFAR-10 is not in ${path} and downloading ${base}/missing.tar.gz failed (HTTP 404 Not Found): download cifar-10-binary.tar.gz yourself and put it at ${path}`,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps no half-written file when the transfer is cut off', async () => {
    const dir = await freshFolder();
    const error = await errorOf(
      loadCifar({ variant: 'cifar10', split: 'test', dir, url: `${base}/cut-off.tar.gz`, sha256: sha256Of(archive) }),
    );
    expect(error.message).toMatch(
      /^CIFAR-10 is not in .* and downloading .*cut-off\.tar\.gz failed \(.+\): download cifar-10-binary\.tar\.gz yourself/,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('throws away a download whose SHA-256 is not the expected one', async () => {
    const dir = await freshFolder();
    const error = await errorOf(loadCifar({ variant: 'cifar10', split: 'test', dir, url: `${base}/cifar-10-binary.tar.gz` }));
    expect(error.message).toContain(
      `failed (the file downloaded has SHA-256 ${sha256Of(archive)}, expected c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd)`,
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
