/** The audit domain's public surface: the read side (the write side is platform/audit.ts). */
import { createAuditStore } from './store.ts';
import type { Executor } from '../../storage/db.ts';
import { type AuditMessage, auditMessage } from './views.ts';

export { registerAuditRoutes } from './routes.ts';
export { type AuditService, createAuditService } from './service.ts';
export type { AuditMessage } from './views.ts';
export { createAuditPersonalData } from './personal-data.ts';
export { type AuditStreaming, createAuditStreaming, registerStreamRoutes, signWebhook } from './streams/index.ts';

/**
 * The audit events of one entity (newest first, paged), as AuditLogMessage with the acting
 * user's name: the read side of an entity's own audit trail (e.g. an interaction's).
 */
export async function entityAuditTrail(
  db: Executor,
  q: { orgId: string; serviceName: string; entityId: string; offset: number; limit: number },
): Promise<{ entities: AuditMessage[]; total: number }> {
  const store = createAuditStore();
  // Every retained event: the window is the whole of time, the org and entity do the filtering.
  const filter = {
    orgId: q.orgId,
    from: '',
    to: '9999-12-31T23:59:59.999Z',
    serviceName: q.serviceName,
    entityId: q.entityId,
  };
  const [rows, total] = await Promise.all([store.query(db, filter, true, q.offset, q.limit), store.count(db, filter)]);
  const names = await store.userNames(db, q.orgId, [
    ...new Set(rows.flatMap((r) => (r.actor_user_id ? [r.actor_user_id] : []))),
  ]);
  return {
    entities: rows.map((r) => auditMessage(r, r.actor_user_id ? names.get(r.actor_user_id) : undefined)),
    total,
  };
}
