/**
 * GDPR requests have their own per-organization budget (the seed: the API is for individual
 * requests, not bulk deletion): over it, a clear 429 with Retry-After, and other organizations
 * and the other GDPR routes are not affected.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { manualClock } from '../../src/platform/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  // A clock that stays in one minute: the budget is per minute.
  const clock = manualClock(new Date(Math.floor(Date.now() / 60_000) * 60_000 + 1000));
  t = await startApp('sqlite', { clock, env: { GATEHOUSE_RATE_LIMIT_GDPR: '2' } });
  admin = await t.token();
});
afterAll(() => t?.close());

it('refuses the third request in a minute with 429, Retry-After and a message saying why', async () => {
  const submit = () =>
    t.api('/api/v2/gdpr/requests', {
      method: 'POST',
      token: admin,
      body: { requestType: 'GDPR_EXPORT', subject: { name: 'Pat Example' } },
    });
  expect((await submit()).status).toBe(200);
  expect((await submit()).status).toBe(200);
  const third = await submit();
  expect(third.status).toBe(429);
  expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(third.body).toMatchObject({ status: 429, code: 'too.many.requests' });
  expect(third.body.message).toMatch(/2 GDPR requests.*not bulk deletion/);
  // Reading is not limited by this budget.
  expect((await t.api('/api/v2/gdpr/requests', { token: admin })).status).toBe(200);
});
