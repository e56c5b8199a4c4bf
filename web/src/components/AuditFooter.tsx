import { useEffect, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { type AuditMessage, auditApi } from '../api/audit.ts';
import { footerInterval } from './audit-range.ts';

type Scope = { serviceName: string; entityType: string };

/** What each admin page manages, as audit service and entity type; the first is the page's main one. */
const PAGE_AUDITS: Record<string, Scope[]> = {
  '/admin/integrations/oauth': [{ serviceName: 'OAuth', entityType: 'OAuthClient' }],
  '/admin/integrations/authorized-applications': [{ serviceName: 'OAuth', entityType: 'AuthorizedApplication' }],
  '/admin/integrations/sso': [
    { serviceName: 'Integrations', entityType: 'IdentityProvider' },
    { serviceName: 'Integrations', entityType: 'SsoSettings' },
  ],
  '/admin/integrations/audit-streams': [{ serviceName: 'Integrations', entityType: 'AuditStream' }],
  '/admin/people/users': [
    { serviceName: 'Directory', entityType: 'User' },
    { serviceName: 'Authorization', entityType: 'UserRoles' },
  ],
  '/admin/people/roles': [{ serviceName: 'Authorization', entityType: 'Role' }],
  '/admin/routing/disconnect-interactions': [{ serviceName: 'Conversations', entityType: 'Conversation' }],
  '/admin/privacy/data-subject-requests': [{ serviceName: 'GDPR', entityType: 'GDPRRequest' }],
};

/** The list page a detail page belongs to: `…/new`, `…/<uuid>` and any provider under `…/sso/` (e.g. `okta`). */
export function auditPageOf(pathname: string): string {
  const path = pathname.replace(/\/+$/, '');
  if (path.startsWith('/admin/integrations/sso/')) return '/admin/integrations/sso';
  return path.replace(/\/(new|[0-9a-f-]{36})$/, '');
}

const SHOWN = 5;

const KEY = 'gatehouse.auditFooter';

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
  const scopes = PAGE_AUDITS[auditPageOf(useLocation().pathname)];
  const [events, setEvents] = useState<AuditMessage[] | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    setEvents(null);
    if (!scopes) return;
    setError('');
    const interval = footerInterval(Date.now());
    // One query per entity type (a page may span services), merged newest first.
    Promise.all(
      scopes.map((s) =>
        auditApi.realtime({
          interval,
          serviceName: s.serviceName,
          filters: [{ property: 'EntityType', value: s.entityType }],
          pageNumber: 1,
          pageSize: SHOWN,
        }),
      ),
    ).then(
      (pages) =>
        setEvents(
          pages
            .flatMap((p) => p.entities)
            .sort((a, b) => (a.eventDate < b.eventDate ? 1 : a.eventDate > b.eventDate ? -1 : 0))
            .slice(0, SHOWN),
        ),
      (e: Error) => setError(e.message),
    );
  }, [scopes]);

  const main = scopes?.[0];
  const viewer = main
    ? `/admin/troubleshooting/audit-viewer?service=${main.serviceName}&entityType=${main.entityType}`
    : '/admin/troubleshooting/audit-viewer';
  return (
    <section className="audit-footer" aria-label="Recent audits">
      <strong>Recent audits</strong>
      {!scopes && <p className="empty">This page has no audited entities.</p>}
      {scopes && error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {scopes && !error && events === null && <p role="status">Loading…</p>}
      {events?.length === 0 && <p className="empty">No changes in the last 14 days.</p>}
      {events && events.length > 0 && (
        <ul>
          {events.map((e) => (
            <li key={e.id}>
              {e.eventDate} — {e.action} {e.entity.name ?? e.entity.id} by{' '}
              {e.user?.name ?? e.user?.id ?? (e.client ? 'an OAuth client' : 'the system')}
            </li>
          ))}
        </ul>
      )}
      <Link to={viewer}>Open in Audit Viewer</Link>
    </section>
  );
}
