import { useEffect, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { type AuditMessage, auditApi } from '../api/audit.ts';

/** What each admin page manages, as audit service and entity type. */
const PAGE_AUDITS: Record<string, { serviceName: string; entityType: string }> = {
  '/admin/integrations/oauth': { serviceName: 'OAuth', entityType: 'OAuthClient' },
  '/admin/integrations/authorized-applications': { serviceName: 'OAuth', entityType: 'AuthorizedApplication' },
  '/admin/people/users': { serviceName: 'Directory', entityType: 'User' },
  '/admin/people/roles': { serviceName: 'Authorization', entityType: 'Role' },
};

const KEY = 'gatehouse.auditFooter';
const DAY = 86_400_000;

export function useAuditFooterToggle() {
  const [on, setOn] = useState(() => localStorage.getItem(KEY) === 'on');
  const toggle = () => {
    localStorage.setItem(KEY, on ? 'off' : 'on');
    setOn(!on);
  };
  return { on, toggle };
}

/** The mini viewer: the latest audits of what this page manages, linking to the full viewer. */
export function AuditFooter() {
  const path = useLocation().pathname.replace(/\/(new|[0-9a-f-]{36})$/, '');
  const scope = PAGE_AUDITS[path];
  const [events, setEvents] = useState<AuditMessage[] | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    if (!scope) return;
    setEvents(null);
    setError('');
    // Exactly 14 days ending a minute from now (the realtime limit).
    const interval = `${new Date(Date.now() - 14 * DAY + 60_000).toISOString()}/${new Date(Date.now() + 60_000).toISOString()}`;
    auditApi
      .realtime({ interval, serviceName: scope.serviceName, filters: [{ property: 'EntityType', value: scope.entityType }], pageNumber: 1, pageSize: 5 })
      .then((r) => setEvents(r.entities), (e: Error) => setError(e.message));
  }, [scope]);

  const viewer = scope ? `/admin/troubleshooting/audit-viewer?service=${scope.serviceName}&entityType=${scope.entityType}` : '/admin/troubleshooting/audit-viewer';
  return (
    <section className="audit-footer" aria-label="Recent audits">
      <strong>Recent audits</strong>
      {!scope && <p className="empty">This page has no audited entities.</p>}
      {scope && error && <p role="alert" className="error">{error}</p>}
      {scope && !error && events === null && <p role="status">Loading…</p>}
      {events?.length === 0 && <p className="empty">No changes in the last 14 days.</p>}
      {events && events.length > 0 && (
        <ul>
          {events.map((e) => (
            <li key={e.id}>{e.eventDate} — {e.action} {e.entity.name ?? e.entity.id} by {e.user?.name ?? e.user?.id ?? (e.client ? 'an OAuth client' : 'the system')}</li>
          ))}
        </ul>
      )}
      <Link to={viewer}>Open in Audit Viewer</Link>
    </section>
  );
}
