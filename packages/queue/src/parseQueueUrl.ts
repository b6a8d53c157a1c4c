import { DistilleryError } from '@distillery/core';
import type { QueueConnection } from './QueueConnection.js';

const expected = 'expected redis://[user:password@]host[:port][/db], or rediss://… for TLS';

/**
 * Checks a `--queue` URL before any connection is tried, so a typo is one line rather than a client retrying a
 * wrong address forever. A user and password are Redis ACL credentials (Redis 6+; `:password@` alone is the
 * default user's `requirepass`); `rediss://` connects with TLS; the path is the database number.
 */
export function parseQueueUrl(text: string, field = '--queue'): QueueConnection {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DistilleryError(`${field}: ${expected}, got '${masked(text)}'`, field);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new DistilleryError(`${field}: ${expected}, got the scheme '${url.protocol}'`, field);
  }
  if (url.hostname === '') throw new DistilleryError(`${field}: ${expected}; the host is missing`, field);
  const database = url.pathname.replace(/^\//, '');
  if (database !== '' && !/^\d+$/.test(database)) {
    throw new DistilleryError(`${field}: the path is the database number, expected digits, got '${database}'`, field);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new DistilleryError(`${field}: ${expected}; options after '?' or '#' are not read`, field);
  }
  const shown = new URL(url.href);
  if (shown.password !== '') shown.password = '***';
  return { url: url.href, display: shown.href, tls: url.protocol === 'rediss:' };
}

/** The text with anything between a `:` and an `@` hidden: a mistyped URL may still hold a password. */
function masked(text: string): string {
  return text.replace(/:[^:@/\s]*@/, ':***@');
}
