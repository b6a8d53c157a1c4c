/** Where a study's queue lives: a Redis server, from a `redis://` or `rediss://` (TLS) URL. */
export interface QueueConnection {
  /** The URL as given, password included: for the Redis client only, never printed. */
  readonly url: string;
  /** The URL with its password replaced by `***`: for logs, status lines and errors. */
  readonly display: string;
  readonly tls: boolean;
}
