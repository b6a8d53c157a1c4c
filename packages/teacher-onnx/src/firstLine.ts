/**
 * The first line of an error's message, without the source location and failed condition that onnxruntime puts before
 * the reason of a failed check: runtimes add detail that would break a one-line report.
 */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0]?.trim() ?? '';
  return line.replace(/\S*onnxruntime_src\/\S+:\d+ .*? was false\. /, '');
}
