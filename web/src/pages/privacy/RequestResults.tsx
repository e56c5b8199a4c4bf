import { useEffect, useMemo, useState } from 'react';
import { type GdprRequest, type GdprResults, gdprApi } from '../../api/gdpr.ts';
import { subjectSummary, typeLabel } from './labels.tsx';

type Load = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; results: GdprResults };

function size(section: unknown): string {
  if (Array.isArray(section)) return `${section.length} ${section.length === 1 ? 'record' : 'records'}`;
  if (section && typeof section === 'object') {
    // A section's lists say most (e.g. "events: 3"); otherwise count its fields.
    const lists = Object.entries(section).filter(([, v]) => Array.isArray(v)) as [string, unknown[]][];
    if (lists.length) return lists.map(([k, v]) => `${k}: ${v.length}`).join(', ');
    const n = Object.keys(section).length;
    return `${n} ${n === 1 ? 'field' : 'fields'}`;
  }
  return section === null || section === undefined ? 'nothing' : '1 value';
}

/**
 * A finished request's results: the export (download + summary), the counts of changes, or the
 * error. An export whose data was deleted when its subject was later erased says so instead.
 */
export function RequestResults({ request, onClose }: { request: GdprRequest; onClose(): void }) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });

  useEffect(() => {
    let live = true;
    setLoad({ status: 'loading' });
    gdprApi.results(request).then(
      (results) => live && setLoad({ status: 'ready', results }),
      (e: Error) => live && setLoad({ status: 'error', message: e.message }),
    );
    return () => {
      live = false;
    };
  }, [request]);

  const results = load.status === 'ready' ? load.results : null;
  const json = useMemo(() => (results ? JSON.stringify(results, null, 2) : ''), [results]);
  const [href, setHref] = useState('');
  useEffect(() => {
    if (results?.requestType !== 'GDPR_EXPORT' || results.status !== 'COMPLETED' || results.redacted) return;
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    setHref(url);
    return () => {
      URL.revokeObjectURL(url);
      setHref('');
    };
  }, [results, json]);

  const verb = request.requestType === 'GDPR_DELETE' ? 'erased' : 'changed';
  const outcome = Object.entries(results?.outcome ?? {}).flatMap(([source, kinds]) =>
    Object.entries(kinds).map(([kind, count]) => ({ source, kind, count })),
  );

  return (
    <section className="panel wide" aria-label="Request results">
      <h2>
        Results: {typeLabel(request.requestType)}
        {request.name ? ` — ${request.name}` : ''}
      </h2>
      <p>
        Subject: {subjectSummary(request.subject)} · request <code>{request.id}</code>
      </p>
      {load.status === 'loading' && <p role="status">Loading results…</p>}
      {load.status === 'error' && (
        <p role="alert" className="error">
          {load.message}
        </p>
      )}
      {results?.completedDate && <p>Finished {results.completedDate} (UTC).</p>}
      {results && (results.status === 'ERROR' || results.error) && (
        <p role="alert" className="error">
          The request failed: {results.error ?? 'no reason was given.'}
        </p>
      )}
      {results?.redacted && <p className="warning">{results.redacted}</p>}
      {results && !results.redacted && results.requestType === 'GDPR_EXPORT' && results.status === 'COMPLETED' && (
        <>
          {Object.keys(results.data ?? {}).length === 0 ? (
            <p className="empty">Gatehouse holds no personal data about this subject.</p>
          ) : (
            <ul aria-label="Export summary">
              {Object.entries(results.data ?? {}).map(([source, section]) => (
                <li key={source}>
                  {source}: {size(section)}
                </li>
              ))}
            </ul>
          )}
          {href && (
            <p>
              <a className="button" href={href} download={`gdpr-export-${request.id}.json`}>
                Download export (JSON)
              </a>
            </p>
          )}
          <details open>
            <summary>Exported data (JSON)</summary>
            <pre className="export">{json}</pre>
          </details>
        </>
      )}
      {results &&
        results.requestType !== 'GDPR_EXPORT' &&
        results.status === 'COMPLETED' &&
        (outcome.length === 0 ? (
          <p className="empty">Nothing matched: no values were {verb}.</p>
        ) : (
          <table aria-label={`Values ${verb}`}>
            <thead>
              <tr>
                <th>Source</th>
                <th>Kind</th>
                <th>Values {verb}</th>
              </tr>
            </thead>
            <tbody>
              {outcome.map((o) => (
                <tr key={`${o.source}/${o.kind}`}>
                  <td>{o.source}</td>
                  <td>{o.kind}</td>
                  <td>{o.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      <p>
        <button type="button" className="secondary" onClick={onClose}>
          Close results
        </button>
      </p>
    </section>
  );
}
