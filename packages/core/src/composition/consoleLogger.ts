import type { Logger } from './Logger.js';

/** The default {@link Logger}: one prefixed line per message on the console. */
export const consoleLogger: Logger = {
  info: (message) => console.info(`[distillery] ${message}`),
  warn: (message) => console.warn(`[distillery] warning: ${message}`),
};
