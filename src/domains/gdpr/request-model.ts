/**
 * What a data-subject request looks like from outside: its checked input, its API view, the
 * subjects a search merges, and the caller a background run acts as (the service runs it).
 */
import type { Static } from '@sinclair/typebox';
import { badRequest, invalidValue } from '../../platform/errors/index.ts';
import type { FoundSubject, Replacement, SearchType } from '../../platform/personal-data.ts';
import type { Caller, Principal } from '../../platform/principal.ts';
import type { GdprRequestRow } from '../../storage/schema.ts';
import type { GdprRequestInput, GdprResults, GdprSubjectBody } from './schemas.ts';
import { hasIdentifier, searchTermsOf } from './subject.ts';

/** The term types Gatehouse holds values of, and so can rectify. */
const RECTIFIABLE: readonly SearchType[] = ['NAME', 'EMAIL', 'PHONE', 'ADDRESS'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The results document of a finished request (GET …/results). */
export type ResultsDocument = Static<typeof GdprResults>;

export const resultsPath = (id: string) => `/api/v2/gdpr/requests/${id}/results`;
export const requestRef = (id: string) => ({ id, selfUri: `/api/v2/gdpr/requests/${id}` });

export function view(
  row: Pick<
    GdprRequestRow,
    | 'id'
    | 'name'
    | 'request_type'
    | 'status'
    | 'subject'
    | 'replacement_terms'
    | 'created_by_user'
    | 'created_by_client'
    | 'created_at'
    | 'parent_request_id'
  >,
  related: string[] = [],
) {
  const finished = row.status === 'COMPLETED' || row.status === 'ERROR';
  const creator = row.created_by_user ?? row.created_by_client;
  return {
    id: row.id,
    ...(row.name ? { name: row.name } : {}),
    createdBy: { id: creator, ...(row.created_by_user ? { selfUri: `/api/v2/users/${creator}` } : {}) },
    ...(row.replacement_terms ? { replacementTerms: JSON.parse(row.replacement_terms) as Replacement[] } : {}),
    requestType: row.request_type,
    createdDate: row.created_at,
    status: row.status,
    subject: JSON.parse(row.subject) as GdprSubjectBody,
    ...(finished ? { resultsUrl: resultsPath(row.id), resultsUrls: [resultsPath(row.id)] } : {}),
    // Beyond upstream: a merge set's request and the requests repeated from it for its other contacts.
    ...(row.parent_request_id ? { parentRequest: requestRef(row.parent_request_id) } : {}),
    ...(related.length ? { relatedRequests: related.map(requestRef) } : {}),
    selfUri: `/api/v2/gdpr/requests/${row.id}`,
  };
}

/** The submitter, as the background job acts for them in the audit trail. */
export function submitter(row: GdprRequestRow): Caller {
  const principal: Principal = {
    tokenId: '',
    orgId: row.org_id,
    orgName: '',
    clientId: row.created_by_client,
    clientName: '',
    userId: row.created_by_user,
    clientCredentials: row.created_by_user === null,
    scopes: [],
    permissions: [],
    internal: false,
    expiresAt: new Date(0),
    issuedAt: new Date(0),
  };
  return { principal, remoteIp: row.remote_ip ?? '' };
}

export function checkInput(input: GdprRequestInput, deleteConfirmed: boolean) {
  if (!hasIdentifier(input.subject)) {
    throw invalidValue(
      'subject',
      'The subject needs at least one identifier Gatehouse holds: a name, user id, external contact id, social handle, external id, address, phone number or email address (it holds no dialer contacts or journey customers).',
    );
  }
  const s = input.subject;
  const given = searchTermsOf(s);
  if (!s.userId?.trim() && !s.externalContactId?.trim() && given.length > 1) {
    throw invalidValue(
      'subject',
      `The subject names ${given.length} identifiers (${given.join(', ')}). Send one request per identifier, or search the subjects first and send one request with the userId or externalContactId the search answered.`,
    );
  }
  const terms = input.replacementTerms ?? [];
  if (input.requestType !== 'GDPR_UPDATE' && terms.length) {
    throw badRequest(`Invalid data: replacementTerms belong to GDPR_UPDATE requests only, not ${input.requestType}.`);
  }
  if (input.requestType === 'GDPR_UPDATE') {
    if (!terms.length)
      throw invalidValue(
        'replacementTerms',
        'A GDPR_UPDATE request needs at least one replacement term (type, existingValue, updatedValue).',
      );
    for (const t of terms) {
      if (!RECTIFIABLE.includes(t.type)) {
        throw invalidValue(
          'replacementTerms',
          `Gatehouse holds no ${t.type} values; replacement terms may be of type ${RECTIFIABLE.join(', ')}.`,
        );
      }
      if (!t.existingValue.trim() || !t.updatedValue.trim())
        throw invalidValue('replacementTerms', 'existingValue and updatedValue must not be empty.');
      if (t.existingValue.trim() === t.updatedValue.trim())
        throw invalidValue('replacementTerms', `existingValue and updatedValue are the same ("${t.updatedValue}").`);
      if (t.type === 'EMAIL' && !EMAIL.test(t.updatedValue.trim()))
        throw invalidValue('replacementTerms', `"${t.updatedValue}" is not an email address.`);
    }
  }
  if (input.requestType === 'GDPR_DELETE' && !deleteConfirmed) {
    throw badRequest(
      "A GDPR_DELETE request erases the subject's personal data for good; send deleteConfirmed=true to confirm it.",
    );
  }
}

/** Merges the subjects several sources found: one per user, one per name for subjects with no user. */
export function mergeSubjects(found: FoundSubject[]): FoundSubject[] {
  const byKey = new Map<string, FoundSubject>();
  const join = (a: string[] | undefined, b: string[] | undefined) => {
    const all = [...new Set([...(a ?? []), ...(b ?? [])])];
    return all.length ? all : undefined;
  };
  for (const s of found) {
    const key = s.userId
      ? `user:${s.userId}`
      : s.externalContactId
        ? `contact:${s.externalContactId}`
        : `name:${(s.name ?? '').toLowerCase()}|${s.externalId ?? ''}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, { ...s });
      continue;
    }
    byKey.set(key, {
      ...prev,
      name: prev.name ?? s.name,
      externalId: prev.externalId ?? s.externalId,
      emailAddresses: join(prev.emailAddresses, s.emailAddresses),
      phoneNumbers: join(prev.phoneNumbers, s.phoneNumbers),
      addresses: join(prev.addresses, s.addresses),
    });
  }
  return [...byKey.values()].map(
    (s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as FoundSubject,
  );
}
