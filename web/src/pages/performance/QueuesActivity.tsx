import { useCallback, useEffect, useState } from 'react';
import {
  type ActiveInteraction,
  figure,
  formatMs,
  type InteractionDetail,
  type ObservationResult,
  performanceApi,
  type Queue,
} from '../../api/performance.ts';
import { InteractionPanel } from './InteractionPanel.tsx';

/** How often the view refreshes itself (the seed: real-time views update within moments). */
export const REFRESH_MS = 3000;

interface Snapshot {
  queues: Queue[];
  results: ObservationResult[];
  active: ActiveInteraction[];
  at: Date;
}

/**
 * Performance → Queues Activity: queue observations and the live interactions, refreshed in
 * place every few seconds; stuck-looking interactions are flagged with the reason; a details
 * panel shows the copyable Interaction ID and leads to Disconnect Interactions.
 */
export function QueuesActivity() {
  const [snap, setSnap] = useState<Snapshot | null>(null);
  const [error, setError] = useState('');
  const [selected, setSelected] = useState<InteractionDetail | null>(null);
  const [stuckOnly, setStuckOnly] = useState(false);

  const load = useCallback(async () => {
    try {
      const queues = (await performanceApi.queues()).entities;
      const [obs, active] = await Promise.all([
        queues.length ? performanceApi.observations(queues.map((q) => q.id)) : Promise.resolve({ results: [] }),
        performanceApi.active(),
      ]);
      setSnap({ queues, results: obs.results, active: active.entities, at: new Date() });
      setError('');
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  // A disconnected interaction leaves the list: close its panel when it is gone.
  useEffect(() => {
    if (selected && snap && !snap.active.some((a) => a.id === selected.conversationId)) setSelected(null);
  }, [snap, selected]);

  async function open(id: string) {
    try {
      setSelected(await performanceApi.interaction(id));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const queueNames = new Map((snap?.queues ?? []).map((q) => [q.id, q.name]));
  const active = (snap?.active ?? []).filter((a) => !stuckOnly || a.stuckReason);
  const stuckCount = (snap?.active ?? []).filter((a) => a.stuckReason).length;

  return (
    <>
      <h1>Queues Activity</h1>
      <p>
        Real-time view: what is in each queue now and every active interaction. Refreshes every {REFRESH_MS / 1000}{' '}
        seconds{snap ? `; last update ${snap.at.toISOString().slice(11, 19)} UTC` : ''}.
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!snap && !error && <p role="status">Loading…</p>}
      {snap && (
        <>
          <table aria-label="Queues">
            <thead>
              <tr>
                <th>Queue</th>
                <th>Waiting</th>
                <th>Interacting</th>
                <th>Longest waiting</th>
                <th>On queue (idle / interacting)</th>
                <th>Members</th>
              </tr>
            </thead>
            <tbody>
              {snap.queues.map((q) => {
                const r = snap.results.find((x) => x.group.queueId === q.id);
                const longest = r?.data.find((d) => d.metric === 'oLongestWaiting')?.stats.max;
                return (
                  <tr key={q.id} data-queue={q.name}>
                    <th scope="row">{q.name}</th>
                    <td data-metric="waiting">{figure(r, 'oWaiting')}</td>
                    <td data-metric="interacting">{figure(r, 'oInteracting')}</td>
                    <td>{longest !== undefined ? formatMs(longest) : '—'}</td>
                    <td>
                      {figure(r, 'oOnQueueUsers', 'IDLE')} / {figure(r, 'oOnQueueUsers', 'INTERACTING')}
                    </td>
                    <td>{figure(r, 'oMemberUsers')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <h2>Active interactions ({snap.active.length})</h2>
          <label className="inline">
            <input type="checkbox" checked={stuckOnly} onChange={(e) => setStuckOnly(e.target.checked)} /> Only those
            that look stuck ({stuckCount})
          </label>
          <table aria-label="Active interactions">
            <thead>
              <tr>
                <th>Media</th>
                <th>Queue</th>
                <th>Customer</th>
                <th>Agents</th>
                <th>Now</th>
                <th>Active for</th>
                <th>Flag</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {active.map((a) => (
                <tr key={a.id} data-interaction={a.id} className={a.stuckReason ? 'stuck' : undefined}>
                  <td>{a.mediaType}</td>
                  <td>{a.queueName ?? '—'}</td>
                  <td>{a.customer ?? '—'}</td>
                  <td>{a.agents.join(', ') || '—'}</td>
                  <td>{a.activity}</td>
                  <td>{formatMs(snap.at.getTime() - Date.parse(a.startTime))}</td>
                  <td>{a.stuckReason ? <span className="badge badge-failed">Stuck: {a.stuckReason}</span> : ''}</td>
                  <td>
                    <button type="button" className="link" onClick={() => open(a.id)}>
                      Details
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {active.length === 0 && <p className="empty">No active interactions.</p>}
        </>
      )}
      {selected && (
        <InteractionPanel
          conversation={selected}
          state={selected.state}
          stuckReason={selected.stuckReason}
          queueNames={queueNames}
          onClose={() => setSelected(null)}
        />
      )}
    </>
  );
}
