/**
 * What another domain (SCIM) keeps about directory users for data-subject requests, as the
 * directory's users source reads it; registered through `hooks.extendPersonalData`.
 */
import type { PropertyChange } from '../../platform/audit.ts';
import type { Replacement, ResolvedSubject, SearchType, SourceOutcome } from '../../platform/personal-data.ts';
import type { Executor, Trx } from '../../storage/db.ts';

/** A user's identifiers (or several users', merged). */
export interface UserIdentifiers {
  names: string[];
  emails: string[];
  phones: string[];
  addresses: string[];
  externalIds: string[];
}

/**
 * Personal data another domain keeps about directory users (the SCIM attributes), merged into
 * the users source so that a request sees one record per user. Reads take the organization;
 * writes run in the request's transaction and record no audit event: the users source records
 * one event per user, with these changes in it.
 */
export interface UserDataExtension {
  /** Users whose extension values match the terms: emails (case-insensitive), phones (E.164), external ids. */
  resolveUsers(
    db: Executor,
    orgId: string,
    terms: Pick<ResolvedSubject, 'emails' | 'phones' | 'externalIds'>,
  ): Promise<string[]>;
  /** Users whose extension values match one search term. */
  findUsers(db: Executor, orgId: string, type: SearchType, value: string, limit: number): Promise<string[]>;
  /** Each user's identifiers held by the extension (names, emails, phones, addresses, external ids). */
  identifiers(db: Executor, orgId: string, userIds: string[]): Promise<Map<string, UserIdentifiers>>;
  /** Each user's extension record, for an export. */
  export(db: Executor, orgId: string, userIds: string[]): Promise<Map<string, Record<string, unknown>>>;
  /**
   * Plans replacing the terms' existing values in one user's extension record: the changes (for
   * the audit event), the counts, and `write`, which the users source calls after it has written
   * the users row (the order every user update takes the rows in).
   */
  rectify(
    trx: Trx,
    orgId: string,
    userId: string,
    replacements: Replacement[],
  ): Promise<{ changes: PropertyChange[]; counts: SourceOutcome; write(now: string): Promise<void> }>;
  /** Clears one user's extension record (called after the users row is written); answers the property names cleared (never their values) and counts. */
  erase(trx: Trx, orgId: string, userId: string, now: string): Promise<{ properties: string[]; counts: SourceOutcome }>;
}
