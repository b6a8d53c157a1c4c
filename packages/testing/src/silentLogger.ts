import type { Logger } from '@distillery/core';

/** A Logger that drops everything, to keep test output clean. */
export const silentLogger: Logger = { info() {}, warn() {} };
