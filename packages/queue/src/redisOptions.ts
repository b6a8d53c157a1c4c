import type { QueueConnection } from './QueueConnection.js';

/**
 * Client options for BullMQ. Workers block on Redis and must wait out a restart rather than give up on a command,
 * hence no retry limit per request (BullMQ requires it for workers); ioredis reconnects on its own.
 */
export function redisOptions(connection: QueueConnection, role: 'worker' | 'client') {
  return {
    url: connection.url,
    ...(role === 'worker' ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 3 }),
    // A status call against a server that is down should say so after a few tries, not wait for it forever.
    ...(role === 'client' ? { connectTimeout: 5000, retryStrategy: (times: number) => (times > 5 ? null : 200 * times) } : {}),
  };
}
