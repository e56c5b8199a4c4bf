/**
 * The conversations domain's personal data, for data-subject requests (GDPR): participant names
 * (customers belong to no user; agents are directory users) and the free-text notes. Participants
 * hold no emails or phones, so only NAME terms find or rectify anything here; erasure also
 * scrubs the subject's names, emails and phones out of the notes.
 *
 * Whose participant is whose: an agent leg is the subject's by its user id; a customer is the
 * subject's only by the names the request itself carries (`customerNames`), never by a user's
 * name (`names`): two people may share one.
 */
import { type AuditEvent, auditOrigin, recordAuditBatch, registerAuditEntity } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { conflict } from '../../platform/errors/index.ts';
import {
  ERASED,
  type FoundSubject,
  MIN_TERM_LENGTH,
  type PersonalDataSource,
  type Replacement,
  type ResolvedSubject,
  scrubTerms,
  termPattern,
} from '../../platform/personal-data.ts';
import type { Caller } from '../../platform/principal.ts';
import type { Executor, Trx } from '../../storage/db.ts';
import type { Conversation, StoredParticipant } from './model.ts';
import { conversationFromRow, rowFromConversation } from './rows.ts';
import { AUDIT_ENTITY, AUDIT_SERVICE } from './service.ts';
import { createConversationStore, MAX_MENTION_TERMS, type MentionFilter } from './store.ts';
import { attachmentsStore } from './attachments.ts';

/** Rectification and erasure change a conversation in place (registering merges with the service's actions). */
registerAuditEntity(AUDIT_SERVICE, AUDIT_ENTITY, ['Update']);

export const ANONYMIZED_CUSTOMER = 'Anonymized customer';

/**
 * The participant's sessions without the addresses that identify the person (ANI, from and to:
 * a customer's phone number or email address); the DNIS is the organization's own number. Null
 * when there is nothing to remove.
 */
function withoutAddresses(p: StoredParticipant) {
  if (!p.sessions?.some((s) => s.ani || s.addressFrom || s.addressTo)) return null;
  return p.sessions.map(({ ani: _ani, addressFrom: _from, addressTo: _to, ...rest }) => rest);
}
export const ANONYMIZED_USER = 'Anonymized user';

/** Search results are capped, as upstream caps its subject search. */
const MAX_SUBJECTS = 1_000;
/** Export entries are capped; `truncated` says when there were more. */
const MAX_EXPORTED = 10_000;
/** Rows read per page while scanning. */
const PAGE = 500;

const fold = (v: string) => v.toLowerCase();

/** The request's own names, the only ones a customer is matched by. */
const customerNamesOf = (subject: ResolvedSubject) => subject.customerNames.map((n) => n.trim()).filter(Boolean);

/**
 * A MentionFilter split into filters of at most MAX_MENTION_TERMS user ids, names and texts in
 * all: one query over them all would exceed SQLite's expression depth.
 */
function chunks(f: MentionFilter): MentionFilter[] {
  const terms = [
    ...(f.userIds ?? []).map((v) => ['userIds', v] as const),
    ...(f.participantNames ?? []).map((v) => ['participantNames', v] as const),
    ...(f.notesContaining ?? []).map((v) => ['notesContaining', v] as const),
    ...(f.externalContactIds ?? []).map((v) => ['externalContactIds', v] as const),
  ];
  const out: MentionFilter[] = [];
  for (let i = 0; i < terms.length; i += MAX_MENTION_TERMS) {
    const chunk: Required<MentionFilter> = {
      orgId: f.orgId,
      userIds: [],
      participantNames: [],
      notesContaining: [],
      externalContactIds: [],
    };
    for (const [key, v] of terms.slice(i, i + MAX_MENTION_TERMS)) chunk[key].push(v);
    out.push(chunk);
  }
  return out;
}

/** The parts of the subject's names (first, last), at least MIN_TERM_LENGTH long. */
const nameParts = (subject: ResolvedSubject) =>
  subject.names.flatMap((n) => n.split(/\s+/)).filter((w) => w.length >= MIN_TERM_LENGTH);

/** Every occurrence of any term as a whole word, case-insensitive, replaced by ERASED. */
function scrubText(text: string, terms: string[]): string {
  const pattern = termPattern(terms);
  return pattern ? text.replace(pattern, ERASED) : text;
}

