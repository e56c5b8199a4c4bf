import type { Static } from '@sinclair/typebox';
import type {
  AuditLogMessage,
  RealtimeQueryBody,
  RealtimeResults,
  RelatedResults,
  ServiceMapping as ServiceMappingSchema,
} from '../../../src/domains/audit/schemas.ts';
import { request } from './client.ts';

export type AuditMessage = Static<typeof AuditLogMessage>;
export type ServiceMapping = Static<typeof ServiceMappingSchema>;
export type RealtimeQuery = Static<typeof RealtimeQueryBody>;

export const auditApi = {
  mapping: () => request<ServiceMapping>('/api/v2/audits/query/servicemapping'),
  realtime: (q: RealtimeQuery) =>
    request<Static<typeof RealtimeResults>>('/api/v2/audits/query/realtime?expand=user', { method: 'POST', body: q }),
  related: (auditId: string) =>
    request<Static<typeof RelatedResults>>('/api/v2/audits/query/realtime/related', {
      method: 'POST',
      body: { auditId, sort: [{ name: 'Timestamp', sortOrder: 'ascending' }] },
    }),
};
