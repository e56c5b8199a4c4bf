/**
 * The failures limiter (client authentication, logins): only failed attempts count, an attempt
 * is counted before it runs and refused once over the limit. In-process counters take a
 * synchronous path since issue 22; it must behave as the promise path does.
 */
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/platform/clock.ts';
import { ApiError } from '../../src/platform/errors/index.ts';
import { createRateLimits, memoryRateLimiter, type RateLimiter } from '../../src/platform/rate-limit.ts';

const settings = { client: 0, userClient: 0, user: 0, org: 0, token: 0, login: 0, authFailures: 2, scim: 0 };
class Refused extends Error {}
const isFailure = (err: unknown) => err instanceof Refused;

/** The memory limiter without its synchronous methods: the promise path. */
const asyncOnly = (): RateLimiter => {
  const { hitNow: _h, undoNow: _u, ...rest } = memoryRateLimiter();
  return rest;
};

describe.each([
  ['in-process counters (synchronous path)', memoryRateLimiter],
  ['a limiter answering through promises', asyncOnly],
])('failures limiter with %s', (_name, make) => {
  const limits = () => createRateLimits(make(), settings, manualClock(new Date('2026-12-04T10:00:00Z')));

  it('counts failures only, refuses once over the limit, and takes back successes and other errors', async () => {
    const l = limits();
    const key: [['authFailures', string]] = [['authFailures', '10.0.0.1']];
    for (let i = 0; i < 5; i++) expect(await l.failures(key, async () => 'ok', isFailure)).toBe('ok');
    await expect(l.failures(key, async () => Promise.reject(new Error('store down')), isFailure)).rejects.toThrow(
      'store down',
    );
    await expect(
      l.failures(
        key,
        () => {
          throw new Error('thrown at once');
        },
        isFailure,
      ),
    ).rejects.toThrow('thrown at once');
    await expect(l.failures(key, async () => Promise.reject(new Refused()), isFailure)).rejects.toBeInstanceOf(Refused);
    await expect(l.failures(key, async () => Promise.reject(new Refused()), isFailure)).rejects.toBeInstanceOf(Refused);
    const refused = await l.failures(key, async () => 'ok', isFailure).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(429);
    // Another address is not affected.
    expect(await l.failures([['authFailures', '10.0.0.2']], async () => 'ok', isFailure)).toBe('ok');
  });
});
