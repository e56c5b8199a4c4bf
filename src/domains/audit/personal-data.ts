/**
 * The audit trail's personal data, for data-subject requests (GDPR). The trail is history, not a
 * directory of people: it finds no subjects and is never rectified, but it exports the events
 * about or by the subject's users and, on erasure, scrubs the subject's names, emails and phones
 * out of every event's entity name, property changes and context.
 *
 * Erasure and streams: a pending delivery (audit_deliveries) references its event by id, so an
 * event not yet delivered goes out already scrubbed; an event a stream has already delivered
 * cannot be recalled from the receiving system, which must erase its own copy.
 */
import { type PersonalDataSource, type ResolvedSubject, termPattern } from '../../platform/personal-data.ts';
import type { Executor } from '../../storage/db.ts';
import type { AuditEventRow } from '../../storage/schema.ts';
import { createAuditStore, MAX_MENTION_TEXTS } from './store.ts';
import { auditMessage } from './views.ts';

export const ERASED = '[erased]';

/** Export entries are capped; `truncated` says when there were more. */
const MAX_EXPORTED = 10_000;
/** Rows read per page while scrubbing. */
const PAGE = 500;
/** Shorter terms are ignored: scrubbing "Al" or "1" would erase most of the trail. */
const MIN_TERM_LENGTH = 3;

interface Change {
  property: string;
  oldValues: string[];
  newValues: string[];
}


/** The items in consecutive chunks of at most `size`. */
function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The properties of an event about a person that hold their personal data, whatever the value:
 * the directory's and SCIM's names for them (SCIM's are those its audit snapshot and its
 * rectification record: src/domains/scim/resource.ts `auditSnapshot`). Their values in events
 * about the subject's users are erased whole, and the identifying ones also become terms, so that
 * a name or number the person had before a rectification is scrubbed wherever else it was
 * recorded. Not personal, and kept: `active`, `state`, `division`, `manager` (a user's id),
 * `routingSkills`, `routingLanguages`, `roles`, `groups` and `members` (ids).
 */
const PERSONAL_PROPERTIES = new Set([
  'name', 'displayName', 'nickName', 'email', 'emails', 'userName', 'phoneNumbers', 'addresses', 'externalId', 'externalIds', 'title', 'department',
  'employeeNumber', 'dateHire', 'name.givenName', 'name.familyName', 'name.formatted', 'name.middleName', 'name.honorificPrefix', 'name.honorificSuffix',
]);

/** The subject's names, emails and phones worth scrubbing, distinct case-insensitively, longest first. */
function scrubTerms(subject: ResolvedSubject, recorded: string[]): string[] {
  const terms = [...subject.names, ...subject.emails, ...subject.phones, ...recorded].map((t) => t.trim()).filter((t) => t.length >= MIN_TERM_LENGTH);
  return [...new Map(terms.map((t) => [t.toLowerCase(), t])).values()].sort((a, b) => b.length - a.length);
}

/** The properties the conversations domain names after a participant. */
const PARTICIPANT_PROPERTY = /^participants\[\d+\] /;

/** Identify a person; a title, a department or a hire date (also erased above) would scrub everyone who shares it. */
const SHARED = new Set(['title', 'department', 'dateHire']);
const IDENTIFYING = new Set([...PERSONAL_PROPERTIES].filter((p) => !SHARED.has(p)));

/**
 * The identifying values the trail recorded about these users before this request (`before`, its
 * cause event: ids are time-ordered): entity names and identifying properties' values.
 */
function recordedValues(rows: AuditEventRow[], before: string): string[] {
  const out: string[] = [];
  for (const row of rows) {
    if (row.id >= before) continue;
    if (row.entity_name) out.push(row.entity_name);
    for (const c of JSON.parse(row.changes) as Change[]) {
      if (!IDENTIFYING.has(c.property)) continue;
      // SCIM records a phone as "type:+number:primary"; the number is the datum.
      for (const v of [...c.oldValues, ...c.newValues]) out.push(c.property === 'phoneNumbers' ? (v.split(':').find((p) => p.startsWith('+')) ?? v) : v);
    }
  }
  return out.filter((v) => v !== ERASED);
}

/**
 * What scrubbing does to one event's texts. A value that equals or contains a term (as a whole
 * word: "Lee" is not in "Kathleen") becomes ERASED as a whole (a value is one datum: "Jane Doe (VIP)" is hers entirely). A property name
 * keeps its shape, only the term in it erased: the conversations domain names participants'
 * properties after them ("participants[0] customer Jane Doe.state").
 */
function scrubber(terms: string[]) {
  const pattern = termPattern(terms);
  const holds = (v: string) => {
    if (!pattern) return false;
    pattern.lastIndex = 0;
    return pattern.test(v);
  };
  const value = (v: string) => (holds(v) ? ERASED : v);
  const name = (v: string) => {
    if (!pattern) return v;
    const out = v.replace(pattern, ERASED);
    return holds(out) ? ERASED : out;
  };
  return { value, name };
}

/**
 * The event's scrubbed content, or null when it holds none of the terms. An event about one of
 * the subject's users (`aboutSubject`) loses its entity name and every personal property's value.
 */
function scrubbed(row: AuditEventRow, scrub: ReturnType<typeof scrubber>, aboutSubject: boolean) {
  let changed = false;
  const track = <T>(before: T, after: T) => {
    if (after !== before) changed = true;
    return after;
  };
  const value = (v: string) => track(v, scrub.value(v));
  const erased = (v: string) => track(v, ERASED);
  const entityName = row.entity_name === null ? null : aboutSubject ? erased(row.entity_name) : value(row.entity_name);
  const changes = (JSON.parse(row.changes) as Change[]).map((c) => {
    const each = aboutSubject && PERSONAL_PROPERTIES.has(c.property) ? erased : value;
    // Only a participant's property is named after the person ("participants[0] customer Jane Doe.state");
    // any other property name is a schema word ("userName", "dateHire") that a surname may contain.
    const property = PARTICIPANT_PROPERTY.test(c.property) ? track(c.property, scrub.name(c.property)) : c.property;
    return { ...c, property, oldValues: c.oldValues.map(each), newValues: c.newValues.map(each) };
  });
  const context = Object.fromEntries(Object.entries(JSON.parse(row.context) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? value(v) : v]));
  return changed ? { entity_name: entityName, changes: JSON.stringify(changes), context: JSON.stringify(context) } : null;
}

