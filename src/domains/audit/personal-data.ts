/**
 * The audit trail's personal data, for data-subject requests (GDPR). The trail is history, not a
 * directory of people: it finds no subjects and is never rectified, but it exports the events
 * about or by the subject's users and those that name the subject, and, on erasure, scrubs the
 * subject's names, emails and phones out of every event's entity name, property changes and context.
 *
 * An export discloses no one else's data (Art. 15(4)): an event about another person shows
 * OTHER_PERSON for their name and personal values, a conversation's event for every participant
 * who is not the subject, and an event names its actor only when the actor is the subject.
 *
 * Erasure and streams: a pending delivery (audit_deliveries) references its event by id, so an
 * event not yet delivered goes out already scrubbed; an event a stream has already delivered
 * cannot be recalled from the receiving system, which must erase its own copy.
 */
import {
  ERASED,
  MIN_TERM_LENGTH,
  type PersonalDataSource,
  scrubTerms,
  termPattern,
} from '../../platform/personal-data.ts';
import type { Executor } from '../../storage/db.ts';
import type { AuditEventRow } from '../../storage/schema.ts';
import { type AuditStore, createAuditStore, MAX_MENTION_TEXTS } from './store.ts';
import { auditMessage } from './views.ts';

/** What an export shows for another person's value. */
export const OTHER_PERSON = '[other person]';

/** Export entries are capped; `truncated` says when there were more. */
const MAX_EXPORTED = 10_000;
/** Rows read per page while scrubbing. */
const PAGE = 500;

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
  'name',
  'displayName',
  'nickName',
  'email',
  'emails',
  'userName',
  'phoneNumbers',
  'addresses',
  'externalId',
  'externalIds',
  'title',
  'department',
  'employeeNumber',
  'dateHire',
  'name.givenName',
  'name.familyName',
  'name.formatted',
  'name.middleName',
  'name.honorificPrefix',
  'name.honorificSuffix',
]);

/** The properties the conversations domain names after a participant. */
const PARTICIPANT_PROPERTY = /^participants\[\d+\] /;
/** Such a property's parts: "participants[0] customer " (and the purpose), the name, ".state". */
const PARTICIPANT_PARTS = /^(participants\[\d+\] (\S+) )(.*)(\.[^.]*)$/s;
/** A participant's name as rectification and erasure record it: its values are the name. */
const PARTICIPANT_NAME = /^participants\[\d+\]\.name$/;
/** Participants that are no person (a queue, a flow): their names are no one's personal data. */
const NOT_A_PERSON = new Set(['acd', 'ivr']);

/** The entity types whose entity is a person, a directory user: its name is theirs. */
const PERSON_ENTITIES = new Set(['User', 'UserRoles']);
/** The properties that hold a person's full name. */
const FULL_NAMES = new Set(['name', 'displayName', 'name.formatted']);

/** Whether a text holds any of the terms as a whole word, ignoring case. */
function holder(terms: string[]) {
  const pattern = termPattern(terms);
  return (v: string) => {
    if (!pattern) return false;
    pattern.lastIndex = 0;
    return pattern.test(v);
  };
}

/** Identify a person; a title, a department or a hire date (also erased above) would scrub everyone who shares it. */
const SHARED = new Set(['title', 'department', 'dateHire']);
const IDENTIFYING = new Set([...PERSONAL_PROPERTIES].filter((p) => !SHARED.has(p)));

/**
 * The identifying values the trail recorded about these users before this request (`before`, its
 * cause event: ids are time-ordered; null for all of them): entity names and identifying
 * properties' values.
 */
