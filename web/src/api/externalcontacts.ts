import type { Static } from '@sinclair/typebox';
import type { AnalyticsConversationQueryResponse } from '../../../src/domains/analytics/schemas.ts';
import type {
  ExternalContact as ExternalContactSchema,
  PhoneNumber as PhoneNumberSchema,
} from '../../../src/domains/externalcontacts/schemas.ts';
import { type Listing, request } from './client.ts';

export type PhoneNumber = Static<typeof PhoneNumberSchema>;
/** Upstream's ExternalContact. */
export type ExternalContact = Static<typeof ExternalContactSchema>;
export type Ref = NonNullable<ExternalContact['division']>;
/** An interaction of a contact, as the analytics details query answers it. */
export type ContactInteraction = NonNullable<
  Static<typeof AnalyticsConversationQueryResponse>['conversations']
>[number];

const BASE = '/api/v2/externalcontacts/contacts';
export const CONTACT_PHONES = ['workPhone', 'cellPhone', 'homePhone', 'otherPhone'] as const;
export const CONTACT_EMAILS = ['workEmail', 'personalEmail', 'otherEmail'] as const;
/** How far back the contact view looks for interactions (the synchronous details query's limit). */
export const INTERACTION_DAYS = 31;

export function contactName(c: ExternalContact): string {
  return [c.firstName, c.middleName, c.lastName].filter(Boolean).join(' ') || '(no name)';
}

export function contactPhones(c: ExternalContact): string[] {
  return CONTACT_PHONES.map((k) => c[k]?.display ?? c[k]?.e164).filter((v): v is string => !!v);
}

export function contactEmails(c: ExternalContact): string[] {
  return CONTACT_EMAILS.map((k) => c[k]).filter((v): v is string => !!v);
}

/** The listing path for a search (`q`), the organization expanded. */
export function contactsPath(q: string): string {
  const query = q.trim() ? `&q=${encodeURIComponent(q.trim())}` : '';
  return `${BASE}?expand=externalOrganization${query}`;
}

export const contactsApi = {
  get: (id: string) =>
    request<ExternalContact>(`${BASE}/${encodeURIComponent(id)}?expand=externalOrganization&expand=division`),
  list: (q: string, pageNumber = 1, pageSize = 25) =>
    request<Listing<ExternalContact>>(`${contactsPath(q)}&pageSize=${pageSize}&pageNumber=${pageNumber}`),
  merge: (contactIds: string[]) => request<ExternalContact>(`${BASE}/merge`, { method: 'POST', body: { contactIds } }),
  /** The interactions of the last INTERACTION_DAYS days whose customer is one of these contacts. */
  interactions: (contactIds: string[], pageNumber = 1, pageSize = 25) => {
    const end = new Date();
    const start = new Date(end.getTime() - INTERACTION_DAYS * 86_400_000);
    return request<Static<typeof AnalyticsConversationQueryResponse>>('/api/v2/analytics/conversations/details/query', {
      method: 'POST',
      body: {
        interval: `${start.toISOString()}/${end.toISOString()}`,
        order: 'desc',
        paging: { pageSize, pageNumber },
        segmentFilters: [
          {
            type: 'or',
            predicates: contactIds.map((value) => ({
              type: 'dimension',
              dimension: 'externalContactId',
              operator: 'matches',
              value,
            })),
          },
        ],
      },
    });
  },
};
