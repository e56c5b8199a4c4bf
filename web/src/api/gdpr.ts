import type { Static } from '@sinclair/typebox';
import type {
  GdprRequestInput,
  GdprRequest as GdprRequestSchema,
  GdprResults as GdprResultsSchema,
  GdprSubject as GdprSubjectSchema,
  ReplacementTerm as ReplacementTermSchema,
  RequestType,
  SearchType,
  Status,
} from '../../../src/domains/gdpr/schemas.ts';
import { type Listing, request } from './client.ts';

/** Upstream's GDPR search and replacement term types. */
export type GdprSearchType = Static<typeof SearchType>;

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
export type GdprSubject = Static<typeof GdprSubjectSchema>;
export type GdprRequestType = RequestType;
export type GdprStatus = Status;
export type ReplacementTerm = Static<typeof ReplacementTermSchema>;
/** A request as the API answers it, with its type and status as the server sets them. */
export type GdprRequest = Omit<Static<typeof GdprRequestSchema>, 'requestType' | 'status'> & {
  requestType: RequestType;
  status: Status;
};
export type NewGdprRequest = GdprRequestInput;
/** What a finished request found or did (Gatehouse, beyond upstream). */
export type GdprResults = Static<typeof GdprResultsSchema>;

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
