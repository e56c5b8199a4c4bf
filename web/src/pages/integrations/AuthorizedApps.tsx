import { useCallback, useEffect, useState } from 'react';
import { type Authorization, oauthApi, STATE_LABELS } from '../../api/oauth.ts';
import { Confirm } from '../../components/Confirm.tsx';
import { useLoad } from '../../components/useLoad.ts';

export function AuthorizedApps() {
  const [filter, setFilter] = useState('');
  const [editing, setEditing] = useState<Authorization | null>(null);
  const [revoking, setRevoking] = useState<Authorization | null>(null);
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
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Scope</th>
              <th>Roles</th>
              <th>State</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {load.value.map((a) => (
              <tr key={a.client.id}>
                <td>{a.client.name}</td>
                <td>{a.scope.join(', ')}</td>
                <td>{a.roles.length}</td>
                <td>{STATE_LABELS[a.state]}</td>
                <td className="actions">
                  {a.state === 'Requested' && (
                    <button type="button" onClick={() => act(() => oauthApi.approve(a.client.id))}>
                      Approve
                    </button>
                  )}
                  {a.state !== 'Revoked' && (
                    <button type="button" className="secondary" onClick={() => setEditing(a)}>
                      Edit Authorization
                    </button>
                  )}
                  {a.state !== 'Revoked' && (
                    <button type="button" className="danger" onClick={() => setRevoking(a)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && (
        <EditScopes
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

/** Edit Authorization changes the scopes only. */
function EditScopes({ authorization, onDone }: { authorization: Authorization; onDone(): void }) {
  const [all, setAll] = useState<{ id: string; description: string }[]>([]);
  const [scopes, setScopes] = useState(authorization.scope);
  const [error, setError] = useState('');
  useEffect(() => {
    oauthApi.scopes().then(
      (s) => setAll(s.entities),
      (e: Error) => setError(e.message),
    );
  }, []);
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
          {s.id}
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
