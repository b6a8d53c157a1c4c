import { SingleBar } from 'cli-progress';

/**
 * An `onProgress(done, total)` for decoding images: on a terminal, a progress bar on stderr that
 * appears with the first image and closes after the last; elsewhere (CI logs) nothing. `stop` closes
 * a bar left open when decoding fails.
 */
export function decodingProgressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): { onProgress: (done: number, total: number) => void; stop: () => void } {
  let bar: SingleBar | undefined;
  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };
  if (!stream.isTTY) return { onProgress: () => {}, stop };
  let finished = false;
  const onProgress = (done: number, total: number): void => {
    if (finished) return;
    if (bar === undefined) {
      bar = new SingleBar({
        format: `${label.padEnd(28)} {bar} {percentage}% | {value}/{total} images | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
        stream,
      });
      bar.start(total, 0);
    }
    bar.update(done);
    if (done === total) {
      finished = true;
      stop();
    }
  };
  return { onProgress, stop };
}
