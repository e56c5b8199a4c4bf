/**
 * The conversations and audit personal-data sources of the data-subject requests (GDPR), called
 * directly as the GDPR job calls them (rectify and erase inside one transaction), and checked
 * through HTTP: customers found by name, the export of the subject's interactions and audit
 * events, rectified and anonymized participants, notes and audit events scrubbed, short terms
 * left alone, and a rolled-back request changing nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditPersonalData } from '../../src/domains/audit/index.ts';
import { createConversationPersonalData } from '../../src/domains/conversations/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { newTimeOrderedId } from '../../src/platform/ids.ts';
import type { PersonalDataSource, ResolvedSubject } from '../../src/platform/personal-data.ts';
import type { Caller } from '../../src/platform/principal.ts';
import { withTransaction } from '../../src/storage/db.ts';
import { otherOrganization } from '../conversations/fixtures.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';

interface Participant {
  purpose: 'customer' | 'agent' | 'acd' | 'ivr';
  name: string;
  userId?: string;
}

const subject = (s: Partial<ResolvedSubject>): ResolvedSubject => ({
  userIds: [],
  customerNames: [],
  names: [],
  emails: [],
  phones: [],
  addresses: [],
  externalIds: [],
  ...s,
});
const interval = () =>
  `${new Date(Date.now() - 3_600_000).toISOString()}/${new Date(Date.now() + 60_000).toISOString()}`;

describe.each(DIALECTS)('GDPR conversations and audit sources on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let caller: Caller;
  let conversations: PersonalDataSource;
  let audit: PersonalDataSource;
  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    caller = { principal: (await t.gh.oauth.tokens.resolve(admin))!, remoteIp: '127.0.0.1' };
    conversations = createConversationPersonalData({ clock: systemClock });
    audit = createAuditPersonalData();
  });
  afterAll(() => t?.close());

  const db = () => t.gh.storage.db;
  const orgId = () => t.demo.orgId;

  async function practice(
    participants: Participant[],
    extra: { mediaType?: string; queueName?: string; notes?: string } = {},
  ) {
    const res = await t.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: { mediaType: 'call', ...extra, participants },
    });
    expect(res.status, res.text).toBe(200);
    return res.body.id as string;
  }

  async function user(name: string, email: string) {
    const res = await t.api('/api/v2/users', { method: 'POST', token: admin, body: { name, email } });
    expect(res.status, res.text).toBe(200);
    return res.body.id as string;
  }

  const names = async (id: string) =>
    (await t.api(`/api/v2/conversations/${id}`, { token: admin })).body.participants.map(
      (p: { purpose: string; name: string; userId?: string }) => ({
        purpose: p.purpose,
        name: p.name,
        ...(p.userId ? { userId: p.userId } : {}),
      }),
    );

  /** Every event of the demo org about this entity, through the realtime query. */
  async function eventsOf(entityId: string) {
    const res = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token: admin,
      body: { interval: interval(), filters: [{ property: 'EntityId', value: entityId }], pageSize: 100 },
    });
    expect(res.status, res.text).toBe(200);
    return res.body.entities as {
      action: string;
      entity: { name?: string };
      propertyChanges: { property: string; oldValues: string[]; newValues: string[] }[];
      context: Record<string, string>;
    }[];
  }

  describe('conversations', () => {
    it("finds customers by name, case-insensitively and once per spelling, in the caller's organization only", async () => {
      await practice([
        { purpose: 'customer', name: 'Ada Quill' },
        { purpose: 'acd', name: 'Support' },
      ]);
      await practice([{ purpose: 'customer', name: 'ADA QUILL' }], { mediaType: 'chat' });
      await practice([{ purpose: 'customer', name: 'Ada Quill' }]);
      await practice([
        { purpose: 'customer', name: 'Ada Quillson' },
        { purpose: 'ivr', name: 'ada quill' },
      ]);
      const other = await otherOrganization(t, 'Quill Elsewhere');
      await t.gh.conversations.createPractice(null, other.orgId, {
        mediaType: 'call',
        participants: [
          { purpose: 'customer', name: 'Ada Quill Other' },
          { purpose: 'customer', name: 'ada quill' },
        ],
      });

      const found = await conversations.findSubjects(db(), orgId(), 'NAME', 'ada QUILL');
      expect(found.map((s) => s.name).sort()).toEqual(['ADA QUILL', 'Ada Quill']);
      expect(found.every((s) => Object.keys(s).join() === 'name')).toBe(true);
      expect(await conversations.findSubjects(db(), other.orgId, 'NAME', 'Ada Quill')).toEqual([{ name: 'ada quill' }]);
      expect(await conversations.findSubjects(db(), orgId(), 'EMAIL', 'ada@example.com')).toEqual([]);
      expect(await conversations.findSubjects(db(), orgId(), 'PHONE', '+15550100999')).toEqual([]);
      expect(await conversations.findSubjects(db(), orgId(), 'NAME', 'Nobody Here')).toEqual([]);
      // LIKE wildcards in the term are text, not patterns.
      expect(await conversations.findSubjects(db(), orgId(), 'NAME', 'Ada%')).toEqual([]);
    });

    it('exports the interactions the subject took part in: as an agent by user id, as a customer by name', async () => {
      const grace = await user('Grace Export', 'grace.export@example.com');
      const c1 = await practice(
        [
          { purpose: 'customer', name: 'Bea Export' },
          { purpose: 'acd', name: 'Billing' },
          { purpose: 'agent', name: 'Grace Export', userId: grace },
        ],
        { queueName: 'Billing' },
      );
      const c2 = await practice([{ purpose: 'customer', name: 'bea export' }], { mediaType: 'email' });
      await practice([
        { purpose: 'customer', name: 'Bea Exporter' },
        { purpose: 'agent', name: 'Grace Export' },
      ]);

      const out = (await conversations.export(
        db(),
        orgId(),
        subject({ userIds: [grace], customerNames: ['Bea Export'], names: ['Grace Export', 'Bea Export'] }),
      )) as { total: number; truncated: boolean; interactions: Record<string, unknown>[] };
      expect(out.total).toBe(3);
      expect(out.truncated).toBe(false);
      const byKey = (e: Record<string, unknown>) => `${e.conversationId}/${e.purpose}`;
      expect(out.interactions.map(byKey).sort()).toEqual([`${c1}/agent`, `${c1}/customer`, `${c2}/customer`].sort());
      const agent = out.interactions.find((e) => e.conversationId === c1 && e.purpose === 'agent')!;
      expect(agent).toMatchObject({
        mediaType: 'call',
        queueName: 'Billing',
        name: 'Grace Export',
        state: 'connected',
        endTime: null,
      });
      expect(Date.parse(agent.startTime as string)).not.toBeNaN();
      expect(out.interactions.find((e) => e.conversationId === c2)).toMatchObject({
        mediaType: 'email',
        queueName: null,
        name: 'bea export',
        purpose: 'customer',
      });

      expect(
        await conversations.export(
          db(),
          orgId(),
          subject({ userIds: [randomUUID()], customerNames: ['Nobody Here'], names: ['Nobody Here'] }),
        ),
      ).toBeNull();
      expect(await conversations.export(db(), orgId(), subject({}))).toBeNull();
    });

    it("rectifies a customer's name, and an agent's only on the subject's own leg, audited with the request as cause", async () => {
      const dan = await user('Dan Agent', 'dan.agent@example.com');
      const someoneElse = await user('Dan Agent', 'dan.other@example.com');
      const c1 = await practice([
        { purpose: 'customer', name: 'Cora Wrong' },
        { purpose: 'agent', name: 'Dan Agent', userId: dan },
      ]);
      const c2 = await practice([
        { purpose: 'customer', name: 'cora wrong' },
        { purpose: 'agent', name: 'Dan Agent', userId: someoneElse },
        { purpose: 'ivr', name: 'Cora Wrong' },
      ]);
      const cause = randomUUID();
      const outcome = await withTransaction(db(), (trx) =>
        conversations.rectify(
          trx,
          orgId(),
          subject({ userIds: [dan], customerNames: ['Cora Wrong'], names: ['Cora Wrong', 'Dan Agent'] }),
          [
            { type: 'NAME', existingValue: 'Cora Wrong', updatedValue: 'Cora Right' },
            { type: 'NAME', existingValue: 'DAN AGENT', updatedValue: 'Daniel Agent' },
            { type: 'EMAIL', existingValue: 'dan.agent@example.com', updatedValue: 'dan@example.com' },
          ],
          caller,
          cause,
        ),
      );
      expect(outcome).toEqual({ participants: 3 });
      expect(await names(c1)).toEqual([
        { purpose: 'customer', name: 'Cora Right' },
        { purpose: 'agent', name: 'Daniel Agent', userId: dan },
      ]);
      expect(await names(c2)).toEqual([
        { purpose: 'customer', name: 'Cora Right' },
        { purpose: 'agent', name: 'Dan Agent', userId: someoneElse },
        { purpose: 'ivr', name: 'Cora Wrong' },
      ]);
      const trail = await t.api(`/api/v2/conversations/${c1}/audits`, { token: admin });
      const update = trail.body.entities[0];
      validateShape('AuditLogMessage', update);
      expect(update).toMatchObject({
        action: 'Update',
        serviceName: 'Conversations',
        entityType: 'Conversation',
        initiatingAction: { transactionId: cause },
        context: { reason: 'GDPR rectification' },
      });
      expect(update.propertyChanges).toEqual([
        { property: 'participants[0].name', oldValues: ['Cora Wrong'], newValues: ['Cora Right'] },
        { property: 'participants[1].name', oldValues: ['Dan Agent'], newValues: ['Daniel Agent'] },
      ]);
      const row = await db()
        .selectFrom('conversations')
        .select(['version'])
        .where('id', '=', c1)
        .executeTakeFirstOrThrow();
      expect(row.version).toBe(2);
      const mapping = await t.api('/api/v2/audits/query/servicemapping', { token: admin });
      expect(mapping.body.services).toContainEqual({
        name: 'Conversations',
        entities: [{ name: 'Conversation', actions: ['AttachmentAdd', 'Create', 'Disconnect', 'Update'] }],
      });
    });

    it("erases: customers and the subject's agent legs anonymized, the subject's terms scrubbed out of the notes, no erased value in the event", async () => {
      const erin = await user('Erin Erase', 'erin.erase@example.com');
      const notes =
        'Fay called from +15550100123, email FAY@example.com; agent Erin Erase promised a callback to Fay Customer.';
      const c1 = await practice(
        [
          { purpose: 'customer', name: 'Fay Customer' },
          { purpose: 'acd', name: 'Support' },
          { purpose: 'agent', name: 'Erin Erase', userId: erin },
        ],
        { queueName: 'Support', notes },
      );
      const c2 = await practice([
        { purpose: 'customer', name: 'Gus Bystander' },
        { purpose: 'agent', name: 'Old display name', userId: erin },
      ]);
      const c3 = await practice([{ purpose: 'customer', name: 'Gus Bystander' }], {
        notes: 'Nothing about the subject here.',
      });
      const before = await db()
        .selectFrom('conversations')
        .select(['modified_at'])
        .where('id', '=', c1)
        .executeTakeFirstOrThrow();

      const who = subject({
        userIds: [erin],
        customerNames: ['Fay Customer'],
        names: ['Erin Erase', 'Fay Customer'],
        emails: ['erin.erase@example.com', 'fay@example.com'],
        phones: ['+15550100123'],
      });
      const outcome = await withTransaction(db(), (trx) =>
        conversations.erase(trx, orgId(), who, caller, randomUUID()),
      );
      expect(outcome).toEqual({ participants: 3, notes: 1 });

      expect(await names(c1)).toEqual([
        { purpose: 'customer', name: 'Anonymized customer' },
        { purpose: 'acd', name: 'Support' },
        { purpose: 'agent', name: 'Anonymized user', userId: erin },
      ]);
      expect(await names(c2)).toEqual([
        { purpose: 'customer', name: 'Gus Bystander' },
        { purpose: 'agent', name: 'Anonymized user', userId: erin },
      ]);
      const view = await t.api(`/api/v2/gatehouse/conversations/${c1}`, { token: admin });
      expect(view.body.notes).toBe(
        'Fay called from [erased], email [erased]; agent [erased] promised a callback to [erased].',
      );
      expect((await t.api(`/api/v2/gatehouse/conversations/${c3}`, { token: admin })).body.notes).toBe(
        'Nothing about the subject here.',
      );
      const after = await db()
        .selectFrom('conversations')
        .select(['version', 'modified_at'])
        .where('id', '=', c1)
        .executeTakeFirstOrThrow();
      expect(after.version).toBe(2);
      expect(after.modified_at >= before.modified_at).toBe(true);

      const [update] = (await t.api(`/api/v2/conversations/${c1}/audits`, { token: admin })).body.entities;
      expect(update).toMatchObject({
        action: 'Update',
        entity: { id: c1, name: `call ${c1}` },
        context: { reason: 'GDPR erasure', notes: 'personal data erased' },
      });
      expect(update.propertyChanges).toEqual([
        { property: 'participants[0].name', oldValues: [], newValues: ['Anonymized customer'] },
        { property: 'participants[2].name', oldValues: [], newValues: ['Anonymized user'] },
      ]);
      expect(JSON.stringify(update)).not.toMatch(/Fay|Erin|15550100123|example\.com/i);

      // Erasing again finds nothing left to change and records nothing.
      expect(
        await withTransaction(db(), (trx) => conversations.erase(trx, orgId(), who, caller, randomUUID())),
      ).toEqual({ participants: 0, notes: 0 });
      expect((await t.api(`/api/v2/conversations/${c1}/audits`, { token: admin })).body.total).toBe(2);
    });

    it("matches a customer by the request's own names only: a user who shares a customer's name is not that customer", async () => {
      const sam = await user('Sam Shared', 'sam.shared@example.com');
      const c = await practice([
        { purpose: 'customer', name: 'Sam Shared' },
        { purpose: 'agent', name: 'Sam Shared', userId: sam },
      ]);
      const other = await practice([{ purpose: 'customer', name: 'SAM SHARED' }], { notes: 'Sam Shared called back.' });
      // A request about the user, as the GDPR service resolves it: the user's own name is a term, no customer's.
      const asUser = subject({ userIds: [sam], names: ['Sam Shared'], emails: ['sam.shared@example.com'] });

      const exported = (await conversations.export(db(), orgId(), asUser)) as {
        total: number;
        interactions: Record<string, unknown>[];
      };
      expect(exported.total).toBe(1);
      expect(exported.interactions).toEqual([
        expect.objectContaining({ conversationId: c, purpose: 'agent', name: 'Sam Shared' }),
      ]);

      const renamed = await withTransaction(db(), (trx) =>
        conversations.rectify(
          trx,
          orgId(),
          asUser,
          [{ type: 'NAME', existingValue: 'sam shared', updatedValue: 'Samuel Shared' }],
          caller,
          randomUUID(),
        ),
      );
      expect(renamed).toEqual({ participants: 1 });
      expect(await names(c)).toEqual([
        { purpose: 'customer', name: 'Sam Shared' },
        { purpose: 'agent', name: 'Samuel Shared', userId: sam },
      ]);
      expect(await names(other)).toEqual([{ purpose: 'customer', name: 'SAM SHARED' }]);

      const erased = await withTransaction(db(), (trx) =>
        conversations.erase(trx, orgId(), { ...asUser, names: ['Sam Shared', 'Samuel Shared'] }, caller, randomUUID()),
      );
      // The agent leg, and the user's name in the other interaction's notes (the subject's own value); no customer.
      expect(erased).toEqual({ participants: 1, notes: 1 });
      expect(await names(c)).toEqual([
        { purpose: 'customer', name: 'Sam Shared' },
        { purpose: 'agent', name: 'Anonymized user', userId: sam },
      ]);
      expect(await names(other)).toEqual([{ purpose: 'customer', name: 'SAM SHARED' }]);
    });

    it("rectifies only the subject's customers: a term naming someone else renames nobody", async () => {
      const c = await practice([
        { purpose: 'customer', name: 'Una Subject' },
        { purpose: 'customer', name: 'Vic Bystander' },
        { purpose: 'agent', name: 'Vic Bystander' },
      ]);
      const rectify = (who: ResolvedSubject, existingValue: string, updatedValue: string) =>
        withTransaction(db(), (trx) =>
          conversations.rectify(
            trx,
            orgId(),
            who,
            [{ type: 'NAME', existingValue, updatedValue }],
            caller,
            randomUUID(),
          ),
        );
      const una = subject({ customerNames: ['Una Subject'], names: ['Una Subject'] });

      expect(await rectify(una, 'Vic Bystander', 'Vic Renamed')).toEqual({ participants: 0 });
      // A user's names are no customer's: only the request's customer names are.
      expect(await rectify(subject({ names: ['Una Subject'] }), 'Una Subject', 'Una Renamed')).toEqual({
        participants: 0,
      });
      expect(await rectify(subject({}), 'Una Subject', 'Una Renamed')).toEqual({ participants: 0 });
      expect(await names(c)).toEqual([
        { purpose: 'customer', name: 'Una Subject' },
        { purpose: 'customer', name: 'Vic Bystander' },
        { purpose: 'agent', name: 'Vic Bystander' },
      ]);

      expect(await rectify(subject({ customerNames: ['UNA subject'] }), 'una SUBJECT', 'Una Renamed')).toEqual({
        participants: 1,
      });
      expect(await names(c)).toEqual([
        { purpose: 'customer', name: 'Una Renamed' },
        { purpose: 'customer', name: 'Vic Bystander' },
        { purpose: 'agent', name: 'Vic Bystander' },
      ]);
    });
  });

  describe('audit', () => {
    it('finds no subjects and rectifies nothing: the trail is history', async () => {
      const hal = await user('Hal History', 'hal.history@example.com');
      expect(await audit.findSubjects(db(), orgId(), 'NAME', 'Hal History')).toEqual([]);
      const outcome = await withTransaction(db(), (trx) =>
        audit.rectify(
          trx,
          orgId(),
          subject({ userIds: [hal], names: ['Hal History'] }),
          [{ type: 'NAME', existingValue: 'Hal History', updatedValue: 'Hal Present' }],
          caller,
          randomUUID(),
        ),
      );
      expect(outcome).toEqual({});
      expect((await eventsOf(hal))[0].entity.name).toBe('Hal History');
    });

    it("exports the events about or by the subject's users, newest first, as AuditLogMessage", async () => {
      const iris = await user('Iris Export', 'iris.export@example.com');
      const patched = await t.api(`/api/v2/users/${iris}`, {
        method: 'PATCH',
        token: admin,
        body: { version: 1, title: 'Analyst' },
      });
      expect(patched.status, patched.text).toBe(200);
      // An event by Iris: a rectification she made, on a conversation's trail.
      const c = await practice([{ purpose: 'customer', name: 'Jo Export' }]);
      const byIris: Caller = { ...caller, principal: { ...caller.principal, userId: iris } };
      await withTransaction(db(), (trx) =>
        conversations.rectify(
          trx,
          orgId(),
          subject({ customerNames: ['Jo Export'] }),
          [{ type: 'NAME', existingValue: 'Jo Export', updatedValue: 'Jo Exported' }],
          byIris,
          randomUUID(),
        ),
      );

      const out = (await audit.export(db(), orgId(), subject({ userIds: [iris] }))) as {
        total: number;
        truncated: boolean;
        events: Record<string, any>[];
      };
      expect(out).toMatchObject({ total: 3, truncated: false });
      for (const e of out.events) validateShape('AuditLogMessage', e);
      expect(out.events.map((e) => `${e.serviceName}/${e.action}`)).toEqual([
        'Conversations/Update',
        'Directory/Update',
        'Directory/Create',
      ]);
      expect(out.events[0]).toMatchObject({ entity: { id: c }, user: { id: iris, name: 'Iris Export' } });
      // Her rectification renamed a customer, who is someone else (Art. 15(4)).
      expect(out.events[0].propertyChanges).toEqual([
        { property: 'participants[0].name', oldValues: ['[other person]'], newValues: ['[other person]'] },
      ]);
      expect(JSON.stringify(out)).not.toMatch(/Jo Export/i);
      expect(out.events[2]).toMatchObject({
        entity: { id: iris, name: 'Iris Export' },
        user: { id: caller.principal.userId },
      });
      // Whoever else acted stays an id.
      expect(out.events[2].user.name).toBeUndefined();
      expect(await audit.export(db(), orgId(), subject({ userIds: [randomUUID()] }))).toBeNull();
      expect(await audit.export(db(), orgId(), subject({ names: ['Iris Export'] }))).toBeNull();
    });

    it('exports an administrator\'s events without the data of the users they created or changed: "[other person]" instead', async () => {
      const me = caller.principal.userId!;
      const mine = await db()
        .selectFrom('users')
        .select(['name', 'email'])
        .where('id', '=', me)
        .executeTakeFirstOrThrow();
      const pia = await user('Pia Created', 'pia.created@example.com');
      const patched = await t.api(`/api/v2/users/${pia}`, {
        method: 'PATCH',
        token: admin,
        body: { version: 1, title: 'Night Auditor' },
      });
      expect(patched.status, patched.text).toBe(200);

      const out = (await audit.export(
        db(),
        orgId(),
        subject({ userIds: [me], names: [mine.name], emails: [mine.email] }),
      )) as { total: number; events: Record<string, any>[] };
      for (const e of out.events) validateShape('AuditLogMessage', e);
      const [update, create] = out.events.filter((e) => e.entity.id === pia);
      expect(create).toMatchObject({
        action: 'Create',
        entityType: 'User',
        entity: { id: pia, name: '[other person]' },
        user: { id: me, name: mine.name },
      });
      expect(create.propertyChanges.find((p: { property: string }) => p.property === 'email')).toEqual({
        property: 'email',
        oldValues: [],
        newValues: ['[other person]'],
      });
      expect(create.propertyChanges.find((p: { property: string }) => p.property === 'name')).toEqual({
        property: 'name',
        oldValues: [],
        newValues: ['[other person]'],
      });
      expect(update).toMatchObject({ action: 'Update', entity: { id: pia, name: '[other person]' } });
      expect(update.propertyChanges.find((p: { property: string }) => p.property === 'title')).toEqual({
        property: 'title',
        oldValues: [],
        newValues: ['[other person]'],
      });
      expect(JSON.stringify(out)).not.toMatch(/Pia Created|pia\.created@|Night Auditor/i);
      // No other user's name either, whichever events came before.
      for (const e of out.events.filter((x) => ['User', 'UserRoles'].includes(x.entityType) && x.entity.id !== me))
        expect(e.entity.name ?? '[other person]').toBe('[other person]');
    });

    it('exports the events that name the subject, as a customer and as an agent, every other participant "[other person]"', async () => {
      const rhea = await user('Rhea Agent', 'rhea.agent@example.com');
      const c = await practice([
        { purpose: 'customer', name: 'Quinn Customer' },
        { purpose: 'acd', name: 'Support' },
        { purpose: 'agent', name: 'Rhea Agent', userId: rhea },
      ]);
      type Out = { total: number; truncated: boolean; events: Record<string, any>[] };
      const properties = (e: Record<string, any>) =>
        (e.propertyChanges as { property: string }[]).map((p) => p.property);

      // A customer, no user: the conversation's Create event names her, and is by someone else about something else.
      const asCustomer = (await audit.export(
        db(),
        orgId(),
        subject({ customerNames: ['Quinn Customer'], names: ['Quinn Customer'] }),
      )) as Out;
      expect(asCustomer).toMatchObject({ total: 1, truncated: false });
      const [create] = asCustomer.events;
      validateShape('AuditLogMessage', create);
      expect(create).toMatchObject({
        serviceName: 'Conversations',
        action: 'Create',
        entity: { id: c },
        user: { id: caller.principal.userId },
      });
      expect(create.user.name).toBeUndefined();
      expect(properties(create)).toEqual(
        expect.arrayContaining([
          'participants[0] customer Quinn Customer.state',
          'participants[1] acd Support.state',
          'participants[2] agent [other person].state',
        ]),
      );
      expect(JSON.stringify(asCustomer)).not.toMatch(/Rhea/i);

      // An agent: her user's Create event, and the conversation's once, newest first.
      const asAgent = (await audit.export(
        db(),
        orgId(),
        subject({ userIds: [rhea], names: ['Rhea Agent'], emails: ['rhea.agent@example.com'] }),
      )) as Out;
      expect(asAgent).toMatchObject({ total: 2, truncated: false });
      expect(asAgent.events.map((e) => `${e.entityType}/${e.action}/${e.entity.id}`)).toEqual([
        `Conversation/Create/${c}`,
        `User/Create/${rhea}`,
      ]);
      expect(properties(asAgent.events[0])).toEqual(
        expect.arrayContaining([
          'participants[0] customer [other person].state',
          'participants[1] acd Support.state',
          'participants[2] agent Rhea Agent.state',
        ]),
      );
      expect(asAgent.events[1]).toMatchObject({ entity: { id: rhea, name: 'Rhea Agent' } });
      expect(JSON.stringify(asAgent)).not.toMatch(/Quinn/i);

      // A user who shares the customer's name is someone else: her events name no customer of that name.
      const namesake = await user('Quinn Customer', 'quinn.namesake@example.com');
      const again = (await audit.export(
        db(),
        orgId(),
        subject({ customerNames: ['Quinn Customer'], names: ['Quinn Customer'] }),
      )) as Out;
      expect(again.total).toBe(1);
      expect(JSON.stringify(again)).not.toContain(namesake);
    });

    it("scrubs the subject's terms out of entity names, property changes and context, run last after the other sources", async () => {
      const kai = await user('Kai Scrub', 'kai.scrub@example.com');
      const patched = await t.api(`/api/v2/users/${kai}`, {
        method: 'PATCH',
        token: admin,
        body: { version: 1, title: 'Friend of Lee Customer', department: 'Sales' },
      });
      expect(patched.status, patched.text).toBe(200);
      const c = await practice(
        [
          { purpose: 'customer', name: 'Lee Customer' },
          { purpose: 'agent', name: 'Kai Scrub', userId: kai },
        ],
        { queueName: 'KAI.SCRUB@example.com queue' },
      );
      // Found by the case-insensitive pre-filter alone: no participant, actor or entity of Kai's.
      const shouted = await practice([{ purpose: 'customer', name: 'Someone Else' }], {
        queueName: 'Escalations for LEE CUSTOMER',
      });
      const bystander = await user('Mo Bystander', 'mo.bystander@example.com');
      const allBefore = await db().selectFrom('audit_events').selectAll().where('org_id', '=', orgId()).execute();

      const who = subject({
        userIds: [kai],
        customerNames: ['Lee Customer'],
        names: ['Kai Scrub', 'Lee Customer'],
        emails: ['kai.scrub@example.com'],
      });
      const outcome = await withTransaction(db(), async (trx) => {
        const conv = await conversations.erase(trx, orgId(), who, caller, randomUUID());
        return { conv, audit: await audit.erase(trx, orgId(), who, caller, newTimeOrderedId()) };
      });
      expect(outcome.conv).toEqual({ participants: 2, notes: 0 });
      // Kai's Create and Update, both conversations' Create; the erasure's own event names nobody.
      expect(outcome.audit).toEqual({ events: 4 });

      const [update, create] = await eventsOf(kai);
      expect(create.entity.name).toBe('[erased]');
      expect(create.propertyChanges.find((p) => p.property === 'email')).toEqual({
        property: 'email',
        oldValues: [],
        newValues: ['[erased]'],
      });
      expect(create.propertyChanges.find((p) => p.property === 'name')!.newValues).toEqual(['[erased]']);
      expect(update.entity.name).toBe('[erased]');
      expect(update.propertyChanges.find((p) => p.property === 'title')).toEqual({
        property: 'title',
        oldValues: [],
        newValues: ['[erased]'],
      });
      // An event about the subject loses every personal property's value, terms or not.
      expect(update.propertyChanges.find((p) => p.property === 'department')).toEqual({
        property: 'department',
        oldValues: [],
        newValues: ['[erased]'],
      });
      const convCreate = (await eventsOf(c)).find((e) => e.action === 'Create')!;
      expect(convCreate.context).toEqual({ mediaType: 'call', queueName: '[erased]' });
      expect(convCreate.propertyChanges.map((p) => p.property)).toContain('participants[0] customer [erased].state');
      expect(convCreate.propertyChanges.map((p) => p.property)).toContain('participants[1] agent [erased].state');
      expect((await eventsOf(shouted))[0].context).toEqual({ mediaType: 'call', queueName: '[erased]' });
      const all = JSON.stringify([await eventsOf(kai), await eventsOf(c)]);
      expect(all).not.toMatch(/Kai Scrub|Lee Customer|kai\.scrub@/i);

      // Only the events that held the terms were written; the bystander's are as they were.
      const allAfter = await db().selectFrom('audit_events').selectAll().where('org_id', '=', orgId()).execute();
      const changed = allAfter.filter((a) => {
        const b = allBefore.find((x) => x.id === a.id);
        return b && JSON.stringify(b) !== JSON.stringify(a);
      });
      expect(changed).toHaveLength(4);
      expect((await eventsOf(bystander))[0]).toMatchObject({ entity: { name: 'Mo Bystander' } });
    });

    it('ignores terms shorter than three characters, while an exactly named customer is still anonymized', async () => {
      const c = await practice([{ purpose: 'customer', name: 'Al' }], {
        notes: 'Al called about Alabama.',
        queueName: 'Al queue',
      });
      const eventsBefore = await db()
        .selectFrom('audit_events')
        .selectAll()
        .where('org_id', '=', orgId())
        .orderBy('id')
        .execute();
      const who = subject({ customerNames: ['Al'], names: ['Al', ' ', ''], emails: ['a@'], phones: ['+1'] });
      const outcome = await withTransaction(db(), async (trx) => ({
        conv: await conversations.erase(trx, orgId(), who, caller, randomUUID()),
        audit: await audit.erase(trx, orgId(), who, caller, newTimeOrderedId()),
      }));
      expect(outcome).toEqual({ conv: { participants: 1, notes: 0 }, audit: { events: 0 } });
      const view = await t.api(`/api/v2/gatehouse/conversations/${c}`, { token: admin });
      expect(view.body).toMatchObject({
        notes: 'Al called about Alabama.',
        participants: [{ name: 'Anonymized customer' }],
      });
      const eventsAfter = await db()
        .selectFrom('audit_events')
        .selectAll()
        .where('org_id', '=', orgId())
        .orderBy('id')
        .execute();
      // Every event as it was, plus the erasure's own Update.
      expect(eventsAfter.filter((e) => eventsBefore.some((b) => b.id === e.id))).toEqual(eventsBefore);
      expect((await eventsOf(c)).find((e) => e.action === 'Create')!.context).toEqual({
        mediaType: 'call',
        queueName: 'Al queue',
      });
    });

    it("erases a subject with hundreds of terms (SQLite bounds a query's expression depth), each interaction and event counted once", async () => {
      const many = Array.from({ length: 400 }, (_, i) => `Many Terms ${String(i).padStart(3, '0')}`);
      const emails = many.map((n) => `${n.replace(/ /g, '.').toLowerCase()}@example.com`);
      const [first, last] = [many[0], many[many.length - 1]];
      const c = await practice(
        [
          { purpose: 'customer', name: first },
          { purpose: 'acd', name: 'Support' },
          { purpose: 'customer', name: last },
        ],
        { queueName: `Queue of ${last}`, notes: `Called by ${first}, then by ${last} (${emails[emails.length - 1]}).` },
      );
      const bystander = await practice([{ purpose: 'customer', name: 'Many Terms Nobody' }], {
        notes: 'Many Terms 4000 is no term.',
      });
      const who = subject({ customerNames: many, names: many, emails });

      // Found by several of the queries the terms are split into, exported once.
      const exported = (await conversations.export(db(), orgId(), who)) as {
        total: number;
        interactions: Record<string, unknown>[];
      };
      expect(exported.total).toBe(2);
      expect(exported.interactions.map((e) => `${e.conversationId}/${e.name}`).sort()).toEqual([
        `${c}/${first}`,
        `${c}/${last}`,
      ]);
      const events = (await audit.export(db(), orgId(), who)) as {
        total: number;
        events: { entity: { id: string }; propertyChanges: { property: string }[] }[];
      };
      expect(events.total).toBe(1);
      expect(events.events.map((e) => e.entity.id)).toEqual([c]);
      expect(events.events[0].propertyChanges.map((p) => p.property)).toEqual(
        expect.arrayContaining([`participants[0] customer ${first}.state`, `participants[2] customer ${last}.state`]),
      );

      const outcome = await withTransaction(db(), async (trx) => ({
        conv: await conversations.erase(trx, orgId(), who, caller, randomUUID()),
        audit: await audit.erase(trx, orgId(), who, caller, newTimeOrderedId()),
      }));
      // The conversation's Create event names both customers; the erasure's own Update names nobody.
      expect(outcome).toEqual({ conv: { participants: 2, notes: 1 }, audit: { events: 1 } });
      const view = await t.api(`/api/v2/gatehouse/conversations/${c}`, { token: admin });
      expect(view.body.notes).toBe('Called by [erased], then by [erased] ([erased]).');
      expect(await names(c)).toEqual([
        { purpose: 'customer', name: 'Anonymized customer' },
        { purpose: 'acd', name: 'Support' },
        { purpose: 'customer', name: 'Anonymized customer' },
      ]);
      const create = (await eventsOf(c)).find((e) => e.action === 'Create')!;
      expect(create.context).toEqual({ mediaType: 'call', queueName: '[erased]' });
      expect(JSON.stringify(await eventsOf(c))).not.toMatch(/Many Terms/i);
      expect((await t.api(`/api/v2/gatehouse/conversations/${bystander}`, { token: admin })).body.notes).toBe(
        'Many Terms 4000 is no term.',
      );
    });

    it("changes nothing when the request's transaction rolls back after erasing", async () => {
      const kim = await user('Kim Rollback', 'kim.rollback@example.com');
      const c = await practice(
        [
          { purpose: 'customer', name: 'Nia Rollback' },
          { purpose: 'agent', name: 'Kim Rollback', userId: kim },
        ],
        { notes: 'Ask for Kim Rollback.' },
      );
      const snapshot = async () => ({
        conversation: await db().selectFrom('conversations').selectAll().where('id', '=', c).executeTakeFirstOrThrow(),
        events: await db().selectFrom('audit_events').selectAll().where('org_id', '=', orgId()).orderBy('id').execute(),
      });
      const before = await snapshot();
      const who = subject({
        userIds: [kim],
        customerNames: ['Nia Rollback'],
        names: ['Kim Rollback', 'Nia Rollback'],
        emails: ['kim.rollback@example.com'],
      });
      let counted: unknown;
      await expect(
        withTransaction(db(), async (trx) => {
          const conv = await conversations.erase(trx, orgId(), who, caller, randomUUID());
          counted = { conv, audit: await audit.erase(trx, orgId(), who, caller, newTimeOrderedId()) };
          throw new Error('a later source failed');
        }),
      ).rejects.toThrow('a later source failed');
      expect(counted).toEqual({ conv: { participants: 2, notes: 1 }, audit: { events: 2 } });
      expect(await snapshot()).toEqual(before);
      expect(await names(c)).toEqual([
        { purpose: 'customer', name: 'Nia Rollback' },
        { purpose: 'agent', name: 'Kim Rollback', userId: kim },
      ]);
      expect((await eventsOf(kim))[0].entity.name).toBe('Kim Rollback');
    });
  });
});
