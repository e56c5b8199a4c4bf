import { useState } from 'react';
import { type AuditMessage, auditApi } from '../../api/audit.ts';

const SHORT = 80;

/**
 * One before/after value: long ones (certificates, keys, JSON) are cut to a line with a way to
 * read them in full, wrapped in a scrolling box, so they never widen the page.
 */
export function ChangeValue({ values }: { values: string[] }) {
  const text = values.join(', ');
  if (text.length <= SHORT && !text.includes('\n')) return <>{text}</>;
  const pem = /-----BEGIN ([A-Z ]+)-----/.exec(text)?.[1];
  return (
    <details className="long-value">
      <summary>
        <span className="long-value-head">{pem ? `${pem.toLowerCase()} (PEM)` : `${text.slice(0, 48)}…`}</span>{' '}
        <small>show all {text.length.toLocaleString('en-US')} characters</small>
      </summary>
      <pre>{text}</pre>
    </details>
  );
}

/** Who, where, the causing event, the before/after of every property, and related audits. */
export function AuditDetails({ event, onOpen }: { event: AuditMessage; onOpen(id: string): void }) {
  const [related, setRelated] = useState<AuditMessage[] | null>(null);
  const [error, setError] = useState('');
  return (
    <section className="panel audit-details" aria-label="Audit details">
      <h2 tabIndex={-1}>
        {event.entityType} {event.action}
      </h2>
      <dl className="summary">
        <dt>Date (UTC)</dt>
        <dd>{event.eventDate}</dd>
        <dt>Entity</dt>
        <dd>
          {event.entity.name ?? ''} <code>{event.entity.id}</code>
        </dd>
        <dt>Changed by</dt>
        <dd>
          {event.user
            ? `${event.user.name ?? event.user.id} (user)`
            : event.client
              ? `OAuth client ${event.client.id}`
              : 'System / upstream service'}
        </dd>
        {event.client && event.user && (
          <>
            <dt>Through OAuth client</dt>
            <dd>
              <code>{event.client.id}</code>
            </dd>
          </>
        )}
        <dt>Remote IP</dt>
        <dd>{event.remoteIp.join(', ') || '—'}</dd>
        {event.initiatingAction?.transactionId && (
          <>
            <dt>Caused by</dt>
            <dd>
              <button type="button" className="link" onClick={() => onOpen(event.initiatingAction!.transactionId!)}>
                causing event
              </button>
            </dd>
          </>
        )}
      </dl>
      <h3>Property changes</h3>
      {event.propertyChanges.length === 0 ? (
        <p className="empty">No property changes recorded.</p>
      ) : (
        <table aria-label="Property changes">
          <thead>
            <tr>
              <th>Property</th>
              <th>Before</th>
              <th>After</th>
            </tr>
          </thead>
          <tbody>
            {event.propertyChanges.map((c) => (
              <tr key={c.property}>
                <td>{c.property}</td>
                <td>
                  <ChangeValue values={c.oldValues} />
                </td>
                <td>
                  <ChangeValue values={c.newValues} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            auditApi.related(event.id).then(
              (r) => setRelated(r.entities),
              (e: Error) => setError(e.message),
            )
          }
        >
          See related audits
        </button>
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {related && (
        <ul aria-label="Related audits">
          {related.map((r) => (
            <li key={r.id}>
              <button type="button" className="link" onClick={() => onOpen(r.id)}>
                {r.eventDate} — {r.serviceName} {r.entityType} {r.action} {r.entity.name ?? r.entity.id}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
