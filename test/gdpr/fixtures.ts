/** Shared steps of the GDPR tests. */
import type { TestApp } from '../helpers/app.ts';

/** Polls a request, as a client of the API does, until it has COMPLETED or failed; answers its last state. */
export async function waitForRequest(t: TestApp, token: string, id: string, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.api(`/api/v2/gdpr/requests/${id}`, { token });
    if (res.status !== 200) throw new Error(`GET request ${id}: ${res.status} ${res.text}`);
    if (res.body.status === 'COMPLETED' || res.body.status === 'ERROR') return res.body;
    if (Date.now() > until) throw new Error(`request ${id} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
