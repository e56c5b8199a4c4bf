import { type FormEvent, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Tabs } from '../../components/Tabs.tsx';
import { ApiFailure } from '../../api/client.ts';
import {
  type Conversation,
  conversationsApi,
  participantMedia,
  type PracticeInteraction,
} from '../../api/conversations.ts';
import { Confirm } from '../../components/Confirm.tsx';
import { InteractionAuditTrail } from './InteractionAuditTrail.tsx';
import { useLatest } from '../../components/useLatest.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The seed's risk warning, stated before anything is disconnected.
const RISK =
  'If the interaction is still genuinely active (customer still on hold, agent still connected), disconnecting it will immediately drop it — no warning is given to the customer or agent. Always verify the interaction is truly stuck before disconnecting.';

type Lookup =
  | { status: 'idle' | 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; conversation: Conversation };

function lookupError(e: unknown): string {
  if (e instanceof ApiFailure && e.status === 404)
    return 'Interaction ID not found. Wrong ID copied? Re-verify the ID from the interaction details or analytics.';
  if (e instanceof ApiFailure && e.status === 403)
    return `${e.message} (Conversation > Communication > View is needed to look up an interaction.)`;
  return (e as Error).message;
}

/** Admin → Routing → Disconnect Interactions: look up a stuck interaction, disconnect it, read its audit trail. */
export function DisconnectInteractions() {
  const [input, setInput] = useState('');
  const [invalid, setInvalid] = useState('');
  const [lookup, setLookup] = useState<Lookup>({ status: 'idle' });
  const begin = useLatest();
  const [tab, setTab] = useState<'details' | 'audits'>('details');
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const [practice, setPractice] = useState<PracticeInteraction[] | null>(null);
  const [params] = useSearchParams();

  // Arriving from a Performance view's details panel (?id=…): the ID is filled in and looked up.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once for the ID the page was opened with
  useEffect(() => {
    const id = params.get('id')?.trim();
    if (id && UUID.test(id)) {
      setInput(id);
      find(id);
    }
  }, []);

  useEffect(() => {
    conversationsApi.practice().then(
      (r) => setPractice(r.entities),
      () => setPractice([]),
    );
  }, []);

  async function find(id: string) {
    const newest = begin();
    setResult(null);
    setTab('details');
    setLookup({ status: 'loading' });
    try {
      const conversation = await conversationsApi.get(id);
      if (newest()) setLookup({ status: 'ready', conversation });
    } catch (e) {
      if (newest()) setLookup({ status: 'error', message: lookupError(e) });
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const id = input.trim();
    if (!UUID.test(id)) {
      setInvalid(
        'The Interaction ID is a UUID, such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301. Check that the whole ID was copied.',
      );
      return;
    }
    setInvalid('');
    find(id);
  }

  async function disconnect(id: string) {
    setConfirming(false);
    try {
      await conversationsApi.disconnect(id);
      setResult({
        ok: true,
        message:
          'Interaction disconnected. Real-time views and queue statistics may take 30–60 seconds to update; refresh them before concluding it did not work.',
      });
      setLookup({ status: 'ready', conversation: await conversationsApi.get(id) });
      setPractice((list) => list?.filter((p) => p.id !== id) ?? list);
    } catch (e) {
      const message =
        e instanceof ApiFailure && e.status === 404
          ? lookupError(e)
          : `The interaction could not be disconnected: ${(e as Error).message} If it persists, escalate with the Interaction ID.`;
      setResult({ ok: false, message });
    }
  }

  const c = lookup.status === 'ready' ? lookup.conversation : null;
  const media = c?.participants.map(participantMedia).find((m) => m.media !== '—')?.media ?? '—';
  const queue = c?.participants.find((p) => p.queueName)?.queueName;

  return (
    <>
      <h1>Disconnect Interactions</h1>
      <p>
        Manually terminate an interaction that is stuck: still active in queues, real-time views or reports although the
        customer and the agent have both gone.
      </p>
      <p className="warning">
        <strong>Risk:</strong> {RISK}
      </p>
      <form className="panel filters" onSubmit={submit} noValidate>
        <label htmlFor="interaction-id">Interaction ID</label>
        <input
          id="interaction-id"
          value={input}
          onChange={(e) => setInput(e.target.value)}
          placeholder="UUID"
          aria-invalid={invalid !== ''}
          aria-describedby="interaction-id-error"
        />
        <button type="submit">Look Up</button>
      </form>
      {invalid && (
        <p id="interaction-id-error" role="alert" className="error">
          {invalid}
        </p>
      )}
      {lookup.status === 'loading' && <p role="status">Looking up the interaction…</p>}
      {lookup.status === 'error' && (
        <p role="alert" className="error">
          {lookup.message}
        </p>
      )}
      {result && (
        <p role={result.ok ? 'status' : 'alert'} className={result.ok ? undefined : 'error'}>
          {result.message}
        </p>
      )}
      {result?.ok && (
        <p>
          Verify that it no longer appears: <Link to="/admin/performance/queues-activity">Queues Activity</Link>{' '}
          (real-time view and queue statistics).
        </p>
      )}
      {c && (
        <section className="panel" aria-label="Interaction details">
          <h2>
            Interaction <code>{c.id}</code>
          </h2>
          <Tabs<'details' | 'audits'>
            label="Interaction"
            tabs={[
              { key: 'details', label: 'Details' },
              { key: 'audits', label: 'Audit Trail' },
            ]}
            selected={tab}
            onSelect={setTab}
          />
          {tab === 'details' ? (
            <>
              <dl className="summary">
                <dt>Media</dt>
                <dd>{media}</dd>
                <dt>State</dt>
                <dd data-testid="interaction-state">{c.state ?? '—'}</dd>
                <dt>Queue</dt>
                <dd>{queue ?? '—'}</dd>
                <dt>Start (UTC)</dt>
                <dd>{c.startTime}</dd>
                <dt>End (UTC)</dt>
                <dd>{c.endTime ?? '—'}</dd>
              </dl>
              <h3>Participants</h3>
              {c.participants.length === 0 ? (
                <p className="empty">No participants: a ghost interaction.</p>
              ) : (
                <table aria-label="Participants">
                  <thead>
                    <tr>
                      <th>Purpose</th>
                      <th>Name</th>
                      <th>State</th>
                      <th>Wrap-up</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.participants.map((p) => (
                      <tr key={p.id}>
                        <td>{p.purpose ?? '—'}</td>
                        <td>{p.name ?? '—'}</td>
                        <td>{participantMedia(p).state}</td>
                        <td>{p.wrapup ? p.wrapup.name : p.wrapupRequired ? 'pending' : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <p>
                {c.state === 'disconnected' ? (
                  <span className="empty">This interaction is disconnected.</span>
                ) : (
                  <button type="button" className="danger" onClick={() => setConfirming(true)}>
                    Disconnect Interaction
                  </button>
                )}
              </p>
            </>
          ) : (
            <InteractionAuditTrail conversationId={c.id} />
          )}
        </section>
      )}
      {confirming && c && (
        <Confirm
          title="Disconnect this interaction?"
          message={RISK}
          confirmLabel="Disconnect Interaction"
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={() => disconnect(c.id)}
        />
      )}
      <section className="panel" aria-label="Practice interactions">
        <h2>Stuck interactions to practise on</h2>
        {practice === null && <p role="status">Loading…</p>}
        {practice?.length === 0 && (
          <p className="empty">
            No connected practice interactions. Create one with POST /api/v2/gatehouse/conversations.
          </p>
        )}
        {practice && practice.length > 0 && (
          <ul>
            {practice.map((p) => (
              <li key={p.id}>
                {p.stuckReason ?? p.mediaType} {p.queueName ? `(${p.queueName})` : ''} — <code>{p.id}</code>{' '}
                <button
                  type="button"
                  className="link"
                  aria-label={`Look up ${p.id}`}
                  onClick={() => {
                    setInput(p.id);
                    setInvalid('');
                    find(p.id);
                  }}
                >
                  Look up
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