function recordedValues(rows: AuditEventRow[], before: string | null): string[] {
  const out: string[] = [];
  for (const row of rows) {
    if (before !== null && row.id >= before) continue;
    if (row.entity_name) out.push(row.entity_name);
    for (const c of JSON.parse(row.changes) as Change[]) {
      if (!IDENTIFYING.has(c.property)) continue;
      // SCIM records a phone as "type:+number:primary"; the number is the datum.
      for (const v of [...c.oldValues, ...c.newValues])
        out.push(c.property === 'phoneNumbers' ? (v.split(':').find((p) => p.startsWith('+')) ?? v) : v);
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
  const holds = holder(terms);
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
  const context = Object.fromEntries(
    Object.entries(JSON.parse(row.context) as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === 'string' ? value(v) : v,
    ]),
  );
  return changed
    ? { entity_name: entityName, changes: JSON.stringify(changes), context: JSON.stringify(context) }
    : null;
}

/** The full names the trail recorded for these users (a name they had before a rectification included). */
function recordedNames(rows: AuditEventRow[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    if (row.entity_name && PERSON_ENTITIES.has(row.entity_type)) out.push(row.entity_name);
    for (const c of JSON.parse(row.changes) as Change[])
      if (FULL_NAMES.has(c.property)) out.push(...c.oldValues, ...c.newValues);
  }
  return out.filter((v) => v !== ERASED);
}

/**
 * Whether a participant's name is the subject's: one of their names (ignoring case), or holding
 * one as a whole word, as the erasure scrubs it ("Jane Doe (VIP)" is hers; terms under
 * MIN_TERM_LENGTH count only whole).
 */
function ownName(names: string[]) {
  const clean = names.map((n) => n.trim()).filter(Boolean);
  const exact = new Set(clean.map((n) => n.toLowerCase()));
  const holds = holder(clean.filter((n) => n.length >= MIN_TERM_LENGTH));
  return (v: string) => exact.has(v.trim().toLowerCase()) || holds(v);
}

/**
 * An event as the subject's export shows it, without anyone else's data (Art. 15(4)). An event
 * about one of the subject's users is theirs, whole. An event about another person (a user's
 * event: one the subject made, or one that names them) shows OTHER_PERSON for its entity name
 * and its personal properties' values. A participant named in a conversation's event who is not
 * the subject, nor a queue or flow, shows as OTHER_PERSON, in property names
 * ("participants[0] customer [other person].state") and in name values alike.
 */
function exportedRow(row: AuditEventRow, about: Set<string>, own: (name: string) => boolean): AuditEventRow {
  if (about.has(row.entity_id)) return row;
  const person = PERSON_ENTITIES.has(row.entity_type);
  const other = () => OTHER_PERSON;
  const unlessOwn = (v: string) => (own(v) ? v : OTHER_PERSON);
  const changes = (JSON.parse(row.changes) as Change[]).map((c) => {
    const values =
      person && PERSONAL_PROPERTIES.has(c.property) ? other : PARTICIPANT_NAME.test(c.property) ? unlessOwn : null;
    const renamed = { ...c, property: participantProperty(c.property, own) };
    return values ? { ...renamed, oldValues: c.oldValues.map(values), newValues: c.newValues.map(values) } : renamed;
  });
  return {
    ...row,
    entity_name: person && row.entity_name !== null ? OTHER_PERSON : row.entity_name,
    changes: JSON.stringify(changes),
  };
}

/** A property named after a participant ("participants[0] customer Jane Doe.state"), the name kept only when it is the subject's or no person's. */
function participantProperty(property: string, own: (name: string) => boolean): string {
  if (!PARTICIPANT_PROPERTY.test(property)) return property;
  const parts = PARTICIPANT_PARTS.exec(property);
  if (!parts) return own(property) ? property : OTHER_PERSON;
  const [, head, purpose, name, tail] = parts;
  return NOT_A_PERSON.has(purpose) || own(name) ? property : `${head}${OTHER_PERSON}${tail}`;
}

/** Whether an event's texts (as scrubbing reads them: entity name, values, participant properties, context) hold a term. */
function mentions(row: AuditEventRow, holds: (v: string) => boolean): boolean {
  if (row.entity_name !== null && holds(row.entity_name)) return true;
  for (const c of JSON.parse(row.changes) as Change[]) {
    if (PARTICIPANT_PROPERTY.test(c.property) && holds(c.property)) return true;
    if (c.oldValues.some(holds) || c.newValues.some(holds)) return true;
  }
  return Object.values(JSON.parse(row.context) as Record<string, unknown>).some(
    (v) => typeof v === 'string' && holds(v),
  );
}

/**
 * The events holding any of the terms, or about or by these users, once each, page by page (by
 * id). One query per chunk of terms, the users with the first: one query over every term would
 * exceed SQLite's expression depth.
 */
async function* scan(
  store: AuditStore,
  db: Executor,
  orgId: string,
  terms: string[],
  userIds: string[],
): AsyncGenerator<AuditEventRow> {
  const seen = new Set<string>();
  for (const [i, texts] of (terms.length ? chunked(terms, MAX_MENTION_TEXTS) : [[]]).entries()) {
    let after: string | null = null;
    for (;;) {
      const rows = await store.mentioning(db, { orgId, texts, userIds: i === 0 ? userIds : [] }, after, PAGE);
      for (const row of rows) {
        if (seen.has(row.id)) continue;
        seen.add(row.id);
        yield row;
      }
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1].id;
    }
  }
}

