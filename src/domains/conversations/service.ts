/**
 * Conversations (interactions): read them, tear them down (the Disconnect Interactions tool and
 * its API), create practice ones, and read an interaction's audit trail. Gatehouse has no
 * telephony: a conversation is a record, and a disconnect is the state change upstream would
 * make. Every change is audited in its transaction.
 */
import { auditOrigin, diffProperties, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { conflict, invalidValue, notFound } from '../../platform/errors/index.ts';
import { isUuid, newId } from '../../platform/ids.ts';
import { listing, type PageRequest, totalOfPage } from '../../platform/paging.ts';
import type { Caller } from '../../platform/principal.ts';
import { assertInReach, divisionReach, inReach, reaches } from '../../platform/division-access.ts';
import { type Db, type Executor, withTransaction } from '../../storage/db.ts';
import { entityAuditTrail } from '../audit/index.ts';
import type { DirectoryService } from '../directory/index.ts';
import { DEMO_SCENARIOS } from './practice-scenarios.ts';
import {
  type Conversation,
  type ConversationState,
  MEDIA_TYPES,
  type MediaType,
  type StoredParticipant,
  type StoredSegment,
  type StoredSession,
  SYSTEM_WRAPUP,
} from './model.ts';
import { analyticsConversationView, participantRows } from './analytics-view.ts';
import { createDetailsStore, type DetailsQuery, headMatches, pinnedConversation } from './details-store.ts';
import { stuckReason } from './stuck.ts';
import type { CreatePracticeInteractionBody } from './schemas.ts';
import { conversationFromRow, rowFromConversation } from './rows.ts';
import { type ConversationFilter, createConversationStore } from './store.ts';
import { activeView, conversationView, practiceView } from './views.ts';
import { createViewCache } from './view-cache.ts';

export const AUDIT_SERVICE = 'Conversations';
export const AUDIT_ENTITY = 'Conversation';
registerAuditEntity(AUDIT_SERVICE, AUDIT_ENTITY, ['Create', 'Disconnect']);

/** Upstream's communicationType values for the caller's own listing, by media type. */
const COMMUNICATION_TYPES: Record<string, MediaType> = {
  call: 'call',
  callback: 'callback',
  chat: 'chat',
  email: 'email',
  message: 'message',
};

/** The flat snapshot audit property changes are computed from. */
function snapshot(c: Conversation) {
  const out: Record<string, string | null> = { state: c.state, endTime: c.endTime };
  c.participants.forEach((p, i) => {
    const key = `participants[${i}] ${p.purpose} ${p.name}`;
    out[`${key}.state`] = p.state;
    out[`${key}.wrapup`] = p.wrapup ? p.wrapup.code : null;
  });
  return out;
}

/** Closes every open segment (disconnect type `system`); a pending wrap-up gets the system code. */
function closedSessions(p: StoredParticipant, now: string, applyWrapup: boolean): StoredSession[] | undefined {
  if (!p.sessions) return undefined;
  return p.sessions.map((s) => {
    const segments = s.segments.map((g): StoredSegment => {
      if (g.end) return g;
      const wrapup = g.type === 'wrapup' && !g.wrapUpCode ? { wrapUpCode: SYSTEM_WRAPUP.code } : {};
      return { ...g, end: now, disconnectType: 'system', ...wrapup };
    });
    const queueId = [...segments].reverse().find((g) => g.queueId)?.queueId;
    if (applyWrapup && !segments.some((g) => g.type === 'wrapup'))
      segments.push({
        type: 'wrapup',
        start: now,
        end: now,
        wrapUpCode: SYSTEM_WRAPUP.code,
        ...(queueId ? { queueId } : {}),
      });
    return { ...s, segments };
  });
}

/** Upstream's teardown: every live participant disconnected, pending wrap-ups applied, the end set. */
function tornDown(c: Conversation, now: string): Conversation {
  const participants = c.participants.map((p): StoredParticipant => {
    const live = p.state === 'connected';
    const pendingWrapup = p.wrapupRequired && !p.wrapup;
    const sessions = closedSessions(p, now, pendingWrapup);
    return {
      ...p,
      state: live ? 'disconnected' : p.state,
      ...(live ? { endTime: now, disconnectType: 'system' as const } : {}),
      ...(pendingWrapup ? { wrapup: { ...SYSTEM_WRAPUP, endTime: now } } : {}),
      ...(sessions ? { sessions } : {}),
    };
  });
  return { ...c, state: 'disconnected', participants, endTime: now, version: c.version + 1, dateModified: now };
}

const VIEW_PERMISSION = 'conversation:communication:view';
const DISCONNECT_PERMISSION = 'conversation:communication:disconnect';

export function createConversationsService({
  db,
  clock,
  directory,
  contactExists = async () => true,
}: {
  db: Db;
  clock: Clock;
  directory: DirectoryService;
  /** Whether the organization holds this external contact (the external contacts domain answers). */
  contactExists?: (orgId: string, id: string) => Promise<boolean>;
}) {
  const rows = createConversationStore();
  // The store speaks rows; the service speaks Conversations.
  const store = {
    find: async (ex: Executor, orgId: string, id: string) => {
      const row = await rows.find(ex, orgId, id);
      return row ? conversationFromRow(row) : null;
    },
    insert: async (ex: Executor, c: Conversation) => {
      await rows.insert(ex, rowFromConversation(c));
      await rows.insertParticipants(ex, participantRows(c));
    },
    /** The participant rows change with the conversation, in its transaction. */
    update: async (ex: Executor, c: Conversation, expectedVersion: number) => {
      if (!(await rows.update(ex, rowFromConversation(c), expectedVersion))) return false;
      await rows.replaceParticipants(ex, c.orgId, c.id, participantRows(c));
      return true;
    },
    list: async (ex: Executor, f: ConversationFilter, offset: number, limit: number) =>
      (await rows.list(ex, f, offset, limit)).map(conversationFromRow),
    count: rows.count,
  };

  /**
   * The org's conversation, or 404 for an unknown id, another organization's and one outside the
   * divisions where the caller holds `permission` alike (platform/division-access.ts).
   */
  async function loadRow(orgId: string, id: string, caller?: Caller, permission = VIEW_PERMISSION) {
    const row = isUuid(id) ? await rows.find(db, orgId, id) : undefined;
    if (!row) throw notFound('conversation', id);
    if (caller) assertInReach(caller.principal, permission, row.division_id, 'conversation', id);
    return row;
  }
  const load = async (orgId: string, id: string, caller?: Caller, permission = VIEW_PERMISSION) =>
    conversationFromRow(await loadRow(orgId, id, caller, permission));

  /** Upstream's Conversation view of each stored version, built once (view-cache.ts). */
  const views = createViewCache(conversationView);

  async function insert(caller: Caller | null, orgId: string, c: Conversation) {
    await withTransaction(db, async (trx) => {
      await store.insert(trx, c);
      await recordAudit(trx, clock, {
        orgId,
        serviceName: AUDIT_SERVICE,
        entityType: AUDIT_ENTITY,
        entityId: c.id,
        entityName: `${c.mediaType} ${c.id}`,
        action: 'Create',
        ...auditOrigin(caller),
        changes: diffProperties(null, snapshot(c)),
        context: { mediaType: c.mediaType, ...(c.queueName ? { queueName: c.queueName } : {}) },
      });
    });
    return c;
  }

  const details = createDetailsStore();
  /** The analytics view of each stored version, built once (view-cache.ts). */
  const analyticsViews = createViewCache(analyticsConversationView);

  /** The view of the one conversation a pinned details query names, if it matches the query. */
  async function pinnedView(q: DetailsQuery, id: string) {
    const head = await rows.head(db, q.orgId, id);
    if (!head || !headMatches(q, head)) return null;
    const cached = analyticsViews.get(q.orgId, id, head.version);
    if (cached) return cached;
    // No view of this version yet: the whole row is read (it may be newer than the head) and tested again.
    const row = await rows.find(db, q.orgId, id);
    return row && headMatches(q, row) ? analyticsViews.of(row) : null;
  }

  /**
   * Parsed live conversations by organization and id. Every read checks ids and versions in the
   * store and parses only what changed, so a change made by any process shows at once.
   */
  const liveCache = new Map<string, Map<string, Conversation>>();
  async function live(orgId: string): Promise<Conversation[]> {
    const heads = await rows.activeHeads(db, orgId);
    const known = liveCache.get(orgId) ?? new Map<string, Conversation>();
    const stale = heads.filter((h) => known.get(h.id)?.version !== h.version).map((h) => h.id);
    for (let i = 0; i < stale.length; i += 500)
      for (const r of await rows.byIds(db, orgId, stale.slice(i, i + 500))) known.set(r.id, conversationFromRow(r));
    const next = new Map<string, Conversation>();
    const out: Conversation[] = [];
    for (const h of heads) {
      const c = known.get(h.id);
      // Changed again between the two reads: left out of this answer, read next time.
      if (!c || c.version !== h.version || c.state !== 'connected') continue;
      next.set(h.id, c);
      out.push(c);
    }
    if (liveCache.size > 1_000) liveCache.clear();
    liveCache.set(orgId, next);
    return out;
  }

  const service = {
    /**
     * The analytics details query (the analytics domain parses and checks the request). Views are
     * those of analyticsViews: one object per stored version, not to be changed.
     */
    async detailsQuery(q: DetailsQuery, offset: number, limit: number, withTotal = true) {
      const pinned = pinnedConversation(q);
      if (pinned !== null) {
        // One row answers it: its head is tested in memory, no query is built (details-store.ts).
        const view = await pinnedView(q, pinned);
        const page = view && offset === 0 && limit > 0 ? [view] : [];
        return { conversations: page, total: withTotal ? (view ? 1 : 0) : -1 };
      }
      const page = await details.page(db, q, offset, limit);
      // A page that is not full gives the total: no COUNT then (one id, say).
      const total = withTotal ? (totalOfPage(page.length, offset, limit) ?? (await details.count(db, q))) : -1;
      return { conversations: page.map((r) => analyticsViews.of(r)), total };
    },
    countDetails: (q: DetailsQuery) => details.count(db, q),

    /** Every live interaction of the organization with why it looks stuck, if it does (real-time views). */
    async active(orgId: string) {
      const now = clock.now();
      return (await live(orgId)).map((c) => ({ conversation: c, stuckReason: stuckReason(c, now) }));
    },

    /** The real-time view's listing: live interactions, oldest first, each with what it is doing now. */
    async activeListing(caller: Caller, page: PageRequest, query: { queueId?: string; stuck?: boolean }) {
      const reach = divisionReach(caller.principal, VIEW_PERMISSION);
      const all = (await service.active(caller.principal.orgId))
        .filter((a) => inReach(reach, a.conversation.divisionId))
        .filter((a) => !query.queueId || a.conversation.queueId === query.queueId)
        .filter((a) => query.stuck === undefined || (a.stuckReason !== null) === query.stuck);
      const shown = all
        .slice(page.offset, page.offset + page.pageSize)
        .map((a) => activeView(a.conversation, a.stuckReason));
      return listing(shown, all.length, page, '/api/v2/gatehouse/interactions/active', query);
    },

    /** One interaction in the analytics shape (the console's details panel); 404 outside the caller's divisions. */
    async analyticsView(caller: Caller, id: string) {
      const c = await load(caller.principal.orgId, id, caller);
      return {
        ...analyticsConversationView(c),
        state: c.state,
        mediaType: c.mediaType,
        ...(c.queueName ? { queueName: c.queueName } : {}),
        stuckReason: stuckReason(c, clock.now()),
      };
    },

    /**
     * Generated traffic (the simulator and the demo history): telephony's records, written in
     * bulk, not administrators' changes, so not audited one by one (decision 0013).
     */
    async insertGenerated(conversations: Conversation[]) {
      await withTransaction(db, async (trx) => {
        await rows.insertMany(trx, conversations.map(rowFromConversation), conversations.flatMap(participantRows));
      });
    },

    /** The same object for every read of one version (routes serialize it once): not to be changed. */
    async get(caller: Caller, id: string) {
      const orgId = caller.principal.orgId;
      // The head (version, division) first: a current view needs no participants read or parsed.
      const head = isUuid(id) ? await rows.head(db, orgId, id) : undefined;
      if (!head) throw notFound('conversation', id);
      assertInReach(caller.principal, VIEW_PERMISSION, head.division_id, 'conversation', id);
      return views.get(orgId, id, head.version) ?? views.of(await loadRow(orgId, id, caller));
    },

    /**
     * Full teardown. Disconnecting a conversation that is already disconnected changes nothing
     * and records no second event; the caller gets the same answer (idempotent, like a retry).
     * Answers whether anything changed.
     */
    async disconnect(caller: Caller, id: string): Promise<boolean> {
      const orgId = caller.principal.orgId;
      return withTransaction(db, async (trx) => {
        const before = await store.find(trx, orgId, isUuid(id) ? id : '');
        if (!before || !reaches(caller.principal, DISCONNECT_PERMISSION, before.divisionId))
          throw notFound('conversation', id);
        if (before.state === 'disconnected') return false;
        const after = tornDown(before, clock.now().toISOString());
        if (!(await store.update(trx, after, before.version))) {
          // A concurrent disconnect won the race: the outcome the caller asked for already holds.
          if ((await store.find(trx, orgId, id))?.state === 'disconnected') return false;
          throw conflict('The conversation changed while it was being disconnected. Try again.', id);
        }
        await recordAudit(trx, clock, {
          orgId,
          serviceName: AUDIT_SERVICE,
          entityType: AUDIT_ENTITY,
          entityId: id,
          entityName: `${before.mediaType} ${id}`,
          action: 'Disconnect',
          ...auditOrigin(caller),
          changes: diffProperties(snapshot(before), snapshot(after)),
          context: { mediaType: before.mediaType, ...(before.queueName ? { queueName: before.queueName } : {}) },
        });
        return true;
      });
    },

    /** Upstream's "active conversations for the logged in user": live ones the caller takes part in. */
    async mine(
      caller: Caller,
      page: PageRequest,
      communicationType: string | undefined,
      query: Record<string, unknown>,
    ) {
      const orgId = caller.principal.orgId;
      const userId = caller.principal.userId;
      let media: MediaType | undefined;
      if (communicationType) {
        media = COMMUNICATION_TYPES[communicationType.toLowerCase()];
        if (!media)
          throw invalidValue(
            'communicationType',
            `communicationType must be one of ${Object.keys(COMMUNICATION_TYPES).join(', ')}.`,
          );
      }
      if (!userId) return listing([], 0, page, '/api/v2/conversations', query);
      const filter = { orgId, state: 'connected' as const, participantUserId: userId };
      // The JSON pre-filter is exact for a UUID user id; media type is checked on the parsed rows.
      const all = (await store.list(db, filter, 0, 10_000)).filter(
        (c) => (!media || c.mediaType === media) && c.participants.some((p) => p.userId === userId),
      );
      return listing(
        all.slice(page.offset, page.offset + page.pageSize).map(conversationView),
        all.length,
        page,
        '/api/v2/conversations',
        query,
      );
    },

    /** Gatehouse's admin listing of the org's interactions (beyond upstream). */
    async listPractice(
      caller: Caller,
      page: PageRequest,
      state: ConversationState | undefined,
      query: Record<string, unknown>,
    ) {
      const filter = { orgId: caller.principal.orgId, state, reach: divisionReach(caller.principal, VIEW_PERMISSION) };
      const [rows, total] = await Promise.all([
        store.list(db, filter, page.offset, page.pageSize),
        store.count(db, filter),
      ]);
      return listing(rows.map(practiceView), total, page, '/api/v2/gatehouse/conversations', query);
    },

    async getPractice(caller: Caller, id: string) {
      return practiceView(await load(caller.principal.orgId, id, caller));
    },

    /** A practice interaction; null caller = the system (the demo seed). */
    async createPractice(caller: Caller | null, orgId: string, body: CreatePracticeInteractionBody) {
      if (!MEDIA_TYPES.includes(body.mediaType))
        throw invalidValue('mediaType', `mediaType must be one of ${MEDIA_TYPES.join(', ')}.`);
      const participants = body.participants ?? [];
      for (const [i, p] of participants.entries()) {
        if (
          p.userId &&
          !(await directory.users.getRow(orgId, p.userId).then(
            () => true,
            () => false,
          ))
        ) {
          throw invalidValue(
            `participants[${i}].userId`,
            `participants[${i}].userId is not a user of this organization.`,
          );
        }
        const contact = p.externalContactId?.trim();
        if (contact && !(await contactExists(orgId, contact)))
          throw invalidValue(
            `participants[${i}].externalContactId`,
            `participants[${i}].externalContactId: no external contact ${contact} in this organization.`,
          );
      }
      const now = clock.now().toISOString();
      const divisionId = (await directory.organizations.homeDivision(orgId)).id;
      const stored = participants.map((p): StoredParticipant => {
        const state = p.state ?? 'connected';
        return {
          id: newId(),
          purpose: p.purpose,
          name: p.name,
          ...(p.userId ? { userId: p.userId } : {}),
          ...(p.externalContactId?.trim() ? { externalContactId: p.externalContactId.trim() } : {}),
          state,
          wrapupRequired: p.wrapupRequired ?? false,
          startTime: now,
          ...(state !== 'connected' ? { endTime: now, disconnectType: 'endpoint' as const } : {}),
        };
      });
      const c: Conversation = {
        id: newId(),
        orgId,
        divisionId,
        mediaType: body.mediaType,
        state: 'connected',
        queueName: body.queueName?.trim() || null,
        queueId: null,
        originatingDirection: null,
        participants: stored,
        startTime: now,
        endTime: null,
        stuckReason: body.stuckReason?.trim() || null,
        notes: body.notes?.trim() || null,
        version: 1,
        dateCreated: now,
        dateModified: now,
      };
      return practiceView(await insert(caller, orgId, c));
    },

    /** The demo organization's stuck interactions (system-created, audited like any other). */
    async seedDemo(orgId: string) {
      for (const scenario of DEMO_SCENARIOS) await service.createPractice(null, orgId, scenario);
    },

    /** The interaction's audit trail (beyond upstream): 404 unless the conversation is the caller's org's. */
    async auditTrail(caller: Caller, id: string, page: PageRequest, query: Record<string, unknown>) {
      const orgId = caller.principal.orgId;
      await load(orgId, id, caller, 'audits:interactionDetails:view');
      const { entities, total } = await entityAuditTrail(db, {
        orgId,
        serviceName: AUDIT_SERVICE,
        entityId: id,
        offset: page.offset,
        limit: page.pageSize,
      });
      return listing(entities, total, page, `/api/v2/conversations/${id}/audits`, query);
    },
  };
  return service;
}

export type ConversationsService = ReturnType<typeof createConversationsService>;
