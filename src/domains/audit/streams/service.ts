/**
 * Audit streams (the seed's EventBridge integration, Gatehouse-style): per organization, at most
 * 10 destinations — an HTTPS webhook signed with a per-stream secret, or a NATS JetStream
 * subject when GATEHOUSE_NATS_URL is set. Creating, changing and deleting one is audited; the
 * webhook secret is shown once (on create and on regenerate) and kept sealed at rest.
 */
import { auditOrigin, diffProperties, recordAudit, registerAuditEntity } from '../../../platform/audit.ts';
import type { Clock } from '../../../platform/clock.ts';
import { randomToken, sealSecret } from '../../../platform/crypto.ts';
import { ApiError, invalidValue, notFound } from '../../../platform/errors/index.ts';
import { newId } from '../../../platform/ids.ts';
import { listing, type PageRequest } from '../../../platform/paging.ts';
import type { Caller } from '../../../platform/principal.ts';
import { checkWebhookDestination } from '../../../platform/outbound-address.ts';
import { type Db, type Executor, withTransaction } from '../../../storage/db.ts';
import type { AuditStreamRow } from '../../../storage/schema.ts';
import type { Dispatcher } from './dispatcher.ts';
import { NATS_SUBJECT_ROOT, type StreamSenders } from './senders.ts';
import type { StreamStore } from './store.ts';

export const MAX_STREAMS_PER_ORG = 10;
const TYPES = ['webhook', 'nats'] as const;
const STATES = ['active', 'disabled'] as const;
const SUBJECT = /^gatehouse\.audit(\.[A-Za-z0-9_-]{1,64}){1,4}$/;

registerAuditEntity('Integrations', 'AuditStream', ['Create', 'Update', 'Delete', 'RegenerateSecret']);

export interface StreamInput {
  name?: string;
  type?: string;
  url?: string;
  subject?: string;
  state?: string;
}

const tooMany = () =>
  new ApiError(
    400,
    'audit.streams.limit',
    `An organization can have at most ${MAX_STREAMS_PER_ORG} audit streams. Delete one first.`,
  );

function streamView(row: AuditStreamRow, pending: number) {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    ...(row.type === 'webhook' ? { url: row.target } : { subject: row.target }),
    state: row.state,
    pendingEvents: pending,
    deliveredEvents: Number(row.delivered_count),
    ...(row.last_delivered_at ? { lastDeliveredDate: row.last_delivered_at } : {}),
    ...(row.last_error ? { lastError: row.last_error, lastErrorDate: row.last_error_at ?? undefined } : {}),
    dateCreated: row.created_at,
    dateModified: row.modified_at,
    selfUri: `/api/v2/audits/streams/${row.id}`,
  };
}

const snapshot = (r: AuditStreamRow) => ({ name: r.name, type: r.type, target: r.target, state: r.state });