/** Newest first, as the trail is read. */
const newestFirst = (rows: AuditEventRow[]) =>
  rows.sort((a, b) =>
    a.occurred_at !== b.occurred_at ? (a.occurred_at < b.occurred_at ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0,
  );

export function createAuditPersonalData(): PersonalDataSource {
  const store = createAuditStore();

  return {
    name: 'audit',

    /** The trail is not a directory of people: subjects are found in the sources that hold them. */
    async findSubjects() {
      return [];
    },

    /**
     * The events about the subject's users or by them, and those that name the subject (the events
     * the erasure would scrub for the subject's terms), once each, newest first, as upstream's
     * AuditLogMessage, without anyone else's data (`exportedRow`). An event only naming the
     * subject is left out when nothing of the subject's is left in it once the others' data is
     * hidden (a user who shares a customer's name is someone else).
     */
    async export(db: Executor, orgId, subject) {
      const about = new Set(subject.userIds);
      const aboutRows = subject.userIds.length ? await store.about(db, orgId, subject.userIds) : [];
      const terms = scrubTerms(subject, recordedValues(aboutRows, null));
      const own = ownName([...subject.names, ...recordedNames(aboutRows)]);
      const holds = holder(terms);
      const aboutOrBy = (r: AuditEventRow) =>
        about.has(r.entity_id) || (r.actor_user_id !== null && about.has(r.actor_user_id));
      // Only the newest MAX_EXPORTED are kept, trimmed as the scan goes.
      let naming: AuditEventRow[] = [];
      let namingTotal = 0;
      for await (const row of scan(store, db, orgId, terms, [])) {
        if (aboutOrBy(row)) continue;
        const shown = exportedRow(row, about, own);
        if (!mentions(shown, holds)) continue;
        namingTotal++;
        naming.push(shown);
        if (naming.length >= 2 * MAX_EXPORTED) naming = newestFirst(naming).slice(0, MAX_EXPORTED);
      }
      const total = (subject.userIds.length ? await store.countAboutOrBy(db, orgId, subject.userIds) : 0) + namingTotal;
      if (!total) return null;
      const theirs = subject.userIds.length
        ? (await store.aboutOrBy(db, orgId, subject.userIds, MAX_EXPORTED)).map((r) => exportedRow(r, about, own))
        : [];
      const rows = newestFirst([...theirs, ...naming]).slice(0, MAX_EXPORTED);
      // The actor is named when it is the subject; anyone else who acted stays an id.
      const names = await store.userNames(db, orgId, [
        ...new Set(rows.flatMap((r) => (r.actor_user_id && about.has(r.actor_user_id) ? [r.actor_user_id] : []))),
      ]);
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
      const terms = scrubTerms(
        subject,
        subject.userIds.length ? recordedValues(await store.about(trx, orgId, subject.userIds), causeEventId) : [],
      );
      const scrub = scrubber(terms);
      // Each event found is scrubbed of every term at once.
      let rewritten = 0;
      for await (const row of scan(store, trx, orgId, terms, subject.userIds)) {
        const content = scrubbed(row, scrub, about.has(row.entity_id));
        if (!content) continue;
        await store.rewriteContent(trx, orgId, row.id, content);
        rewritten++;
      }
      return { events: rewritten };
    },
  };
}
