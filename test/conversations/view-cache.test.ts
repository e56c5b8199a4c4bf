/**
 * GET /api/v2/conversations/{id} reuses the view (and its serialized body) built from a stored
 * version while that version stands (@see issue 22). Every read checks the stored version first,
 * so a change shows on the very next read in the process that made it and in any other process
 * sharing the store: nothing is waited for, no message can be missed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../src/app.ts';
import { createConversationStore } from '../../src/domains/conversations/store.ts';
import { secondProcess, startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';

describe.each(DIALECTS)('conversation views in two processes on %s', (dialect) => {
  let a: TestApp;
  let b: Gatehouse;
  let bUrl: string;
  let admin: string;
  beforeAll(async () => {
    a = await startApp(dialect);
    ({ gh: b, url: bUrl } = await secondProcess(a));
    admin = await a.token();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const readAt = async (url: string, id: string) => {
    const res = await fetch(`${url}/api/v2/conversations/${id}`, { headers: { authorization: `Bearer ${admin}` } });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };
  const practice = async () => {
    const created = await a.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: {
        mediaType: 'call',
        queueName: 'Support',
        participants: [
          { purpose: 'customer', name: 'Cache Caller' },
          { purpose: 'agent', name: 'Cache Agent', wrapupRequired: true },
        ],
      },
    });
    expect(created.status, created.text).toBe(200);
    return created.body.id as string;
  };

  it('answers the same body from a reused view as from a fresh one', async () => {
    const id = await practice();
    const first = await readAt(bUrl, id);
    const again = await readAt(bUrl, id);
    const elsewhere = await readAt(a.url, id);
    expect(first.status).toBe(200);
    expect(first.type).toBe('application/json; charset=utf-8');
    expect(again).toEqual(first);
    expect(elsewhere).toEqual(first);
    validateShape('Conversation', JSON.parse(again.text));
  });

  it("shows another process's disconnect on the next read", async () => {
    const id = await practice();
    // b has the connected version's view (read twice: the second from it).
    for (let i = 0; i < 2; i++) expect(JSON.parse((await readAt(bUrl, id)).text).state).toBe('connected');
    const res = await a.api(`/api/v2/conversations/${id}/disconnect`, { method: 'POST', token: admin });
    expect(res.status).toBe(202);
    const after = JSON.parse((await readAt(bUrl, id)).text);
    expect(after.state).toBe('disconnected');
    expect(after.participants.find((p: { purpose: string }) => p.purpose === 'agent').wrapup).toMatchObject({
      code: 'GATEHOUSE-SYSTEM-DISCONNECT',
    });
    expect((await readAt(bUrl, id)).text).toBe((await readAt(a.url, id)).text);
  });

  it("shows another process's division move on the next read", async () => {
    const id = await practice();
    const before = JSON.parse((await readAt(bUrl, id)).text);
    const east = await a.api('/api/v2/authorization/divisions', {
      method: 'POST',
      token: admin,
      body: { name: 'East' },
    });
    const moved = await a.api(`/api/v2/authorization/divisions/${east.body.id}/objects/CONVERSATION`, {
      method: 'POST',
      token: admin,
      body: [id],
    });
    expect(moved.status, moved.text).toBe(204);
    const after = JSON.parse((await readAt(bUrl, id)).text);
    expect(before.divisions[0].division.id).not.toBe(east.body.id);
    expect(after.divisions[0].division.id).toBe(east.body.id);
  });

  it('refuses to store a change that does not move the version (the views would keep the old one)', async () => {
    const id = await practice();
    const store = createConversationStore();
    const row = (await store.find(a.gh.storage.db, a.demo.orgId, id))!;
    await expect(store.update(a.gh.storage.db, { ...row, state: 'disconnected' }, row.version)).rejects.toThrow(
      /must move the version/,
    );
    expect(JSON.parse((await readAt(bUrl, id)).text).state).toBe('connected');
  });
});
