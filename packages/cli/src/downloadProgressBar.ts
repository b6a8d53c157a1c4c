import { SingleBar } from 'cli-progress';

const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

/**
 * An `onProgress(received, total)` for a download: on a terminal, a progress bar on stderr in MB that
 * appears with the first bytes and closes with the last; elsewhere (CI logs) one line when the download
 * starts, so a long wait is explained. `stop` closes a bar left open when the download fails.
 */
export function downloadProgressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): { onProgress: (received: number, total: number | undefined) => void; stop: () => void } {
  let bar: SingleBar | undefined;
  let started = false;
  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };
  const onProgress = (received: number, total: number | undefined): void => {
    if (!started) {
      started = true;
      if (!stream.isTTY) {
        stream.write(`${label}${total === undefined ? '' : ` (${megabytes(total)} MB)`}…\n`);
        return;
      }
      bar = new SingleBar({
        format: `${label.padEnd(28)} {bar} {percentage}% | {received}/{size} MB | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
        stream,
      });
      // Without a Content-Length the bar cannot fill; it still counts the megabytes.
      bar.start(total ?? 0, 0, { received: '0.0', size: total === undefined ? '?' : megabytes(total) });
    }
    bar?.update(received, { received: megabytes(received) });
    if (total !== undefined && received >= total) stop();
  };
  return { onProgress, stop };
}
