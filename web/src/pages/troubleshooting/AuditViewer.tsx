import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { type AuditMessage, auditApi, type ServiceMapping } from '../../api/audit.ts';
import { AuditDetails } from './AuditDetails.tsx';
import { Pager } from '../../components/Pager.tsx';
import { UserPicker } from '../../components/UserPicker.tsx';
import type { UserSummary } from '../../api/users.ts';

const DAY = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
type Result =
  | { status: 'idle' | 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; entities: AuditMessage[]; pageCount: number; total: number };

/** Admin → Troubleshooting → Audit Viewer (dates are UTC days; at most 14 of them). */
export function AuditViewer() {
  const [search] = useSearchParams();
  const [mapping, setMapping] = useState<ServiceMapping>({ services: [] });
  const [from, setFrom] = useState(today());
  const [to, setTo] = useState(today());
  // The audits footer links here with its page's service and entity type.
  const [service, setService] = useState(search.get('service') ?? '');
  const [entityType, setEntityType] = useState(search.get('entityType') ?? '');
  const [action, setAction] = useState('');
  const [entityId, setEntityId] = useState('');
  const [user, setUser] = useState<UserSummary | null>(null);
  const [userText, setUserText] = useState('');
  const [userError, setUserError] = useState('');
  const details = useRef<HTMLDivElement>(null);
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<Result>({ status: 'idle' });
  const [selected, setSelected] = useState<AuditMessage | null>(null);

  useEffect(() => {
    auditApi.mapping().then(setMapping, (e: Error) => setResult({ status: 'error', message: e.message }));
  }, []);

  const entities = mapping.services.find((s) => s.name === service)?.entities ?? [];
  const actions = entities.find((e) => e.name === entityType)?.actions ?? [];

  async function run(pageNumber: number) {
    // A name that matches no one (or several people, none picked) must say so, not find nothing.
    if (userText.trim() && !user) {
      setUserError(`No user is named "${userText.trim()}": pick one from the suggestions.`);
      return;
    }
    setUserError('');
    const start = new Date(`${from}T00:00:00Z`);
    const end = new Date(new Date(`${to}T00:00:00Z`).getTime() + DAY);
    const filters = [
      ...(entityType ? [{ property: 'EntityType', value: entityType }] : []),
      ...(action ? [{ property: 'Action', value: action }] : []),
      ...(entityId.trim() ? [{ property: 'EntityId', value: entityId.trim() }] : []),
      ...(user && userText.trim() ? [{ property: 'UserId', value: user.id }] : []),
    ];
    setPage(pageNumber);
    setResult({ status: 'loading' });
    try {
      const r = await auditApi.realtime({
        interval: `${start.toISOString()}/${end.toISOString()}`,
        serviceName: service || undefined,
        filters,
        pageNumber,
        pageSize: 25,
      });
      setResult({ status: 'ready', entities: r.entities, pageCount: r.pageCount, total: r.total });
    } catch (e) {
      setResult({ status: 'error', message: (e as Error).message });
    }
  }

  async function open(id: string) {
    const r = await auditApi.related(id).catch(() => null);
    setSelected(r?.entities.find((e) => e.id === id) ?? null);
  }

  // The details open where the administrator looks: scrolled into view, focus on their heading.
  useEffect(() => {
    if (!selected) return;
    details.current?.scrollIntoView({ block: 'start' });
    details.current?.querySelector<HTMLElement>('h2')?.focus();
  }, [selected]);

  return (
    <>
      <h1>Audit Viewer</h1>
      <form
        className="panel filters"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          run(1);
        }}
      >
        <label htmlFor="from">From (UTC day)</label>
        <input id="from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        <label htmlFor="to">To (UTC day, at most 14 days after From)</label>
        <input id="to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        <label htmlFor="service">Service</label>
        <select
          id="service"
          value={service}
          onChange={(e) => {
            setService(e.target.value);
            setEntityType('');
            setAction('');
          }}
        >
          <option value="">All services</option>
          {mapping.services.map((s) => (
            <option key={s.name}>{s.name}</option>
          ))}
        </select>
        <label htmlFor="entity-type">Entity Type</label>
        <select
          id="entity-type"
          value={entityType}
          disabled={!service}
          onChange={(e) => {
            setEntityType(e.target.value);
            setAction('');
          }}
        >
          <option value="">All entity types</option>
          {entities.map((e) => (
            <option key={e.name}>{e.name}</option>
          ))}
        </select>
        <label htmlFor="action">Action</label>
        <select id="action" value={action} disabled={!entityType} onChange={(e) => setAction(e.target.value)}>
          <option value="">All actions</option>
          {actions.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
        <label htmlFor="entity-id">Entity ID</label>
        <input id="entity-id" value={entityId} onChange={(e) => setEntityId(e.target.value)} />
        <label htmlFor="user">User</label>
        <UserPicker
          id="user"
          label="User"
          value={user}
          error={userError}
          onChange={(u, text) => {
            setUser(u);
            setUserText(text);
            setUserError('');
          }}
        />
        <button type="submit">Refresh</button>
      </form>
      {result.status === 'idle' && <p className="empty">Choose dates and filters, then Refresh.</p>}
      {result.status === 'loading' && <p role="status">Loading…</p>}
      {result.status === 'error' && (
        <p role="alert" className="error">
          {result.message}
        </p>
      )}
      {result.status === 'ready' && result.total === 0 && <p className="empty">No audits match.</p>}
      {result.status === 'ready' && result.total > 0 && (
        <>
          <table aria-label="Audits">
            <thead>
              <tr>
                <th>Date (UTC)</th>
                <th>Service</th>
                <th>Entity Type</th>
                <th>Entity</th>
                <th>Action</th>
                <th>Changed by</th>
              </tr>
            </thead>
            <tbody>
              {result.entities.map((e) => (
                <tr key={e.id} aria-selected={selected?.id === e.id}>
                  <td>
                    <button type="button" className="link" onClick={() => setSelected(e)}>
                      {e.eventDate}
                    </button>
                  </td>
                  <td>{e.serviceName}</td>
                  <td>{e.entityType}</td>
                  <td>{e.entity.name ?? e.entity.id}</td>
                  <td>{e.action}</td>
                  <td>{e.user?.name ?? (e.client ? `client ${e.client.id.slice(0, 8)}` : 'System')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} pageCount={result.pageCount} total={result.total} onPage={run} />
        </>
      )}
      <div ref={details}>{selected && <AuditDetails key={selected.id} event={selected} onOpen={open} />}</div>
    </>
  );
}
