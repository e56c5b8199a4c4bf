import { type Listing, request } from './client.ts';

/** Upstream's GDPR search and replacement term types. */
export type GdprSearchType =
  | 'NAME'
  | 'EMAIL'
  | 'PHONE'
  | 'ADDRESS'
  | 'EXTERNAL_ID'
  | 'TWITTER'
  | 'INSTAGRAM'
  | 'FACEBOOK'
  | 'APPLE_MESSAGES'
  | 'WHATSAPP';

export const SEARCH_TYPES: { value: GdprSearchType; label: string }[] = [
  { value: 'NAME', label: 'Name' },
  { value: 'EMAIL', label: 'Email' },
  { value: 'PHONE', label: 'Phone' },
  { value: 'ADDRESS', label: 'Address' },
  { value: 'EXTERNAL_ID', label: 'External ID' },
  { value: 'TWITTER', label: 'Twitter' },
  { value: 'INSTAGRAM', label: 'Instagram' },
  { value: 'FACEBOOK', label: 'Facebook' },
  { value: 'APPLE_MESSAGES', label: 'Apple Messages' },
  { value: 'WHATSAPP', label: 'WhatsApp' },
];

/** Upstream's GDPRSubject: a directory user (userId) or someone known only by their terms (e.g. a customer). */
export interface GdprSubject {
  name?: string;
  userId?: string;
  /** An external contact (customer) the search found, or the request is about. */
  externalContactId?: string;
  /** Beyond upstream, in search results: the canonical contact of the contact's merge set. */
  canonicalContactId?: string;
  externalId?: string;
  emailAddresses?: string[];
  phoneNumbers?: string[];
  addresses?: string[];
}

export type GdprRequestType = 'GDPR_EXPORT' | 'GDPR_UPDATE' | 'GDPR_DELETE';
export type GdprStatus = 'INITIATED' | 'SEARCHING' | 'UPDATING' | 'DELETING' | 'FINALIZING' | 'COMPLETED' | 'ERROR';

export interface ReplacementTerm {
  type: GdprSearchType;
  existingValue: string;
  updatedValue: string;
}

export interface GdprRequest {
  id: string;
  name?: string;
  requestType: GdprRequestType;
  status: GdprStatus;
  subject: GdprSubject;
  replacementTerms?: ReplacementTerm[];
  createdBy: { id: string; selfUri?: string };
  createdDate: string;
  resultsUrl?: string;
  /** Beyond upstream: the requests repeated from this one for the other contacts of a merge set… */
  relatedRequests?: { id: string }[];
  /** …and, on each of those, the request it was repeated from. */
  parentRequest?: { id: string };
  selfUri: string;
}

export interface NewGdprRequest {
  name?: string;
  requestType: GdprRequestType;
  subject: GdprSubject;
  replacementTerms?: ReplacementTerm[];
}

/** What a finished request found or did (Gatehouse, beyond upstream). */
export interface GdprResults {
  requestId: string;
  requestType: GdprRequestType;
  status: GdprStatus;
  completedDate?: string;
  error?: string;
  /** Values changed (update) or erased (delete), by source then kind. */
  outcome?: Record<string, Record<string, number>>;
  /** The export, by source (`{}` once `redacted`). */
  data?: Record<string, unknown>;
  /** Why the export's data is gone: it was deleted when the subject was later erased. */
  redacted?: string;
}

export const isFinished = (s: GdprStatus) => s === 'COMPLETED' || s === 'ERROR';

/** The request's results path: `resultsUrl` as given, or its path when it is absolute. */
function resultsPath(r: GdprRequest): string {
  const url = r.resultsUrl ?? `/api/v2/gdpr/requests/${encodeURIComponent(r.id)}/results`;
  if (!/^https?:\/\//i.test(url)) return url;
  const u = new URL(url);
  return u.pathname + u.search;
}

export const gdprApi = {
  subjects: (searchType: GdprSearchType, searchValue: string, pageNumber = 1, pageSize = 25) =>
    request<Listing<GdprSubject>>(
      `/api/v2/gdpr/subjects?searchType=${searchType}&searchValue=${encodeURIComponent(searchValue)}&pageSize=${pageSize}&pageNumber=${pageNumber}`,
    ),
  requests: (pageNumber: number, pageSize = 25) =>
    request<Listing<GdprRequest>>(`/api/v2/gdpr/requests?pageSize=${pageSize}&pageNumber=${pageNumber}`),
  get: (id: string) => request<GdprRequest>(`/api/v2/gdpr/requests/${encodeURIComponent(id)}`),
  create: (body: NewGdprRequest, deleteConfirmed = false) =>
    request<GdprRequest>(`/api/v2/gdpr/requests?deleteConfirmed=${deleteConfirmed}`, { method: 'POST', body }),
  results: (r: GdprRequest) => request<GdprResults>(resultsPath(r)),
};
