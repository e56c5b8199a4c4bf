/**
 * Data-subject requests: find subjects, then submit an export (Art. 15), a rectification
 * (Art. 16) or an erasure (Art. 17) that runs in the background through every domain's
 * PersonalDataSource. A rectification or an erasure changes every source in one transaction,
 * together with the request's COMPLETED status: all of it happens, or none of it.
 */
import type { Clock } from '../../platform/clock.ts';
import { auditOrigin, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import { ApiError, badRequest, invalidValue, notFound } from '../../platform/errors/index.ts';
import { isUuid, newId } from '../../platform/ids.ts';
import type { JobRunner } from '../../platform/jobs.ts';
import { listing, type PageRequest } from '../../platform/paging.ts';
import type {
  FoundSubject,
  PersonalDataSource,
  Replacement,
  ResolvedSubject,
  SearchType,
  SourceOutcome,
} from '../../platform/personal-data.ts';
import type { Caller } from '../../platform/principal.ts';
import { type Db, type Executor, type Trx, withTransaction } from '../../storage/db.ts';
import type { GdprRequestRow } from '../../storage/schema.ts';
import type { GdprRequestInput, GdprSubjectBody, RequestType, Status } from './schemas.ts';
import { aboutSubject, readRequest, redactedColumns, subjectTermsOf } from './redaction.ts';
import { checkInput, mergeSubjects, type ResultsDocument, submitter, view } from './request-model.ts';
import { createGdprStore } from './store.ts';
import { type DescribeUsers, normalizeTerm, resolveSubject, subjectTerms, withContactValues } from './subject.ts';

export const AUDIT_SERVICE = 'GDPR';
export const AUDIT_ENTITY = 'GDPRRequest';
registerAuditEntity(AUDIT_SERVICE, AUDIT_ENTITY, ['Create', 'Process']);

/** How long a process holds a request it runs; a request held longer is taken to be abandoned. */
const LEASE_MS = 10 * 60_000;

/** The request ended in another process while this one ran it. */
class RequestEndedElsewhere extends Error {}
/** At most this many subjects answer one search. */
const MAX_SUBJECTS = 1000;

export interface GdprDeps {
  db: Db;
  clock: Clock;
  jobs: JobRunner;
  /** Every domain's personal data, the audit trail's last: its erasure scrubs what the others recorded. */
  sources: readonly PersonalDataSource[];
  describeUsers?: DescribeUsers;
  userExists: (orgId: string, userId: string) => Promise<boolean>;
  /** The region national phone numbers are read in (as SCIM reads them). */
  phoneRegion: string;
  /** An external contact's merge set (null when there is no such contact): a request for it fans out to every member. */
  contactMergeSet?: (
    db: Executor,
    orgId: string,
    id: string,
  ) => Promise<{ canonicalId: string; memberIds: string[] } | null>;
  /**
   * Leaves no copy of replaced or erased values in the store's files: the tables the change's
   * transaction changed, then (after commit) their purge (storage's changedTables/purgeErased).
   */
  purge?: { changedTables(trx: Trx): Promise<string[]>; afterCommit(tables: readonly string[]): Promise<void> };
}

export function createGdprService(deps: GdprDeps) {
  const { db, clock, jobs, sources } = deps;
  const store = createGdprStore();

  /** Writes of one run: each renews its lease, and fails (ending the run) once another run holds the request. */
  function held(id: string, token: string) {
    const write = async (executor: Executor, patch: Partial<GdprRequestRow>) => {
      const now = clock.now();
      const ok = await store.updateHeld(executor, id, token, {
        ...patch,
        modified_at: now.toISOString(),
        claimed_until: new Date(now.getTime() + LEASE_MS).toISOString(),
      });
      if (!ok) throw new RequestEndedElsewhere();
    };
    return {
      status: (status: Status) => write(db, { status }),
      update: (patch: Partial<GdprRequestRow>) => write(db, patch),
      /** Ends the request with its results document. */
      finish: (doc: ResultsDocument, executor: Executor = db) =>
        write(executor, {
          status: doc.status,
          results: JSON.stringify(doc),
          error: doc.error ?? null,
          completed_at: doc.completedDate,
        }),
    };
  }

  type HeldRequest = ReturnType<typeof held>;

  /**
   * A customer's former names: a customer renamed by an earlier rectification is still named by
   * the old name in what was recorded before it (interactions' audit events, that request), so
   * an export or an erasure looks for those names too.
   */
  async function withFormerCustomerNames(orgId: string, subject: ResolvedSubject): Promise<ResolvedSubject> {
    if (subject.userIds.length || !subject.customerNames.length) return subject;
    const renames = (await store.completedUpdates(db, orgId))
      .filter((r) => (JSON.parse(r.resolved_user_ids ?? '[]') as string[]).length === 0)
      .flatMap((r) => (JSON.parse(r.replacement_terms ?? '[]') as Replacement[]).filter((t) => t.type === 'NAME'));
    const names = new Map(subject.customerNames.map((n) => [n.toLowerCase(), n]));
    for (let grew = true; grew; ) {
      grew = false;
      for (const r of renames) {
        if (names.has(r.updatedValue.trim().toLowerCase()) && !names.has(r.existingValue.trim().toLowerCase())) {
          names.set(r.existingValue.trim().toLowerCase(), r.existingValue.trim());
          grew = true;
        }
      }
    }
    const all = [...names.values()];
    const known = new Set(subject.names.map((n) => n.toLowerCase()));
    return {
      ...subject,
      customerNames: all,
      names: [...subject.names, ...all.filter((n) => !known.has(n.toLowerCase()))],
    };
  }

  /**
   * The organization's requests about an erased subject, this one included, keep that they were
   * made, by whom, and what they did, not whom they were about: every value of their subjects
   * but the user id (now an anonymized user's) becomes ERASED, and so do their replacement terms,
   * their error texts and a name that names the subject; an export's data is deleted. A request
   * is about a user when it named the user or was found to be about them when it ran; about a
   * customer when it was about no user and named the customer (or renamed them), never because
   * it shares a value with someone else. Answers how many changed.
   */
  async function redactRequests(trx: Executor, orgId: string, subject: ResolvedSubject) {
    const about = aboutSubject(subject);
    const terms = subjectTermsOf(subject);
    let changed = 0;
    for (const row of await store.subjects(trx, orgId)) {
      const request = readRequest(row);
      if (!about(request)) continue;
      await store.update(trx, row.id, redactedColumns(request, terms));
      changed++;
    }
    return changed;
  }

  /** The subject a request is about: its terms resolved, with former customer names and its contacts' values. */
  async function resolveRequestSubject(orgId: string, row: GdprRequestRow): Promise<ResolvedSubject> {
    const subjectBody = JSON.parse(row.subject) as GdprSubjectBody;
    let subject = await withFormerCustomerNames(
      orgId,
      await resolveSubject(db, orgId, subjectTerms(subjectBody, deps.phoneRegion), sources, deps.describeUsers),
    );
    for (const source of sources) {
      if (!source.resolveContacts) continue;
      const c = await source.resolveContacts(db, orgId, subjectBody, subject);
      if (subjectBody.externalContactId?.trim() && !c.ids.length)
        throw badRequest(`The external contact ${subjectBody.externalContactId} no longer exists.`);
      subject = withContactValues(subject, c);
    }
    return subject;
  }

  /** An export: every source's data about the subject, as the request's results. */
  async function exportSubject(mine: HeldRequest, row: GdprRequestRow, subject: ResolvedSubject) {
    const data: Record<string, unknown> = {};
    for (const source of sources) {
      const part = await source.export(db, row.org_id, subject);
      if (part !== null) data[source.name] = part;
    }
    await mine.status('FINALIZING');
    await mine.finish({
      requestId: row.id,
      requestType: row.request_type as RequestType,
      status: 'COMPLETED',
      completedDate: clock.now().toISOString(),
      data,
    });
  }

  /**
   * A rectification or an erasure: every source changes the subject's data in one transaction,
   * with the request's COMPLETED status; answers the tables changed (for the purge).
   */
  async function changeSubject(mine: HeldRequest, row: GdprRequestRow, subject: ResolvedSubject) {
    const { id, org_id: orgId } = row;
    const type = row.request_type as RequestType;
    const caller = submitter(row);
    const replacements = (JSON.parse(row.replacement_terms ?? '[]') as Replacement[]).map((r) => ({
      type: r.type,
      existingValue: normalizeTerm(r.type, r.existingValue, deps.phoneRegion),
      updatedValue: normalizeTerm(r.type, r.updatedValue, deps.phoneRegion),
    }));
    return withTransaction(db, async (trx) => {
      // The event every change of this request points to; it names the request, never the subject.
      const cause = await recordAudit(trx, clock, {
        orgId,
        serviceName: AUDIT_SERVICE,
        entityType: AUDIT_ENTITY,
        entityId: id,
        entityName: row.name ?? type,
        action: 'Process',
        ...auditOrigin(caller),
        context: { requestType: type },
      });
      const outcome: Record<string, SourceOutcome> = {};
      for (const source of sources) {
        outcome[source.name] =
          type === 'GDPR_UPDATE'
            ? await source.rectify(trx, orgId, subject, replacements, caller, cause)
            : await source.erase(trx, orgId, subject, caller, cause);
      }
      if (type === 'GDPR_DELETE') outcome.requests = { requests: await redactRequests(trx, orgId, subject) };
      // Written with the changes: if another run has taken the request over, this undoes them.
      await mine.finish(
        { requestId: id, requestType: type, status: 'COMPLETED', completedDate: clock.now().toISOString(), outcome },
        trx,
      );
      return deps.purge ? deps.purge.changedTables(trx) : [];
    });
  }

  async function run(id: string, orgId: string) {
    const now = clock.now();
    const token = newId();
    if (!(await store.claim(db, id, token, now.toISOString(), new Date(now.getTime() + LEASE_MS).toISOString())))
      return;
    const row = await store.find(db, orgId, id);
    if (!row) return;
    const type = row.request_type as RequestType;
    const mine = held(id, token);
    try {
      await mine.status('SEARCHING');
      const subject = await resolveRequestSubject(orgId, row);
      // Kept so that erasing the subject later finds this request, whatever values it named.
      await mine.update({ resolved_user_ids: JSON.stringify(subject.userIds) });
      if (type === 'GDPR_EXPORT') {
        await exportSubject(mine, row, subject);
        return;
      }
      await mine.status(type === 'GDPR_UPDATE' ? 'UPDATING' : 'DELETING');
      const changed = await changeSubject(mine, row, subject);
      // The old values are gone from every row, but not yet from the store's files (free space,
      // WAL, dead row versions): overwritten or vacuumed now, not whenever the store gets to it.
      if (deps.purge) await deps.purge.afterCommit(changed);
    } catch (err) {
      if (err instanceof RequestEndedElsewhere) return;
      // A refusal a person can act on (an email already taken, say) is the request's error; the
      // transaction changed nothing. Anything else is logged by the job runner as well.
      const message =
        err instanceof ApiError
          ? err.message
          : 'The request could not be completed; nothing was changed. See the server log.';
      await mine
        .finish({
          requestId: id,
          requestType: type,
          status: 'ERROR',
          completedDate: clock.now().toISOString(),
          error: message,
        })
        .catch((e) => {
          if (!(e instanceof RequestEndedElsewhere)) throw e;
        });
      if (!(err instanceof ApiError)) throw err;
    }
  }

  return {
    async searchSubjects(
      caller: Caller,
      type: SearchType,
      value: string,
      page: PageRequest,
      query: Record<string, unknown>,
    ) {
      const orgId = caller.principal.orgId;
      const term = normalizeTerm(type, value, deps.phoneRegion);
      const found: FoundSubject[] = [];
      for (const source of sources) {
        if (found.length >= MAX_SUBJECTS) break;
        found.push(...(await source.findSubjects(db, orgId, type, term)));
      }
      const subjects = mergeSubjects(found).slice(0, MAX_SUBJECTS);
      return listing(
        subjects.slice(page.offset, page.offset + page.pageSize),
        subjects.length,
        page,
        '/api/v2/gdpr/subjects',
        query,
      );
    },

    async submit(caller: Caller, input: GdprRequestInput, deleteConfirmed: boolean) {
      checkInput(input, deleteConfirmed);
      const orgId = caller.principal.orgId;
      const userId = input.subject.userId?.trim();
      if (userId && !(await deps.userExists(orgId, userId))) {
        throw invalidValue('subject.userId', `No user ${userId} in this organization.`);
      }
      // A canonical contact's request is repeated for every other contact of its merge set.
      const contactId = input.subject.externalContactId?.trim();
      let others: string[] = [];
      if (contactId) {
        const set = deps.contactMergeSet ? await deps.contactMergeSet(db, orgId, contactId) : null;
        if (!set)
          throw invalidValue('subject.externalContactId', `No external contact ${contactId} in this organization.`);
        if (set.canonicalId !== contactId)
          throw invalidValue(
            'subject.externalContactId',
            `The external contact ${contactId} belongs to the merge set of ${set.canonicalId}: send one request per merge set, for its canonical contact ${set.canonicalId}; it is repeated for every contact of the set.`,
          );
        others = set.memberIds.filter((m) => m !== contactId);
      }
      const now = clock.now().toISOString();
      const row: GdprRequestRow = {
        id: newId(),
        org_id: orgId,
        name: input.name?.trim() || null,
        request_type: input.requestType,
        status: 'INITIATED',
        subject: JSON.stringify(input.subject),
        replacement_terms: input.requestType === 'GDPR_UPDATE' ? JSON.stringify(input.replacementTerms) : null,
        created_by_user: caller.principal.userId,
        created_by_client: caller.principal.clientId,
        remote_ip: caller.remoteIp || null,
        resolved_user_ids: null,
        claimed_until: null,
        claim_token: null,
        results: null,
        error: null,
        created_at: now,
        modified_at: now,
        completed_at: null,
      };
      const related: GdprRequestRow[] = others.map((m) => ({
        ...row,
        id: newId(),
        subject: JSON.stringify({ externalContactId: m }),
        parent_request_id: row.id,
      }));
      await withTransaction(db, async (trx) => {
        for (const r of [row, ...related]) {
          await store.insert(trx, r);
          // The trail records that a request was made and of which kind, never whom it is about.
          await recordAudit(trx, clock, {
            orgId,
            serviceName: AUDIT_SERVICE,
            entityType: AUDIT_ENTITY,
            entityId: r.id,
            entityName: r.name ?? r.request_type,
            action: 'Create',
            ...auditOrigin(caller),
            changes: [{ property: 'requestType', oldValues: [], newValues: [r.request_type] }],
            ...(r.parent_request_id ? { context: { relatedTo: r.parent_request_id } } : {}),
          });
        }
      });
      // Each runs, succeeds or fails on its own.
      for (const r of [row, ...related]) jobs.enqueue('gdpr-request', () => run(r.id, orgId));
      return view(
        row,
        related.map((r) => r.id),
      );
    },

    async get(caller: Caller, id: string) {
      const row = isUuid(id) ? await store.find(db, caller.principal.orgId, id) : undefined;
      if (!row) throw notFound('GDPR request', id);
      return view(
        row,
        (await store.related(db, caller.principal.orgId, [row.id])).map((r) => r.id),
      );
    },

    async list(caller: Caller, page: PageRequest, query: Record<string, unknown>) {
      const orgId = caller.principal.orgId;
      const [rows, total] = await Promise.all([
        store.list(db, orgId, page.offset, page.pageSize),
        store.count(db, orgId),
      ]);
      const related = await store.related(
        db,
        orgId,
        rows.map((r) => r.id),
      );
      const byParent = (id: string) => related.filter((r) => r.parent_request_id === id).map((r) => r.id);
      return listing(
        rows.map((r) => view(r, byParent(r.id))),
        total,
        page,
        '/api/v2/gdpr/requests',
        query,
      );
    },

    /** Beyond upstream: the finished request's document (the export, or what was changed or erased). */
    async results(caller: Caller, id: string): Promise<ResultsDocument> {
      const row = isUuid(id) ? await store.find(db, caller.principal.orgId, id) : undefined;
      if (!row) throw notFound('GDPR request', id);
      if (!row.results)
        throw new ApiError(
          400,
          'bad.request',
          `The request is ${row.status}; its results are available once it has COMPLETED.`,
        );
      return JSON.parse(row.results) as ResultsDocument;
    },

    /**
     * Unfinished requests no process holds run again: at start, and then every minute for those
     * whose process stopped (an interrupted change was rolled back).
     */
    async resume() {
      for (const r of await store.unfinished(db, clock.now().toISOString()))
        jobs.enqueue('gdpr-request', () => run(r.id, r.org_id));
    },
  };
}

export type GdprService = ReturnType<typeof createGdprService>;
