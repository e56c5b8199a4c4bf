import { useCallback, useEffect, useRef, useState } from 'react';
import type { Listing } from '../../api/client.ts';
import { type GdprRequest, gdprApi, isFinished } from '../../api/gdpr.ts';
import { RequestResults } from './RequestResults.tsx';
import { StatusBadge, subjectSummary, typeLabel } from './labels.tsx';
import { Pager } from '../../components/Pager.tsx';
import { LoadFailed } from '../../components/LoadFailed.tsx';

const POLL_MS = 1000;

type State =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; listing: Listing<GdprRequest> };

/** How a merge set's request and the requests repeated from it for its other contacts are linked. */
function RelatedNote({ request, names }: { request: GdprRequest; names: Map<string, string> }) {
  const n = request.relatedRequests?.length ?? 0;
  if (n > 0)
    return (
      <small className="related">
        {' '}
        · merge set: {n === 1 ? '1 related request' : `${n} related requests`}, each with its own status
      </small>
    );
  if (!request.parentRequest) return null;
  const parent = request.parentRequest.id;
  return (
    <small className="related" title={parent}>
      {' '}
      · Related to {names.get(parent) ?? 'the request'} ({parent.slice(0, 8)}…)
    </small>
  );
}

/**
 * The organization's data-subject requests, newest first. While any listed request is still
 * being processed, the page is reloaded every second (quietly: no loading flash) until none is.
 * `reload` changes when a request was just submitted.
 */
export function RequestsList({ reload }: { reload: number }) {
  const [page, setPage] = useState(1);
  const [state, setState] = useState<State>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [selected, setSelected] = useState<GdprRequest | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // A new request lands on the first page (newest first).
  useEffect(() => {
    if (reload > 0) setPage(1);
  }, [reload]);

  const retry = useCallback(() => setAttempt((a) => a + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` (Retry) and `reload` (a new request) re-run the load on purpose.
  useEffect(() => {
    let live = true;
    setState((s) => (s.status === 'ready' ? s : { status: 'loading' }));
    const load = () => {
      gdprApi.requests(page).then(
        (listing) => {
          if (!live) return;
          setState({ status: 'ready', listing });
          if (listing.entities.some((r) => !isFinished(r.status))) timer.current = setTimeout(load, POLL_MS);
        },
        (e: Error) => live && setState({ status: 'error', message: e.message }),
      );
    };
    load();
    return () => {
      live = false;
      clearTimeout(timer.current);
    };
  }, [page, attempt, reload]);

  if (state.status === 'loading') return <p role="status">Loading requests…</p>;
  if (state.status === 'error') {
    return <LoadFailed what="requests" message={state.message} onRetry={retry} />;
  }
  const { listing } = state;
  if (listing.total === 0 && listing.entities.length === 0)
    return <p className="empty">No data subject requests yet.</p>;
  const names = new Map(listing.entities.map((r) => [r.id, r.name || typeLabel(r.requestType)]));
  const pending = listing.entities.filter((r) => !isFinished(r.status)).length;
  return (
    <>
      {pending > 0 && (
        <p role="status" className="hint">
          {pending === 1 ? '1 request is' : `${pending} requests are`} being processed; this list refreshes every
          second.
        </p>
      )}
      <table aria-label="Data subject requests">
        <thead>
          <tr>
            <th>Created (UTC)</th>
            <th>Name</th>
            <th>Type</th>
            <th>Subject</th>
            <th>Status</th>
            <th>Results</th>
          </tr>
        </thead>
        <tbody>
          {listing.entities.map((r) => (
            <tr key={r.id} aria-selected={selected?.id === r.id}>
              <td>{r.createdDate}</td>
              <td>{r.name || '—'}</td>
              <td>{typeLabel(r.requestType)}</td>
              <td>
                {subjectSummary(r.subject)}
                <RelatedNote request={r} names={names} />
              </td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>
                {isFinished(r.status) ? (
                  <button
                    type="button"
                    className="link"
                    aria-label={`Results of ${r.name || typeLabel(r.requestType)} (${r.id})`}
                    onClick={() => setSelected(r)}
                  >
                    Results
                  </button>
                ) : (
                  <span className="empty">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={page} pageCount={listing.pageCount} total={listing.total} onPage={setPage} />
      {selected && <RequestResults key={selected.id} request={selected} onClose={() => setSelected(null)} />}
    </>
  );
}
