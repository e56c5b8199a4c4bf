/**
 * The write side of the audit trail. Every mutation calls recordAudit inside the transaction
 * that makes the change, so there is no change without its event and no event without its
 * change. Secrets, password hashes and tokens never enter an event: properties with such names
 * are dropped by diffProperties, and recordAudit refuses an event that still carries one, by
 * property or context key, or a value that looks like a password hash or a private key.
 */
import { sql } from 'kysely';
import { type Executor, insertRows, insertThen } from '../storage/db.ts';
import type { Clock } from './clock.ts';
import { newTimeOrderedId } from './ids.ts';
import type { Caller } from './principal.ts';

export type AuditActor =
  | { type: 'user'; userId: string; clientId: string | null }
  | { type: 'client'; clientId: string }
  | { type: 'system' };

export interface PropertyChange {
  property: string;
  oldValues: string[];
  newValues: string[];
}

export interface AuditEvent {
  orgId: string;
  serviceName: string;
  entityType: string;
  entityId: string;
  entityName?: string | null;
  action: string;
  actor: AuditActor;
  remoteIp?: string | null;
  changes?: PropertyChange[];
  context?: Record<string, string>;
  /** The event whose change caused this one. */
  causeEventId?: string | null;
}

/** service → entity type → actions: the registry the service mapping is read from. */
const registry = new Map<string, Map<string, Set<string>>>();

export function registerAuditEntity(serviceName: string, entityType: string, actions: readonly string[]): void {
  const service = registry.get(serviceName) ?? new Map<string, Set<string>>();
  registry.set(serviceName, service);
  const set = service.get(entityType) ?? new Set<string>();
  for (const a of actions) set.add(a);
  service.set(entityType, set);
}

export function auditServiceMapping(): { name: string; entities: { name: string; actions: string[] }[] }[] {
  return [...registry.entries()].map(([name, entities]) => ({
    name,
    entities: [...entities.entries()].map(([e, actions]) => ({ name: e, actions: [...actions].sort() })),
  }));
}

/** The words of a name: camelCase, snake_case, kebab-case and dotted paths alike ("clientSecret" → client, secret). */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Names that hold a secret wherever the words stand: secret, password, credential, private/API/signing keys, salt. */
const SECRET_TEXT = /secret|passw(or)?d|passphrase|credential|privatekey|apikey|signingkey|sealkey|encryptionkey|salt$/;
/** Words that name a token or a digest of one. */
const TOKEN_WORDS = new Set(['token', 'tokens', 'hash', 'hashes', 'hashed', 'jwt', 'assertion']);
/** Words that, after a token word, describe it rather than hold it (accessTokenValiditySeconds, hashAlgorithm). */
const ABOUT_WORDS = new Set([
  'validity',
  'ttl',
  'seconds',
  'lifetime',
  'expiry',
  'expires',
  'expiration',
  'count',
  'type',
  'types',
  'algorithm',
  'endpoint',
  'url',
  'uri',
  'format',
  'id',
]);

const secretNames = new Map<string, boolean>();

/**
 * Whether a property or context key names a secret: *secret*, *password*, *credential*,
 * *privateKey*, *apiKey*, a …Token or …Hash (and a token/hash word followed by anything but a
 * description such as ValiditySeconds or Algorithm).
 */
export function isSecretName(name: string): boolean {
  // Names come from code (snapshot keys, context keys): a few dozen, asked once per event each.
  let secret = secretNames.get(name);
  if (secret === undefined) {
    const w = words(name);
    secret =
      SECRET_TEXT.test(w.join('')) ||
      w.some((word, i) => TOKEN_WORDS.has(word) && (i === w.length - 1 || !ABOUT_WORDS.has(w[i + 1])));
    if (secretNames.size >= 1000) secretNames.clear();
    secretNames.set(name, secret);
  }
  return secret;
}

/** Values that are secrets whatever their name: password hashes (argon2, bcrypt, scrypt, PBKDF2) and private keys. */
const SECRET_VALUE = /^\$(argon2(id|i|d)|2[abxy]|scrypt|pbkdf2)[$-]|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

export function isSecretValue(value: string): boolean {
  return SECRET_VALUE.test(value);
}

export function actorOf(caller: Caller | null): AuditActor {
  if (!caller) return { type: 'system' };
  const p = caller.principal;
  return p.userId ? { type: 'user', userId: p.userId, clientId: p.clientId } : { type: 'client', clientId: p.clientId };
}

/** Who and where, for services that record events on behalf of a caller (null = system). */
export function auditOrigin(caller: Caller | null) {
  return { actor: actorOf(caller), remoteIp: caller?.remoteIp ?? null };
}

type Plain = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