export function createStreams(deps: {
  db: Db;
  clock: Clock;
  store: StreamStore;
  senders: StreamSenders;
  sealKey: string;
  dispatcher: Dispatcher;
  /** Webhooks may point at private and loopback addresses (--audit-stream-allow-private). */
  allowPrivate?: boolean;
}) {
  const { db, clock, store, senders, sealKey, dispatcher } = deps;
  const allowPrivate = deps.allowPrivate ?? false;

  const audit = (
    trx: Executor,
    caller: Caller,
    action: string,
    row: AuditStreamRow,
    changes = diffProperties(null, null),
  ) =>
    recordAudit(trx, clock, {
      orgId: row.org_id,
      serviceName: 'Integrations',
      entityType: 'AuditStream',
      entityId: row.id,
      entityName: row.name,
      action,
      ...auditOrigin(caller),
      changes,
    });

  async function checkTarget(orgId: string, type: string, input: StreamInput): Promise<string> {
    if (type === 'webhook') {
      if (!input.url) throw invalidValue('url', 'A webhook stream needs a url.');
      if (input.url.length > 2048) throw invalidValue('url', 'url is at most 2048 characters.');
      return (await checkWebhookDestination(input.url, 'url', { allowPrivate })).toString();
    }
    if (!senders.natsConfigured) {
      throw new ApiError(
        400,
        'nats.not.configured',
        'NATS streams need the server started with GATEHOUSE_NATS_URL (or --nats-url).',
      );
    }
    const subject = input.subject ?? `${NATS_SUBJECT_ROOT}.${orgId}`;
    if (!SUBJECT.test(subject)) {
      throw invalidValue(
        'subject',
        `subject must look like "${NATS_SUBJECT_ROOT}.<token>[.<token>…]" (letters, digits, - and _), got "${subject}".`,
      );
    }
    try {
      await senders.ensureNatsSubject(subject);
    } catch (err) {
      throw new ApiError(503, 'service.unavailable', `NATS JetStream did not answer: ${(err as Error).message}`);
    }
    return subject;
  }

  async function requireStream(orgId: string, id: string, trx: Executor = db) {
    const row = await store.find(trx, orgId, id);
    if (!row) throw notFound('audit stream', id);
    return row;
  }

  const pendingOf = async (row: AuditStreamRow) => (await store.pending(db, [row.id])).get(row.id) ?? 0;

  return {
    async list(orgId: string, page: PageRequest, query: Record<string, unknown>) {
      const [rows, total] = await Promise.all([
        store.list(db, orgId, page.offset, page.pageSize),
        store.count(db, orgId),
      ]);
      const pending = await store.pending(
        db,
        rows.map((r) => r.id),
      );
      return listing(
        rows.map((r) => streamView(r, pending.get(r.id) ?? 0)),
        total,
        page,
        '/api/v2/audits/streams',
        query,
      );
    },

    async get(orgId: string, id: string) {
      const row = await requireStream(orgId, id);
      return streamView(row, await pendingOf(row));
    },

    async create(caller: Caller, input: StreamInput) {
      const orgId = caller.principal.orgId;
      const name = input.name?.trim();
      if (!name) throw invalidValue('name', 'name is required.');
      const type = input.type ?? 'webhook';
      if (!TYPES.includes(type as (typeof TYPES)[number]))
        throw invalidValue('type', `type must be one of ${TYPES.join(', ')}.`);
      const state = input.state ?? 'active';
      if (!STATES.includes(state as (typeof STATES)[number]))
        throw invalidValue('state', `state must be one of ${STATES.join(', ')}.`);
      const target = await checkTarget(orgId, type, input);
      if ((await store.count(db, orgId)) >= MAX_STREAMS_PER_ORG) throw tooMany();
      const secret = type === 'webhook' ? randomToken(32) : null;
      const now = clock.now().toISOString();
      const row: AuditStreamRow = {
        id: newId(),
        org_id: orgId,
        name,
        type,
        target,
        sealed_secret: secret ? sealSecret(sealKey, secret) : null,
        state,
        delivered_count: 0,
        last_delivered_at: null,
        last_error: null,
        last_error_at: null,
        created_at: now,
        modified_at: now,
      };
      await withTransaction(db, async (trx) => {
        await store.insert(trx, row);
        await audit(trx, caller, 'Create', row, diffProperties(null, snapshot(row)));
      });
      return { ...streamView(row, await pendingOf(row)), ...(secret ? { secret } : {}) };
    },

    /** Changes name, target or state; the type stays. A stream disabled queues nothing until enabled again. */
    async update(caller: Caller, id: string, input: StreamInput) {
      const orgId = caller.principal.orgId;
      const before = await requireStream(orgId, id);
      if (input.type !== undefined && input.type !== before.type)
        throw invalidValue('type', 'The type of a stream cannot change; create another stream.');
      if (input.state !== undefined && !STATES.includes(input.state as (typeof STATES)[number])) {
        throw invalidValue('state', `state must be one of ${STATES.join(', ')}.`);
      }
      if (input.name !== undefined && !input.name.trim()) throw invalidValue('name', 'name cannot be empty.');
      const changesTarget = before.type === 'webhook' ? input.url !== undefined : input.subject !== undefined;
      const target = changesTarget ? await checkTarget(orgId, before.type, input) : before.target;
      const after: AuditStreamRow = {
        ...before,
        name: input.name?.trim() ?? before.name,
        target,
        state: input.state ?? before.state,
        modified_at: clock.now().toISOString(),
      };
      await withTransaction(db, async (trx) => {
        await store.update(trx, id, {
          name: after.name,
          target: after.target,
          state: after.state,
          modified_at: after.modified_at,
        });
        await audit(trx, caller, 'Update', after, diffProperties(snapshot(before), snapshot(after)));
      });
      return streamView(after, await pendingOf(after));
    },

    async regenerateSecret(caller: Caller, id: string) {
      const row = await requireStream(caller.principal.orgId, id);
      if (row.type !== 'webhook') throw invalidValue('type', 'Only webhook streams have a secret.');
      const secret = randomToken(32);
      const modified = clock.now().toISOString();
      await withTransaction(db, async (trx) => {
        await store.update(trx, id, { sealed_secret: sealSecret(sealKey, secret), modified_at: modified });
        await audit(trx, caller, 'RegenerateSecret', row);
      });
      return { ...streamView({ ...row, modified_at: modified }, await pendingOf(row)), secret };
    },

    /** Deletes the stream and what it had not delivered yet. */
    async remove(caller: Caller, id: string) {
      const row = await requireStream(caller.principal.orgId, id);
      await withTransaction(db, async (trx) => {
        await store.remove(trx, id);
        await audit(trx, caller, 'Delete', row, diffProperties(snapshot(row), null));
      });
    },

    /** Delivers what is due now (beside the background loop). */
    flush: () => dispatcher.runOnce(),
  };
}

export type Streams = ReturnType<typeof createStreams>;
