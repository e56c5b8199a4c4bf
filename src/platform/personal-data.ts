/**
 * Personal data, as the data-subject requests (GDPR domain) see it. Each domain that stores
 * personal data owns a `PersonalDataSource` over its own tables; the composition root hands them
 * all to the GDPR domain, which finds, exports, rectifies or erases through them and never
 * touches another domain's tables.
 */
import type { Caller } from './principal.ts';
import type { Executor, Trx } from '../storage/db.ts';

/** Upstream's search and replacement term types (GDPRSubject search, ReplacementTerm.type). */
export const SEARCH_TYPES = [
  'NAME',
  'ADDRESS',
  'PHONE',
  'EMAIL',
  'TWITTER',
  'INSTAGRAM',
  'FACEBOOK',
  'APPLE_MESSAGES',
  'WHATSAPP',
  'EXTERNAL_ID',
] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

/** A subject a search found: upstream's GDPRSubject fields that Gatehouse can fill. */
export interface FoundSubject {
  name?: string;
  userId?: string;
  externalId?: string;
  addresses?: string[];
  phoneNumbers?: string[];
  emailAddresses?: string[];
  /** An external contact (a customer in the externalcontacts domain). */
  externalContactId?: string;
  /** Beyond upstream: the canonical contact of the contact's merge set (its own id when it is canonical). */
  canonicalContactId?: string;
}

/**
 * Who a request is about, resolved before any source runs: the directory users it names or
 * whose identifiers it carries, and its own terms (names, emails, phones in E.164 when they
 * parse, addresses, external ids) for data that belongs to no user, such as a customer on an
 * interaction.
 */
export interface ResolvedSubject {
  userIds: string[];
  /**
   * The names the request itself carries. A customer on an interaction, who is no user, is
   * matched by these only, never by a user's name: two people may share one.
   */
  customerNames: string[];
  names: string[];
  emails: string[];
  phones: string[];
  addresses: string[];
  externalIds: string[];
  /** The external contacts the request is about (one per request: a merge set fans out into related requests). */
  externalContactIds?: string[];
  /** The contacts' social handles and ids (Twitter/X, Instagram, Facebook, Apple Messages, WhatsApp, LINE). */
  handles?: string[];
}

/** The external contacts a request is about, with their own values (see PersonalDataSource.resolveContacts). */
export interface ResolvedContacts {
  ids: string[];
  names: string[];
  emails: string[];
  phones: string[];
  addresses: string[];
  externalIds: string[];
  handles: string[];
}

export interface Replacement {
  type: SearchType;
  existingValue: string;
  updatedValue: string;
}

/** What one source did for a request: values changed or erased, by kind (for the request's results). */
export type SourceOutcome = Record<string, number>;

export interface PersonalDataSource {
  /** The section of an export, and the key of the counts in the request's results. */
  readonly name: string;
  /** Subjects this source holds that match one search term (case-insensitive; phones as E.164). */
  findSubjects(db: Executor, orgId: string, type: SearchType, value: string): Promise<FoundSubject[]>;
  /** Directory users whose identifiers match the subject's terms (only the users source has any). */
  resolveUsers?(db: Executor, orgId: string, subject: ResolvedSubject): Promise<string[]>;
  /**
   * The external contacts a request is about (only the external contacts source has any): the one
   * it names, else those holding its identifiers.
   */
  resolveContacts?(
    db: Executor,
    orgId: string,
    request: { externalContactId?: string; socialHandle?: { type?: string; value?: string } },
    terms: ResolvedSubject,
  ): Promise<ResolvedContacts>;
  /** Everything this source holds about the subject, as JSON; null when it holds nothing. */
  export(db: Executor, orgId: string, subject: ResolvedSubject): Promise<unknown | null>;
  /** Replaces each term's existing value by its updated value wherever the subject's data holds it; audited. */
  rectify(
    trx: Trx,
    orgId: string,
    subject: ResolvedSubject,
    replacements: Replacement[],
    caller: Caller,
    causeEventId: string,
  ): Promise<SourceOutcome>;
  /** Erases or anonymizes the subject's personal data; audited. */
  erase(
    trx: Trx,
    orgId: string,
    subject: ResolvedSubject,
    caller: Caller,
    causeEventId: string,
  ): Promise<SourceOutcome>;
}

/** What an erasure leaves where a subject's value was. */
export const ERASED = '[erased]';

/** Shorter values are never scrubbed out of text: "Al" or "1" would erase most of it. */
export const MIN_TERM_LENGTH = 3;

/**
 * The subject's names, emails and phones (and any further values) worth scrubbing out of text:
 * trimmed, at least MIN_TERM_LENGTH long, distinct ignoring case, longest first.
 */
export function scrubTerms(subject: ResolvedSubject, more: readonly string[] = []): string[] {
  const terms = [...subject.names, ...subject.emails, ...subject.phones, ...(subject.handles ?? []), ...more]
    .map((t) => t.trim())
    .filter((t) => t.length >= MIN_TERM_LENGTH);
  return [...new Map(terms.map((t) => [t.toLowerCase(), t])).values()].sort((a, b) => b.length - a.length);
}

const escapeRegExp = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A pattern for any of the terms as a whole word, ignoring case: not inside a longer word or
 * number ("Lee" is not in "Kathleen", "+1555010" not in "+15550100777"). Longest terms first, so
 * "Jane Doe" wins over "Jane". Null when there are no terms. Global: use with `replace`.
 */
export function termPattern(terms: readonly string[]): RegExp | null {
  if (!terms.length) return null;
  const alternatives = [...terms]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, 'giu');
}
