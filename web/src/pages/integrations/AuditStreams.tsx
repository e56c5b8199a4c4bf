import { type FormEvent, useCallback, useState } from 'react';
import { type AuditStream, type NewStream, streamsApi } from '../../api/streams.ts';
import { Confirm } from '../../components/Confirm.tsx';
import { useLoad } from '../../components/useLoad.ts';
import { Pager } from '../../components/Pager.tsx';

type Pending = { kind: 'delete' | 'secret'; stream: AuditStream } | null;

const when = (iso?: string) => (iso ? new Date(iso).toLocaleString() : '—');

/** Admin → Integrations → Audit Streams: where the organization's audit events are sent as they happen. */
export function AuditStreams() {
  const [page, setPage] = useState(1);
  const [adding, setAdding] = useState(false);
  const [pending, setPending] = useState<Pending>(null);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const { load, refresh, act, actionError } = useLoad(useCallback(() => streamsApi.list(page), [page]));

  return (
    <>
      <h1>Audit Streams</h1>
      <p className="hint">
        Every audit event of the organization is sent, as it happens, to each active stream: an HTTPS webhook signed
        with HMAC-SHA-256, or a NATS JetStream subject. Delivery is at least once, with stable event ids.
      </p>
      <div className="toolbar">
        {!adding && (
          <button type="button" onClick={() => setAdding(true)}>
            Add Stream
          </button>
        )}
        <button type="button" className="secondary" onClick={refresh}>
          Refresh
        </button>
      </div>
      {adding && (
        <AddStream
          onCancel={() => setAdding(false)}
          onCreated={(s) => {
            setAdding(false);
            if (s.secret) setSecret({ name: s.name, secret: s.secret });
            refresh();
          }}
        />
      )}
      {secret && <StreamSecret name={secret.name} secret={secret.secret} onClose={() => setSecret(null)} />}
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
      {load.status === 'ready' && load.value.total === 0 && (
        <p className="empty">No audit streams yet. Add one to send audit events to another system.</p>
      )}
      {load.status === 'ready' && load.value.total > 0 && (
        <>
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Destination</th>
                <th>State</th>
                <th>Pending</th>
                <th>Delivered</th>
                <th>Last delivery</th>
                <th>Last error</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {load.value.entities.map((s) => (
                <tr key={s.id}>
                  <td>{s.name}</td>
                  <td>{s.type === 'webhook' ? 'Webhook' : 'NATS'}</td>
                  <td>
                    <code>{s.url ?? s.subject}</code>
                  </td>
                  <td>{s.state === 'active' ? 'Active' : 'Disabled'}</td>
                  <td>{s.pendingEvents}</td>
                  <td>{s.deliveredEvents}</td>
                  <td>{when(s.lastDeliveredDate)}</td>
                  <td>
                    {s.lastError ? (
                      <span className="error" title={when(s.lastErrorDate)}>
                        {s.lastError}
                      </span>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => act(() => streamsApi.setState(s.id, s.state === 'active' ? 'disabled' : 'active'))}
                    >
                      {s.state === 'active' ? 'Disable' : 'Enable'}
                    </button>
                    {s.type === 'webhook' && (
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => setPending({ kind: 'secret', stream: s })}
                      >
                        Regenerate Secret
                      </button>
                    )}
                    <button type="button" className="danger" onClick={() => setPending({ kind: 'delete', stream: s })}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} pageCount={load.value.pageCount} total={load.value.total} onPage={setPage} />
        </>
      )}
      {pending?.kind === 'delete' && (
        <Confirm
          title={`Delete ${pending.stream.name}?`}
          message={`The stream stops at once${pending.stream.pendingEvents ? `, and its ${pending.stream.pendingEvents} undelivered events are dropped` : ''}. This cannot be undone.`}
          confirmLabel="Delete"
          danger
          onCancel={() => setPending(null)}
          onConfirm={() => {
            const id = pending.stream.id;
            setPending(null);
            act(() => streamsApi.remove(id));
          }}
        />
      )}
      {pending?.kind === 'secret' && (
        <Confirm
          title={`Regenerate the secret of ${pending.stream.name}?`}
          message="The current secret stops at once: the receiver must verify signatures with the new one."
          confirmLabel="Regenerate"
          onCancel={() => setPending(null)}
          onConfirm={() => {
            const s = pending.stream;
            setPending(null);
            act(async () => {
              const updated = await streamsApi.regenerateSecret(s.id);
              if (updated.secret) setSecret({ name: s.name, secret: updated.secret });
            });
          }}
        />
      )}
    </>
  );
}

function AddStream({ onCancel, onCreated }: { onCancel(): void; onCreated(s: AuditStream): void }) {
  const [form, setForm] = useState<NewStream>({ name: '', type: 'webhook', url: '', subject: '' });
  const [error, setError] = useState('');
  const [saving, setSaving] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setSaving(true);
    try {
      const body: NewStream =
        form.type === 'webhook'
          ? { name: form.name, type: 'webhook', url: form.url }
          : { name: form.name, type: 'nats', ...(form.subject ? { subject: form.subject } : {}) };
      onCreated(await streamsApi.create(body));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };
  return (
    <form onSubmit={submit} aria-label="Add stream" className="panel">
      <label htmlFor="stream-name">Name</label>
      <input id="stream-name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      <label htmlFor="stream-type">Type</label>
      <select
        id="stream-type"
        value={form.type}
        onChange={(e) => setForm({ ...form, type: e.target.value as NewStream['type'] })}
      >
        <option value="webhook">HTTPS webhook</option>
        <option value="nats">NATS JetStream</option>
      </select>
      {form.type === 'webhook' ? (
        <>
          <label htmlFor="stream-url">URL</label>
          <input
            id="stream-url"
            type="url"
            required
            placeholder="https://…"
            value={form.url}
            onChange={(e) => setForm({ ...form, url: e.target.value })}
          />
        </>
      ) : (
        <>
          <label htmlFor="stream-subject">Subject (optional)</label>
          <input
            id="stream-subject"
            placeholder="gatehouse.audit.<organization id>"
            value={form.subject}
            onChange={(e) => setForm({ ...form, subject: e.target.value })}
          />
        </>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function StreamSecret({ name, secret, onClose }: { name: string; secret: string; onClose(): void }) {
  return (
    <section className="secret" aria-label="Stream secret">
      <p className="warning" role="alert">
        Copy the signing secret of {name} now. It is shown only once; if you lose it, regenerate it.
      </p>
      <code data-testid="stream-secret">{secret}</code>
      <div className="actions">
        <button type="button" onClick={() => navigator.clipboard?.writeText(secret).catch(() => undefined)}>
          Copy secret
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Done
        </button>
      </div>
    </section>
  );
}