function values(v: Plain): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map(String).sort();
  return [String(v)];
}

/** Property changes between two flat snapshots; unchanged and secret-named properties are left out. */
export function diffProperties(
  before: Record<string, Plain> | null,
  after: Record<string, Plain> | null,
): PropertyChange[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const changes: PropertyChange[] = [];
  for (const property of [...keys].sort()) {
    if (isSecretName(property)) continue;
    const oldValues = values(before?.[property]);
    const newValues = values(after?.[property]);
    if (oldValues.join('\u0000') !== newValues.join('\u0000')) changes.push({ property, oldValues, newValues });
  }
  return changes;
}

/** The event's changes and context, refused when a name or a value is a secret (the last line of defence). */
function checkedContent(event: AuditEvent): { changes: PropertyChange[]; context: Record<string, string> } {
  const changes = event.changes ?? [];
  const context = event.context ?? {};
  if (changes.some((c) => isSecretName(c.property)) || Object.keys(context).some(isSecretName)) {
    throw new Error('audit events may not carry secret properties');
  }
  const texts = [
    event.entityName ?? '',
    ...Object.values(context),
    ...changes.flatMap((c) => [...c.oldValues, ...c.newValues]),
  ];
  if (texts.some(isSecretValue)) throw new Error('audit events may not carry secret values');
  return { changes, context };
}

/** The audit_events row of one event, after the registry and content checks. */
function toRow(event: AuditEvent, now: Date) {
  if (!registry.get(event.serviceName)?.get(event.entityType)?.has(event.action)) {
    throw new Error(`audit event ${event.serviceName}/${event.entityType}/${event.action} is not registered`);
  }
  const { changes, context } = checkedContent(event);
  return {
    id: newTimeOrderedId(now.getTime()),
    org_id: event.orgId,
    service_name: event.serviceName,
    entity_type: event.entityType,
    entity_id: event.entityId,
    entity_name: event.entityName ?? null,
    action: event.action,
    actor_type: event.actor.type,
    actor_user_id: event.actor.type === 'user' ? event.actor.userId : null,
    actor_client_id: event.actor.type === 'system' ? null : event.actor.clientId,
    remote_ip: event.remoteIp ?? null,
    changes: JSON.stringify(changes),
    context: JSON.stringify(context),
    cause_event_id: event.causeEventId ?? null,
    occurred_at: now.toISOString(),
  };
}

export async function recordAudit(trx: Executor, clock: Clock, event: AuditEvent): Promise<string> {
  const row = toRow(event, clock.now());
  // The outbox of every active stream of the organization gets the event in this same
  // transaction, so a stream can neither miss a committed event nor see a rolled-back one.
  // Both in one statement on PostgreSQL (one round trip).
  await insertThen(trx, { table: 'audit_events', rows: [row] }, (qc) =>
    qc
      .insertInto('audit_deliveries')
      .columns(['stream_id', 'event_id', 'attempts', 'next_attempt_at', 'lease_until'])
      .expression((eb) =>
        eb
          .selectFrom('audit_streams')
          .select((s) => [
            'id',
            s.val(row.id).as('event_id'),
            sql<number>`0`.as('attempts'),
            s.val(row.occurred_at).as('next_attempt_at'),
            sql<string>`''`.as('lease_until'),
          ])
          .where('org_id', '=', event.orgId)
          .where('state', '=', 'active'),
      ),
  );
  return row.id;
}

/**
 * Many events of one change in a few statements (the events, then their outbox rows) instead of
 * two per event: for changes touching hundreds of entities at once, such as a SCIM group PATCH
 * recording the membership change on every member's trail. The same checks as recordAudit.
 */
export async function recordAuditBatch(trx: Executor, clock: Clock, events: AuditEvent[]): Promise<string[]> {
  if (!events.length) return [];
  const now = clock.now();
  const occurredAt = now.toISOString();
  const rows = events.map((event) => toRow(event, now));
  // One statement on PostgreSQL (a column an array), 200 rows a statement on SQLite.
  await insertRows(trx, 'audit_events', rows);
  const orgs = [...new Set(rows.map((r) => r.org_id))];
  const streams = await trx
    .selectFrom('audit_streams')
    .select(['id', 'org_id'])
    .where('org_id', 'in', orgs)
    .where('state', '=', 'active')
    .execute();
  const deliveries = streams.flatMap((s) =>
    rows
      .filter((r) => r.org_id === s.org_id)
      .map((r) => ({ stream_id: s.id, event_id: r.id, attempts: 0, next_attempt_at: occurredAt, lease_until: '' })),
  );
  await insertRows(trx, 'audit_deliveries', deliveries);
  return rows.map((r) => r.id);
}
