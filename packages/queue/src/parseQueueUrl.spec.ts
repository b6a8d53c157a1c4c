import { DistilleryError } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { parseQueueUrl } from './parseQueueUrl.js';

describe('parseQueueUrl', () => {
  it('accepts a plain loopback URL', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6390')).toEqual({
      url: 'redis://127.0.0.1:6390',
      display: 'redis://127.0.0.1:6390',
      tls: false,
    });
  });

  it('keeps the password for the client and hides it in the displayed form', () => {
    const connection = parseQueueUrl('rediss://lab:s3cret@redis.lab.example:6380/2');
    expect(connection.url).toBe('rediss://lab:s3cret@redis.lab.example:6380/2');
    expect(connection.display).toBe('rediss://lab:***@redis.lab.example:6380/2');
    expect(connection.tls).toBe(true);
  });

  it.each([
    [
      'localhost:6379',
      "--queue: expected redis://[user:password@]host[:port][/db], or rediss://… for TLS, got the scheme 'localhost:'",
    ],
    [
      'http://127.0.0.1:6379',
      "--queue: expected redis://[user:password@]host[:port][/db], or rediss://… for TLS, got the scheme 'http:'",
    ],
    ['redis://127.0.0.1:6379/queue', "--queue: the path is the database number, expected digits, got 'queue'"],
    [
      'redis://127.0.0.1:6379?tls=true',
      "--queue: expected redis://[user:password@]host[:port][/db], or rediss://… for TLS; options after '?' or '#' are not read",
    ],
    ['not a url', "--queue: expected redis://[user:password@]host[:port][/db], or rediss://… for TLS, got 'not a url'"],
  ])('refuses %s in one line naming the option', (text, message) => {
    expect(() => parseQueueUrl(text)).toThrow(new DistilleryError(message, '--queue'));
  });

  it('never repeats a password from a URL it cannot read', () => {
    expect(() => parseQueueUrl('redis//lab:s3cret@host')).toThrow(/redis\/\/lab:\*\*\*@host/);
  });
});
