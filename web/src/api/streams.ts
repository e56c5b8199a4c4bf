import type { Static } from '@sinclair/typebox';
import type { AuditStream as AuditStreamSchema } from '../../../src/domains/audit/streams/schemas.ts';
import { type Listing, request } from './client.ts';

/** An audit stream (Gatehouse's EventBridge counterpart; beyond upstream), with its type and state as the server sets them. */
export type AuditStream = Omit<Static<typeof AuditStreamSchema>, 'type' | 'state'> & {
  type: 'webhook' | 'nats';
  state: 'active' | 'disabled';
};

export interface NewStream {
  name: string;
  type: AuditStream['type'];
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
