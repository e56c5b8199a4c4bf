import { useState } from 'react';
import type { AuditMessage } from '../../api/audit.ts';
import { ApiFailure } from '../../api/client.ts';
import { conversationsApi } from '../../api/conversations.ts';

type Trail =
  | { status: 'idle' | 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; entities: AuditMessage[] };

const MAX_PAGES = 10;

function who(e: AuditMessage) {
  if (e.user) return `${e.user.name ?? e.user.id} (user)`;
  if (e.client) return `OAuth client ${e.client.id}`;
  return 'System';
}

/** The interaction's Audit Trail tab: Load All Audits (Audits > Interaction Details > View). */
export function InteractionAuditTrail({ conversationId }: { conversationId: string }) {
  const [trail, setTrail] = useState<Trail>({ status: 'idle' });

  async function loadAll() {
    setTrail({ status: 'loading' });
    try {
      const entities: AuditMessage[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const r = await conversationsApi.audits(conversationId, page);
        entities.push(...r.entities);
        if (page >= r.pageCount) break;
      }
      setTrail({ status: 'ready', entities });
    } catch (e) {
      const message =
        e instanceof ApiFailure && e.status === 403
          ? "You need Audits > Interaction Details > View to see this interaction's audit trail."
          : (e as Error).message;
      setTrail({ status: 'error', message });
    }
  }

  return (
    <section aria-label="Audit trail">
      <p>
        <button type="button" onClick={loadAll}>
          Load All Audits
        </button>
      </p>
      {trail.status === 'idle' && (
        <p className="empty">Load the audits to see who created and disconnected this interaction.</p>
      )}
      {trail.status === 'loading' && <p role="status">Loading audits…</p>}
      {trail.status === 'error' && (
        <p role="alert" className="error">
          {trail.message}
        </p>
      )}
      {trail.status === 'ready' && trail.entities.length === 0 && (
        <p className="empty">No audits recorded for this interaction.</p>
      )}
      {trail.status === 'ready' && trail.entities.length > 0 && (
        <table aria-label="Interaction audits">
          <thead>
            <tr>
              <th>Date (UTC)</th>
              <th>Action</th>
              <th>Changed by</th>
              <th>Remote IP</th>
              <th>Changes (before → after)</th>
            </tr>
          </thead>
          <tbody>
            {trail.entities.map((e) => (
              <tr key={e.id}>
                <td>{e.eventDate}</td>
                <td>{e.action}</td>
                <td>{who(e)}</td>
                <td>{e.remoteIp.join(', ') || '—'}</td>
                <td>
                  <ul>
                    {e.propertyChanges.map((c) => (
                      <li key={c.property}>
                        {c.property}: {c.oldValues.join(', ') || '—'} → {c.newValues.join(', ') || '—'}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
