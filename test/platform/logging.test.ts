/** Logs never carry a secret, a password, a token or a session cookie (@see issue 2, security). */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse, type Gatehouse, listenOnLoopback } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { seedDemo } from '../../src/demo.ts';
import { freshDatabase } from '../helpers/dialects.ts';

describe('logging', () => {
  let gh: Gatehouse;
  let url: string;
  let drop: () => Promise<void>;
  const lines: string[] = [];

  beforeAll(async () => {
    const db = await freshDatabase('sqlite');
    drop = db.drop;
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    gh = await createGatehouse(loadConfig({ 'database-url': db.url, 'log-level': 'trace' }, {}), { logStream: stream });
    url = await listenOnLoopback(gh.app);
  });
  afterAll(async () => {
    await gh?.close();
    await drop?.();
  });

  it('logs requests at trace level without credentials', async () => {
    const demo = (await seedDemo(gh.directory, gh.oauth, 'a very secret password'))!;
    const basic = `Basic ${Buffer.from(`${demo.clientId}:${demo.clientSecret}`).toString('base64')}`;
    const res = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const { access_token } = (await res.json()) as { access_token: string };
    await fetch(`${url}/api/v2/users/me`, { headers: { authorization: `Bearer ${access_token}` } });
    const login = await fetch(`${url}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: demo.adminEmail, password: 'a very secret password' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0].split('=')[1];
    await fetch(`${url}/api/v2/users`, { headers: { cookie: `gatehouse_session=${cookie}` } });
    const log = lines.join('');
    expect(log).toContain('/api/v2/users/me');
    for (const secret of [demo.clientSecret, basic.slice(6), access_token, 'a very secret password', cookie]) {
      expect(log).not.toContain(secret);
    }
  });

  it("logs a request's path and query parameter names, never their values (a GDPR search names a person)", async () => {
    // Unauthenticated (401) requests are logged all the same.
    lines.length = 0;
    await fetch(
      `${url}/api/v2/gdpr/subjects?searchType=EMAIL&searchValue=${encodeURIComponent('jane.private@example.com')}`,
    );
    await fetch(`${url}/api/v2/users?id=a&id=b&pageSize=5`);
    const log = lines.join('');
    expect(log).toContain('/api/v2/gdpr/subjects?searchType=…&searchValue=…');
    expect(log).toContain('/api/v2/users?id=…&pageSize=…');
    expect(log).not.toMatch(/jane|private%40|EMAIL/);
  });
});
