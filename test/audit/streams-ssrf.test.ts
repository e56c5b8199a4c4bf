/**
 * Audit-stream webhooks are no SSRF tool (@see issue 16): destinations must be https and reach
 * public addresses in every notation; a name is checked again when the connection is made (DNS
 * rebinding); redirects are not followed; lastError never describes the network error. The
 * operator's --audit-stream-allow-private lets on-premises receivers in.
 */
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../src/platform/outbound-address.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

const BLOCKED = [
  'https://127.0.0.1/h',
  'https://2130706433/h',
  'https://0x7f000001/h',
  'https://127.1/h',
  'https://0177.0.0.1/h',
  'https://[::1]/h',
  'https://[::ffff:127.0.0.1]/h',
  'https://[::ffff:7f00:1]/h',
  'https://169.254.169.254/latest/meta-data/',
  'https://10.0.0.1/',
  'https://172.16.5.4/',
  'https://192.168.1.1/',
  'https://100.64.0.1/',
  'https://224.0.0.1/',
  'https://0.0.0.0/',
  'https://[fd00:ec2::254]/',
  'https://[fe80::1]/',
  'https://localhost/h',
  'http://93.184.215.14/h',
];

describe('isPublicAddress', () => {
  it('classifies addresses through ipaddr.js', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '169.254.169.254', '100.64.1.1', '::1', '::ffff:10.0.0.1', 'fc00::1'])
      expect(isPublicAddress(a), a).toBe(false);
    for (const a of ['93.184.215.14', '8.8.8.8', '2606:4700::1111', '[2606:4700::1111]'])
      expect(isPublicAddress(a), a).toBe(true);
    expect(isPublicAddress('not an ip')).toBe(false);
  });
});

describe.each(DIALECTS)('audit stream destinations on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
  });
  afterAll(() => t?.close());

  it('refuses non-https and non-public destinations in every notation', async () => {
    for (const url of BLOCKED) {
      const res = await t.api('/api/v2/audits/streams', { method: 'POST', token, body: { name: 'x', url } });
      expect(res.status, url).toBe(400);
      expect(res.body.code, url).toBe('invalid.value');
    }
    const ok = await t.api('/api/v2/audits/streams', {
      method: 'POST',
      token,
      body: { name: 'SIEM', url: 'https://siem.example/in', state: 'disabled' },
    });
    expect(ok.status).toBe(200);
  });

  it('checks the address again at connect time and says only "could not connect"', async () => {
    // A name that was public when saved resolves to loopback at delivery (DNS rebinding): the
    // stored target is changed underneath to show the connect-time check alone.
    let connections = 0;
    const listener = createNetServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const port = (listener.address() as { port: number }).port;
    try {
      const created = await t.api('/api/v2/audits/streams', {
        method: 'POST',
        token,
        body: { name: 'Rebinding', url: 'https://rebind.example/h' },
      });
      expect(created.status).toBe(200);
      await t.gh.storage.db
        .updateTable('audit_streams')
        .set({ target: `https://localhost:${port}/h` })
        .where('id', '=', created.body.id)
        .execute();
      await makeChange(t, token);
      expect(await waitForError(t, created.body.id)).toBe('could not connect');
      expect(connections).toBe(0);
    } finally {
      listener.close();
    }
  });
});

describe('on-premises receivers (--audit-stream-allow-private)', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp('sqlite', { env: { GATEHOUSE_AUDIT_STREAM_ALLOW_PRIVATE: 'true' } });
    token = await t.token();
  });
  afterAll(() => t?.close());

  it('delivers to a loopback receiver; plain http only to a private address', async () => {
    const receiver = await startReceiver();
    try {
      const http = await t.api('/api/v2/audits/streams', {
        method: 'POST',
        token,
        body: { name: 'x', url: 'http://hooks.example.com/h' },
      });
      expect(http.status).toBe(400);
      const res = await t.api('/api/v2/audits/streams', {
        method: 'POST',
        token,
        body: { name: 'Local', url: receiver.url },
      });
      expect(res.status).toBe(200);
      await makeChange(t, token);
      await receiver.waitFor(() => receiver.received.length > 0);
    } finally {
      await receiver.close();
    }
  });

  it('does not follow redirects and names only the status in lastError', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url === '/start') res.writeHead(307, { location: '/elsewhere' }).end();
      else res.writeHead(200).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const res = await t.api('/api/v2/audits/streams', {
        method: 'POST',
        token,
        body: { name: 'Redirecting', url: `http://127.0.0.1:${port}/start` },
      });
      expect(res.status).toBe(200);
      await makeChange(t, token);
      expect(await waitForError(t, res.body.id)).toBe('delivery failed (status 307)');
      expect(seen).not.toContain('/elsewhere');
      // A closed port: the error says nothing of ECONNREFUSED.
      const closed = await t.api('/api/v2/audits/streams', {
        method: 'POST',
        token,
        body: { name: 'Closed', url: 'http://127.0.0.1:1/h' },
      });
      expect(await waitForError(t, closed.body.id)).toBe('could not connect');
    } finally {
      server.close();
    }
  });
});

async function waitForError(t: TestApp, id: string): Promise<string> {
  const token = await t.token();
  const until = Date.now() + 20_000;
  for (;;) {
    const res = await t.api(`/api/v2/audits/streams/${id}`, { token });
    if (res.body?.lastError) return res.body.lastError as string;
    if (Date.now() > until) throw new Error(`no lastError: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An audited change, so that active streams have an event to deliver. */
async function makeChange(t: TestApp, token: string) {
  const res = await t.api('/api/v2/authorization/roles', {
    method: 'POST',
    token,
    body: { name: `SSRF probe ${Math.random().toString(36).slice(2)}` },
  });
  expect(res.status).toBe(200);
}
