import { describe, expect, it } from 'vitest';
import { downloadProgressBar } from './downloadProgressBar.js';

/** A stand-in for stderr that records what is written. */
function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const stream = {
    isTTY,
    columns: 120,
    write: (chunk: string) => {
      chunks.push(String(chunk));
      return true;
    },
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    on: () => stream,
    removeListener: () => stream,
    text: () => chunks.join(''),
  };
  return stream as unknown as NodeJS.WriteStream & { text: () => string };
}

describe('downloadProgressBar', () => {
  it('writes one line with the size when the output is not a terminal', () => {
    const stream = fakeStream(false);
    const { onProgress, stop } = downloadProgressBar('downloading cifar-10-binary.tar.gz', stream);
    onProgress(0, 170_052_171);
    onProgress(85_000_000, 170_052_171);
    onProgress(170_052_171, 170_052_171);
    stop();
    expect(stream.text()).toBe('downloading cifar-10-binary.tar.gz (170.1 MB)…\n');
  });

  it('draws a bar in megabytes on a terminal and closes it with the last byte', () => {
    const stream = fakeStream(true);
    const { onProgress } = downloadProgressBar('downloading', stream);
    onProgress(0, 2_000_000);
    onProgress(2_000_000, 2_000_000);
    expect(stream.text()).toContain('100% | 2.0/2.0 MB');
  });
});
