/**
 * ioredis, loaded when a Redis URL is configured and not before: most single-process servers
 * never use it, and loading it is a noticeable part of a cold start (docs/benchmarks.md, issue 22).
 */
import { createRequire } from 'node:module';

let loaded: typeof import('ioredis').Redis | null = null;

/** The ioredis client class (loaded on the first call). */
export function redisClass(): typeof import('ioredis').Redis {
  loaded ??= (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis;
  return loaded;
}
