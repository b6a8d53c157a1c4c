/**
 * Lets the host's event loop run once: signal handlers (Ctrl-C in the CLI), timers, I/O callbacks, a page's input.
 * A training step on the cpu-side backends resolves its promises as microtasks, which never give the loop a turn, so
 * without this a Ctrl-C waited for the next checkpoint's file write (minutes on CIFAR), and a second Ctrl-C in the
 * meantime then ended the process without saving. `setImmediate` in Node; elsewhere a zero-delay timeout.
 */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => {
    if (immediate !== undefined) immediate(resolve);
    else setTimeout(resolve, 0);
  });
}
