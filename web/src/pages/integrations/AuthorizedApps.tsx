import { useCallback, useEffect, useState } from 'react';
import { type Authorization, GRANT_LABELS, oauthApi, STATE_LABELS } from '../../api/oauth.ts';
import { ActionsMenu, type MenuAction } from '../../components/ActionsMenu.tsx';
import { Confirm } from '../../components/Confirm.tsx';
import { useLoad } from '../../components/useLoad.ts';

export function AuthorizedApps() {
  const [filter, setFilter] = useState('');
  const [editing, setEditing] = useState<Authorization | null>(null);
  const [revoking, setRevoking] = useState<Authorization | null>(null);
  const [opened, setOpened] = useState<Authorization | null>(null);
  const [catalogue, setCatalogue] = useState<{ id: string; description: string }[]>([]);
  useEffect(() => {
    oauthApi.scopes().then(
      (s) => setCatalogue(s.entities),
      () => setCatalogue([]),
    );
  }, []);
  const describe = (id: string) => catalogue.find((s) => s.id === id)?.description ?? '';
  // The seed's row actions: Edit Authorization and Revoke Authorization (and Approve while Pending).
  const actionsOf = (a: Authorization): MenuAction[] => [
    ...(a.state === 'Requested'
      ? [{ label: 'Approve', onSelect: () => act(() => oauthApi.approve(a.client.id)) }]
      : []),
    ...(a.state !== 'Revoked'
      ? [
          { label: 'Edit Authorization', onSelect: () => setEditing(a) },
          { label: 'Revoke Authorization', onSelect: () => setRevoking(a), danger: true },
        ]
      : []),
  ];
  const { load, refresh, act, actionError } = useLoad(
    useCallback(() => oauthApi.authorizations(filter || undefined).then((r) => r.entities), [filter]),
  );

  return (
    <>
      <h1>Authorized Applications</h1>
      <label htmlFor="state-filter">State</label>
      <select id="state-filter" value={filter} onChange={(e) => setFilter(e.target.value)}>
        <option value="">All</option>
        <option value="Pending">Pending</option>
        <option value="Approved">Approved</option>
        <option value="Revoked">Revoked</option>
      </select>
      {actionError && (
        <p role="alert" className="error">
          {actionError}
        </p>
      )}
      {load.status === 'loading' && <p role="status">Loading…</p>}
      {load.status === 'error' && (
        <div role="alert" className="error">
          <p>{load.message}</p>
          <button type="button" onClick={refresh}>
            Retry
          </button>
        </div>
      )}
      {load.status === 'ready' && load.value.length === 0 && (
        <p className="empty">No authorized applications{filter ? ` in state ${filter}` : ''}.</p>
      )}
      {load.status === 'ready' && load.value.length > 0 && (
        <table aria-label="Authorized applications">
          <thead>
            <tr>
              <th>App Name</th>
              <th>Scope</th>
              <th>Roles</th>
              <th>State</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {load.value.map((a) => (
              <tr key={a.client.id}>
                <td>
                  <button type="button" className="link" onClick={() => setOpened(a)}>
                    {a.client.name}
                  </button>
                </td>
                <td>{a.scope.join(', ')}</td>
                <td>{a.roles.length}</td>
                <td>{STATE_LABELS[a.state]}</td>
                <td>
                  {actionsOf(a).length > 0 ? (
                    <ActionsMenu name={a.client.name} actions={actionsOf(a)} />
                  ) : (
                    <span className="hint">No actions</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {opened && (
        <AppDetails
          authorization={
            load.status === 'ready' ? (load.value.find((a) => a.client.id === opened.client.id) ?? opened) : opened
          }
          describe={describe}
          actions={actionsOf(opened)}
          onClose={() => setOpened(null)}
        />
      )}
      {editing && (
        <EditScopes
          catalogue={catalogue}
          authorization={editing}
          onDone={() => {
            setEditing(null);
            refresh();
          }}
        />
      )}
      {revoking && (
        <Confirm
          title={`Revoke ${revoking.client.name}?`}
          message="Revocation is immediate and cannot be undone: every token of this application stops working now, and it can only come back through a new authorization that starts Pending."
          confirmLabel="Revoke"
          danger
          onCancel={() => setRevoking(null)}
          onConfirm={() => {
            const id = revoking.client.id;
            setRevoking(null);
            act(() => oauthApi.revoke(id));
          }}
        />
      )}
    </>
  );
}

/** The application opened from its name: what it is, what it may do, and its actions. */
function AppDetails({
  authorization: a,
  describe,
  actions,
  onClose,
}: {
  authorization: Authorization;
  describe(scope: string): string;
  actions: MenuAction[];
  onClose(): void;
}) {
  return (
    <section className="panel" aria-label="Application details">
      <h2>{a.client.name}</h2>
      <dl className="summary">
        <dt>State</dt>
        <dd>{STATE_LABELS[a.state]}</dd>
        <dt>Grant type</dt>
        <dd>{GRANT_LABELS[a.client.authorizedGrantType] ?? a.client.authorizedGrantType}</dd>
        {a.client.description && (
          <>
            <dt>Description</dt>
            <dd>{a.client.description}</dd>
          </>
        )}
        <dt>Roles</dt>
        <dd>{a.roles.length}</dd>
        <dt>Last changed (UTC)</dt>
        <dd>{a.dateModified}</dd>
      </dl>
      <h3>Scope</h3>
      {a.scope.length === 0 ? (
        <p className="empty">No scopes.</p>
      ) : (
        <ul aria-label="Scopes granted">
          {a.scope.map((s) => (
            <li key={s}>
              <code>{s}</code> <span className="hint">{describe(s)}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="actions">
        {actions.map((x) => (
          <button key={x.label} type="button" className={x.danger ? 'danger' : 'secondary'} onClick={x.onSelect}>
            {x.label}
          </button>
        ))}
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}

/** Edit Authorization changes the scopes only; each is shown with what it allows. */
function EditScopes({
  authorization,
  catalogue: all,
  onDone,
}: {
  authorization: Authorization;
  catalogue: { id: string; description: string }[];
  onDone(): void;
}) {
  const [scopes, setScopes] = useState(authorization.scope);
  const [error, setError] = useState('');
  return (
    <section className="panel" aria-label="Edit Authorization">
      <h2>Edit Authorization: {authorization.client.name}</h2>
      {all.map((s) => (
        <label key={s.id} className="inline">
          <input
            type="checkbox"
            checked={scopes.includes(s.id)}
            onChange={() => setScopes(scopes.includes(s.id) ? scopes.filter((x) => x !== s.id) : [...scopes, s.id])}
          />{' '}
          {s.id} <span className="hint">{s.description}</span>
        </label>
      ))}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          onClick={async () => {
            try {
              await oauthApi.editScopes(authorization.client.id, scopes);
              onDone();
            } catch (e) {
              setError((e as Error).message);
            }
          }}
        >
          Save
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </section>
  );
}
