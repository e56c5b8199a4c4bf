import { request } from './client.ts';

export interface AuditMessage {
  id: string;
  user?: { id: string; name?: string };
  client?: { id: string };
  remoteIp: string[];
  serviceName: string;
  level: string;
  eventDate: string;
  action: string;
  entity: { id: string; name?: string };
  entityType: string;
  initiatingAction?: { transactionId?: string };
  propertyChanges: { property: string; oldValues: string[]; newValues: string[] }[];
  context: Record<string, string>;
}

export interface ServiceMapping {
  services: { name: string; entities: { name: string; actions: string[] }[] }[];
}

export interface RealtimeQuery {
  interval: string;
  serviceName?: string;
  filters?: { property: string; value: string }[];
  pageNumber: number;
  pageSize: number;
}

export const auditApi = {
  mapping: () => request<ServiceMapping>('/api/v2/audits/query/servicemapping'),
  realtime: (q: RealtimeQuery) =>
    request<{ entities: AuditMessage[]; total: number; pageCount: number; pageNumber: number }>(
      '/api/v2/audits/query/realtime?expand=user',
      { method: 'POST', body: q },
    ),
  related: (auditId: string) =>
    request<{ entities: AuditMessage[] }>('/api/v2/audits/query/realtime/related', {
      method: 'POST',
      body: { auditId, sort: [{ name: 'Timestamp', sortOrder: 'ascending' }] },
    }),
};
