import { type Listing, request } from './client.ts';

/** An audit stream (Gatehouse's EventBridge counterpart; beyond upstream). */
export interface AuditStream {
  id: string;
  name: string;
  type: 'webhook' | 'nats';
  url?: string;
  subject?: string;
  state: 'active' | 'disabled';
  pendingEvents: number;
  deliveredEvents: number;
  lastDeliveredDate?: string;
  lastError?: string;
  lastErrorDate?: string;
  dateCreated: string;
  secret?: string;
}

export interface NewStream {
  name: string;
  type: 'webhook' | 'nats';
  url?: string;
  subject?: string;
}

export const streamsApi = {
  list: (pageNumber: number) =>
    request<Listing<AuditStream>>(`/api/v2/audits/streams?pageSize=25&pageNumber=${pageNumber}`),
  create: (s: NewStream) => request<AuditStream>('/api/v2/audits/streams', { method: 'POST', body: s }),
  setState: (id: string, state: AuditStream['state']) =>
    request<AuditStream>(`/api/v2/audits/streams/${id}`, { method: 'PATCH', body: { state } }),
  regenerateSecret: (id: string) => request<AuditStream>(`/api/v2/audits/streams/${id}/secret`, { method: 'POST' }),
  remove: (id: string) => request<void>(`/api/v2/audits/streams/${id}`, { method: 'DELETE' }),
};
