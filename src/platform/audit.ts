/**
 * The write side of the audit trail. Every mutation calls recordAudit inside the transaction
 * that makes the change, so there is no change without its event and no event without its
 * change. Secrets, password hashes and tokens never enter an event: properties with such names
 * are dropped by diffProperties, and recordAudit refuses an event that still carries one.
 */
import { sql } from 'kysely';
import type { Executor } from '../storage/db.ts';
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

/** Secret-bearing property names: *secret*, *password*, *credential*, …Token, …Hash. */
const SECRET_PROPERTY = /secret|password|credential|token$|hash$/i;

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
export function diffProperties(before: Record<string, Plain> | null, after: Record<string, Plain> | null): PropertyChange[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const changes: PropertyChange[] = [];
  for (const property of [...keys].sort()) {
    if (SECRET_PROPERTY.test(property)) continue;
    const oldValues = values(before?.[property]);
    const newValues = values(after?.[property]);
    if (oldValues.join('\u0000') !== newValues.join('\u0000')) changes.push({ property, oldValues, newValues });
  }
  return changes;
}

export async function recordAudit(trx: Executor, clock: Clock, event: AuditEvent): Promise<string> {
  const actions = registry.get(event.serviceName)?.get(event.entityType);
  if (!actions?.has(event.action)) {
    throw new Error(`audit event ${event.serviceName}/${event.entityType}/${event.action} is not registered`);
  }
  const changes = event.changes ?? [];
  if (changes.some((c) => SECRET_PROPERTY.test(c.property))) throw new Error('audit events may not carry secret properties');
  const now = clock.now();
  const id = newTimeOrderedId(now.getTime());
  const occurredAt = now.toISOString();
  await trx
    .insertInto('audit_events')
    .values({
      id,
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
      context: JSON.stringify(event.context ?? {}),
      cause_event_id: event.causeEventId ?? null,
      occurred_at: occurredAt,
    })
    .execute();
  // The outbox of every active stream of the organization gets the event in this same
  // transaction, so a stream can neither miss a committed event nor see a rolled-back one.
  await trx
    .insertInto('audit_deliveries')
    .columns(['stream_id', 'event_id', 'attempts', 'next_attempt_at', 'lease_until'])
    .expression((eb) =>
      eb
        .selectFrom('audit_streams')
        .select((s) => ['id', s.val(id).as('event_id'), sql<number>`0`.as('attempts'), s.val(occurredAt).as('next_attempt_at'), sql<string>`''`.as('lease_until')])
        .where('org_id', '=', event.orgId)
        .where('state', '=', 'active'),
    )
    .execute();
  return id;
}