export function createAuditPersonalData(): PersonalDataSource {
  const store = createAuditStore();

  return {
    name: 'audit',

    /** The trail is not a directory of people: subjects are found in the sources that hold them. */
    async findSubjects() {
      return [];
    },

    /** The events about the subject's users or by them, newest first, as upstream's AuditLogMessage. */
    async export(db: Executor, orgId, subject) {
      if (!subject.userIds.length) return null;
      const total = await store.countAboutOrBy(db, orgId, subject.userIds);
      if (!total) return null;
      const rows = await store.aboutOrBy(db, orgId, subject.userIds, MAX_EXPORTED);
      const names = await store.userNames(db, orgId, [...new Set(rows.flatMap((r) => (r.actor_user_id ? [r.actor_user_id] : [])))]);
      const events = rows.map((r) => auditMessage(r, r.actor_user_id ? names.get(r.actor_user_id) : undefined));
      return { total, events, truncated: total > events.length };
    },

    /**
     * Nothing: the trail is history. A rectification is recorded as new events by the sources
     * whose data it changes; the past events keep what was true when they were written.
     */
    async rectify() {
      return {};
    },

    /**
     * Scrubs the subject's terms out of the events that hold them and the events about or by the
     * subject's users. Run last, so the other sources' own events of this request are scrubbed
     * too. Records no event of its own: the request's event carries the counts.
     */
    async erase(trx, orgId, subject, _caller, causeEventId) {
      const about = new Set(subject.userIds);
      const terms = scrubTerms(subject, subject.userIds.length ? recordedValues(await store.about(trx, orgId, subject.userIds), causeEventId) : []);
      const scrub = scrubber(terms);
      // One scan per chunk of terms, the users' events with the first (one query over every term
      // would exceed SQLite's expression depth). Each event found is scrubbed of every term at
      // once, so an event another chunk finds again is passed over, and counted once.
      const rewritten = new Set<string>();
      const chunks = terms.length ? chunked(terms, MAX_MENTION_TEXTS) : [[]];
      for (const [i, texts] of chunks.entries()) {
        const userIds = i === 0 ? subject.userIds : [];
        let after: string | null = null;
        for (;;) {
          const rows = await store.mentioning(trx, { orgId, texts, userIds }, after, PAGE);
          for (const row of rows) {
            if (rewritten.has(row.id)) continue;
            const content = scrubbed(row, scrub, about.has(row.entity_id));
            if (!content) continue;
            await store.rewriteContent(trx, orgId, row.id, content);
            rewritten.add(row.id);
          }
          if (rows.length < PAGE) break;
          after = rows[rows.length - 1].id;
        }
      }
      return { events: rewritten.size };
    },
  };
}
