/** An audit_events row as upstream's AuditLogMessage. */
import type { AuditEventRow } from '../../storage/schema.ts';

export function auditMessage(e: AuditEventRow, userName?: string) {
  const changes = JSON.parse(e.changes) as { property: string; oldValues: string[]; newValues: string[] }[];
  return {
    id: e.id,
    userHomeOrgId: e.org_id,
    ...(e.actor_user_id
      ? {
          user: {
            id: e.actor_user_id,
            ...(userName ? { name: userName } : {}),
            selfUri: `/api/v2/users/${e.actor_user_id}`,
          },
        }
      : {}),
    ...(e.actor_client_id
      ? { client: { id: e.actor_client_id, selfUri: `/api/v2/oauth/clients/${e.actor_client_id}` } }
      : {}),
    remoteIp: e.remote_ip ? [e.remote_ip] : [],
    serviceName: e.service_name,
    level: e.actor_type === 'system' ? 'SYSTEM' : 'USER',
    eventDate: e.occurred_at,
    action: e.action,
    entity: { id: e.entity_id, ...(e.entity_name ? { name: e.entity_name } : {}) },
    entityType: e.entity_type,
    status: 'SUCCESS',
    ...(e.cause_event_id ? { initiatingAction: { transactionId: e.cause_event_id } } : {}),
    transactionInitiator: e.cause_event_id === null,
    propertyChanges: changes,
    context: JSON.parse(e.context) as Record<string, string>,
  };
}

export type AuditMessage = ReturnType<typeof auditMessage>;