export function createConversationPersonalData({ clock }: { clock: Clock }): PersonalDataSource {
  const store = createConversationStore();

  /**
   * Every conversation the pre-filter matches, once, page by page (by id, so in-place updates do
   * not move the cursor) and chunk by chunk of its terms. A conversation another chunk finds
   * again is not yielded again: its caller has already dealt with it, with every term.
   */
  async function* scan(db: Executor, filter: MentionFilter) {
    const seen = new Set<string>();
    for (const f of chunks(filter)) {
      let after: string | null = null;
      for (;;) {
        const rows = await store.mentioning(db, f, after, PAGE);
        for (const row of rows) {
          if (seen.has(row.id)) continue;
          seen.add(row.id);
          yield conversationFromRow(row);
        }
        if (rows.length < PAGE) break;
        after = rows[rows.length - 1].id;
      }
    }
  }

  /**
   * Whether a participant is the subject's: a customer by its external contact or the request's
   * names, an agent by user id.
   */
  function isSubjects(
    p: StoredParticipant,
    userIds: Set<string>,
    customerNames: Set<string>,
    contacts: Set<string> = new Set(),
  ): boolean {
    if (p.externalContactId && contacts.has(p.externalContactId)) return true;
    if (p.purpose === 'customer') return customerNames.has(fold(p.name));
    return p.purpose === 'agent' && p.userId !== undefined && userIds.has(p.userId);
  }

  /** Writes the changed conversation (version and modification time bumped, as the service does). */
  async function save(trx: Trx, before: Conversation, participants: StoredParticipant[], notes: string | null) {
    const after: Conversation = {
      ...before,
      participants,
      notes,
      version: before.version + 1,
      dateModified: clock.now().toISOString(),
    };
    if (!(await store.update(trx, rowFromConversation(after), before.version))) {
      throw conflict('The conversation changed while personal data was being updated. Try again.', before.id);
    }
  }

  function updateEvent(
    orgId: string,
    c: Conversation,
    caller: Caller,
    causeEventId: string,
    reason: string,
    changes: AuditEvent['changes'],
    extra: Record<string, string> = {},
  ): AuditEvent {
    return {
      orgId,
      serviceName: AUDIT_SERVICE,
      entityType: AUDIT_ENTITY,
      entityId: c.id,
      entityName: `${c.mediaType} ${c.id}`,
      action: 'Update',
      ...auditOrigin(caller),
      changes,
      context: { mediaType: c.mediaType, reason, ...extra },
      causeEventId,
    };
  }

  return {
    name: 'conversations',

    /** Customers by name (they belong to no user; agents are found through the directory). */
    async findSubjects(db, orgId, type, value) {
      const name = value.trim();
      if (type !== 'NAME' || !name) return [];
      const found = new Map<string, FoundSubject>();
      for await (const c of scan(db, { orgId, participantNames: [name] })) {
        for (const p of c.participants) {
          if (p.purpose === 'customer' && fold(p.name) === fold(name) && !found.has(p.name))
            found.set(p.name, { name: p.name });
        }
        if (found.size >= MAX_SUBJECTS) break;
      }
      return [...found.values()].slice(0, MAX_SUBJECTS);
    },

    /** The interactions the subject took part in, one entry per participation. */
    async export(db, orgId, subject) {
      const userIds = new Set(subject.userIds);
      const customers = new Set(customerNamesOf(subject).map(fold));
      const contacts = new Set(subject.externalContactIds ?? []);
      if (!userIds.size && !customers.size && !contacts.size) return null;
      const interactions = [];
      let total = 0;
      for await (const c of scan(db, {
        orgId,
        userIds: [...userIds],
        participantNames: customerNamesOf(subject),
        externalContactIds: [...contacts],
      })) {
        for (const p of c.participants) {
          if (!isSubjects(p, userIds, customers, contacts)) continue;
          total++;
          if (interactions.length < MAX_EXPORTED) {
            interactions.push({
              conversationId: c.id,
              mediaType: c.mediaType,
              queueName: c.queueName,
              startTime: c.startTime,
              endTime: c.endTime,
              purpose: p.purpose,
              name: p.name,
              ...(p.externalContactId ? { externalContactId: p.externalContactId } : {}),
              state: p.state,
            });
          }
        }
      }
      const files = await attachmentsStore.of(db, orgId, [...new Set(interactions.map((i) => i.conversationId))]);
      const withFiles = interactions.map((i) => {
        const own = files.filter((f) => f.conversation_id === i.conversationId).map(attachmentsStore.meta);
        return own.length ? { ...i, attachments: own } : i;
      });
      return total ? { total, interactions: withFiles, truncated: total > interactions.length } : null;
    },

    /**
     * NAME terms rename the subject's participants who bear the term's existing value: customers
     * the request names, agent legs of the subject's users. Anyone else of that name stays.
     */
    async rectify(trx, orgId, subject, replacements, caller, causeEventId) {
      const renames = replacements.filter(
        (r: Replacement) => r.type === 'NAME' && r.existingValue.trim() && r.updatedValue.trim(),
      );
      const userIds = new Set(subject.userIds);
      const customers = new Set(customerNamesOf(subject).map(fold));
      const contacts = new Set(subject.externalContactIds ?? []);
      const events: AuditEvent[] = [];
      // An external contact's interactions: its old values in their notes are replaced too.
      let notesRectified = 0;
      const texts = replacements.filter((r) => ['NAME', 'EMAIL', 'PHONE'].includes(r.type) && r.existingValue.trim());
      if (contacts.size && texts.length) {
        for await (const c of scan(trx, { orgId, externalContactIds: [...contacts] })) {
          if (c.notes === null || !c.participants.some((p) => isSubjects(p, userIds, customers, contacts))) continue;
          const notes = texts.reduce((text, r) => {
            const pattern = termPattern([r.existingValue.trim()]);
            return pattern ? text.replace(pattern, r.updatedValue.trim()) : text;
          }, c.notes);
          if (notes === c.notes) continue;
          await save(trx, c, c.participants, notes);
          events.push(updateEvent(orgId, c, caller, causeEventId, 'GDPR rectification', [], { notes: 'rectified' }));
          notesRectified++;
        }
      }
      if (!renames.length || (!userIds.size && !customers.size)) {
        await recordAuditBatch(trx, clock, events);
        const outcome: Record<string, number> = { participants: 0 };
        if (notesRectified) outcome.notes = notesRectified;
        return outcome;
      }
      let renamed = 0;
      for await (const c of scan(trx, { orgId, participantNames: renames.map((r) => r.existingValue) })) {
        const changes: NonNullable<AuditEvent['changes']> = [];
        const participants = c.participants.map((p, i) => {
          const r = renames.find((x) => fold(x.existingValue) === fold(p.name));
          if (!r || !isSubjects(p, userIds, customers) || p.name === r.updatedValue) return p;
          changes.push({ property: `participants[${i}].name`, oldValues: [p.name], newValues: [r.updatedValue] });
          return { ...p, name: r.updatedValue };
        });
        if (!changes.length) continue;
        await save(trx, c, participants, c.notes);
        events.push(updateEvent(orgId, c, caller, causeEventId, 'GDPR rectification', changes));
        renamed += changes.length;
      }
      await recordAuditBatch(trx, clock, events);
      const outcome: Record<string, number> = { participants: renamed };
      if (notesRectified) outcome.notes = notesRectified;
      return outcome;
    },

    /**
     * Customers the request names become ANONYMIZED_CUSTOMER, the subject's agent legs
     * ANONYMIZED_USER (the user id stays: it is the directory's to erase), and the subject's
     * names, emails and phones in the notes become ERASED. The events say what was anonymized,
     * never the values it held.
     */
    async erase(trx, orgId, subject, caller, causeEventId) {
      const userIds = new Set(subject.userIds);
      const customers = new Set(customerNamesOf(subject).map(fold));
      const contacts = new Set(subject.externalContactIds ?? []);
      const terms = scrubTerms(subject);
      const events: AuditEvent[] = [];
      let participantsErased = 0;
      let notesErased = 0;
      let attachmentsErased = 0;
      for await (const c of scan(trx, {
        orgId,
        userIds: [...userIds],
        participantNames: customerNamesOf(subject),
        notesContaining: terms,
        externalContactIds: [...contacts],
      })) {
        // The seed: a delete removes the file attachments of the customer's interactions, whatever they hold.
        if (c.participants.some((p) => p.purpose === 'customer' && isSubjects(p, userIds, customers, contacts)))
          attachmentsErased += await attachmentsStore.removeOf(trx, orgId, [c.id]);
        const changes: NonNullable<AuditEvent['changes']> = [];
        const participants = c.participants.map((p, i) => {
          if (!isSubjects(p, userIds, customers, contacts)) return p;
          const anonymous = p.purpose === 'customer' ? ANONYMIZED_CUSTOMER : ANONYMIZED_USER;
          const sessions = withoutAddresses(p);
          if (p.name === anonymous && !sessions) return p;
          if (p.name !== anonymous)
            changes.push({ property: `participants[${i}].name`, oldValues: [], newValues: [anonymous] });
          if (sessions)
            changes.push({ property: `participants[${i}].sessions.addresses`, oldValues: [], newValues: [] });
          return { ...p, name: anonymous, ...(sessions ? { sessions } : {}) };
        });
        // In an interaction linked to the subject's external contact, a first or last name alone
        // ("Marisol asked…") is theirs too; elsewhere a first name alone may be anyone's.
        const own = c.participants.some((p) => p.externalContactId !== undefined && contacts.has(p.externalContactId));
        const notes = c.notes === null ? null : scrubText(c.notes, own ? [...terms, ...nameParts(subject)] : terms);
        const notesChanged = notes !== c.notes;
        if (!changes.length && !notesChanged) continue;
        await save(trx, c, participants, notes);
        events.push(
          updateEvent(
            orgId,
            c,
            caller,
            causeEventId,
            'GDPR erasure',
            changes,
            notesChanged ? { notes: 'personal data erased' } : {},
          ),
        );
        participantsErased += changes.filter((ch) => ch.property.endsWith('.name')).length;
        if (notesChanged) notesErased++;
      }
      await recordAuditBatch(trx, clock, events);
      const outcome: Record<string, number> = { participants: participantsErased, notes: notesErased };
      if (attachmentsErased) outcome.attachments = attachmentsErased;
      return outcome;
    },
  };
}
