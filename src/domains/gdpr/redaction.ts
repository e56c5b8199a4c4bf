/**
 * What erasing a subject does to the organization's requests about them (see the service's
 * redactRequests): which requests are about the subject, and what each keeps once redacted.
 */
import { ERASED, type Replacement, type ResolvedSubject } from '../../platform/personal-data.ts';
import type { GdprRequestRow } from '../../storage/schema.ts';
import type { ResultsDocument } from './request-model.ts';
import type { GdprSubjectBody } from './schemas.ts';

/** Every string in a JSON value replaced by ERASED, its shape kept. */
function erasedValues(v: unknown): unknown {
  if (typeof v === 'string') return ERASED;
  if (Array.isArray(v)) return v.map(erasedValues);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, erasedValues(x)]));
  return v;
}

/** A request row read back: its subject, the users it was found to be about, its replacement terms. */
type RequestColumns = Pick<
  GdprRequestRow,
  'id' | 'name' | 'subject' | 'replacement_terms' | 'resolved_user_ids' | 'results' | 'error'
>;

export interface ReadRequest {
  row: RequestColumns;
  subject: GdprSubjectBody;
  resolved: string[] | null;
  replacements: Replacement[];
}

export const readRequest = (row: RequestColumns): ReadRequest => ({
  row,
  subject: JSON.parse(row.subject) as GdprSubjectBody,
  resolved: row.resolved_user_ids === null ? null : (JSON.parse(row.resolved_user_ids) as string[]),
  replacements: row.replacement_terms ? (JSON.parse(row.replacement_terms) as Replacement[]) : [],
});

/**
 * Tells whether a request is about the erased subject: about a user when it named the user or
 * was found to be about them when it ran; about a contact when it named the contact; about a
 * customer when it was about no user and named the customer (or renamed them).
 */
export function aboutSubject(subject: ResolvedSubject) {
  const users = new Set(subject.userIds);
  const contacts = new Set(subject.externalContactIds ?? []);
  const customers = new Set(subject.customerNames.map((n) => n.toLowerCase()));
  const named = (v: string | undefined) => v !== undefined && customers.has(v.trim().toLowerCase());
  const namesCustomer = (r: ReadRequest) =>
    named(r.subject.name) ||
    r.replacements.some((t) => t.type === 'NAME' && (named(t.existingValue) || named(t.updatedValue)));
  return (r: ReadRequest): boolean => {
    const s = r.subject;
    if (s.externalContactId !== undefined && contacts.has(s.externalContactId)) return true;
    if (users.size)
      return (s.userId !== undefined && users.has(s.userId)) || Boolean(r.resolved?.some((u) => users.has(u)));
    return r.resolved !== null && r.resolved.length === 0 && namesCustomer(r);
  };
}

/** The subject's values whose presence in a request's name (the requester's label) erases it. */
export const subjectTermsOf = (subject: ResolvedSubject) =>
  [...subject.names, ...subject.emails, ...subject.phones, ...(subject.handles ?? [])]
    .map((t) => t.toLowerCase())
    .filter((t) => t.length >= 3);

/**
 * The request's columns once redacted: every value of its subject but the user and contact ids,
 * its replacement terms and error become ERASED, an export's data is deleted, and its name goes
 * only when it names the subject.
 */
export function redactedColumns(r: ReadRequest, terms: string[]) {
  const { row } = r;
  const { userId, externalContactId, ...rest } = r.subject;
  const redacted = {
    ...(userId !== undefined ? { userId } : {}),
    ...(externalContactId !== undefined ? { externalContactId } : {}),
    ...(erasedValues(rest) as object),
  };
  const replacementTerms = row.replacement_terms
    ? JSON.stringify(r.replacements.map((t) => ({ ...t, existingValue: ERASED, updatedValue: ERASED })))
    : null;
  const namesSubject = row.name !== null && terms.some((t) => row.name!.toLowerCase().includes(t));
  return {
    name: namesSubject ? ERASED : row.name,
    subject: JSON.stringify(redacted),
    replacement_terms: replacementTerms,
    results: row.results ? redactedResults(row.results) : row.results,
    error: row.error === null ? null : ERASED,
  };
}

function redactedResults(results: string): string {
  const { data, error, ...kept } = JSON.parse(results) as ResultsDocument;
  return JSON.stringify({
    ...kept,
    ...(error !== undefined ? { error: ERASED } : {}),
    ...(data !== undefined ? { data: {}, redacted: 'The exported data was deleted when the subject was erased.' } : {}),
  });
}
