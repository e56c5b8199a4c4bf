import { type FormEvent, useEffect, useState } from 'react';
import { type AnalyticsConversation, formatMs, performanceApi, type Queue, type User } from '../../api/performance.ts';
import { InteractionPanel } from './InteractionPanel.tsx';
import { useLatest } from '../../components/useLatest.ts';

const PAGE = 25;
const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/** Performance → Interaction Details: search by agent, queue and time range; open one to see its segments. */
export function InteractionDetails() {
  const [queues, setQueues] = useState<Queue[]>([]);
  const [users, setUsers] = useState<User[]>([]);
  const [queueId, setQueueId] = useState('');
  const [userId, setUserId] = useState('');
  const [from, setFrom] = useState(local(new Date(Date.now() - 86_400_000)));
  const [to, setTo] = useState(local(new Date()));
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<{ conversations: AnalyticsConversation[]; total: number } | null>(null);
  const [error, setError] = useState('');
  const [selected, setSelected] = useState<AnalyticsConversation | null>(null);

  const begin = useLatest();

  useEffect(() => {
    performanceApi.queues().then(
      (r) => setQueues(r.entities),
      () => {},
    );
    performanceApi.users().then(
      (r) => setUsers(r.entities),
      () => {},
    );
  }, []);

  async function search(pageNumber: number) {
    const newest = begin();
    setError('');
    const predicates = [
      ...(queueId ? [{ type: 'dimension', dimension: 'queueId', operator: 'matches', value: queueId }] : []),
      ...(userId ? [{ type: 'dimension', dimension: 'userId', operator: 'matches', value: userId }] : []),
    ];
    try {
      const res = await performanceApi.details({
        interval: `${new Date(from).toISOString()}/${new Date(to).toISOString()}`,
        order: 'desc',
        paging: { pageSize: PAGE, pageNumber },
        ...(predicates.length ? { segmentFilters: predicates.map((p) => ({ type: 'and', predicates: [p] })) } : {}),
      });
      if (!newest()) return;
      setPage(pageNumber);
      setResult({ conversations: res.conversations ?? [], total: res.totalHits });
    } catch (e) {
      if (newest()) setError((e as Error).message);
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    search(1);
  }

  const queueNames = new Map(queues.map((q) => [q.id, q.name]));
  const userNames = new Map(users.map((u) => [u.id, u.name]));
  const pages = result ? Math.max(1, Math.ceil(result.total / PAGE)) : 1;

  return (
    <>
      <h1>Interaction Details</h1>
      <form className="panel filters" onSubmit={submit}>
        <label htmlFor="agent">Agent</label>
        <select id="agent" value={userId} onChange={(e) => setUserId(e.target.value)}>
          <option value="">Any agent</option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
        <label htmlFor="queue">Queue</label>
        <select id="queue" value={queueId} onChange={(e) => setQueueId(e.target.value)}>
          <option value="">Any queue</option>
          {queues.map((q) => (
            <option key={q.id} value={q.id}>
              {q.name}
            </option>
          ))}
        </select>
        <label htmlFor="from">From</label>
        <input id="from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} required />
        <label htmlFor="to">To</label>
        <input id="to" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} required />
        <button type="submit">Search</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {result && (
        <>
          <p role="status">{result.total} interactions</p>
          <table aria-label="Interactions">
            <thead>
              <tr>
                <th>Start (UTC)</th>
                <th>Media</th>
                <th>Queues</th>
                <th>Agents</th>
                <th>Duration</th>
                <th>Interaction ID</th>
              </tr>
            </thead>
            <tbody>
              {result.conversations.map((c) => {
                const segs = c.participants.flatMap((p) => p.sessions.flatMap((s) => s.segments));
                const qs = [...new Set(segs.map((g) => g.queueId).filter(Boolean) as string[])];
                const agents = c.participants.filter((p) => p.purpose === 'agent' && p.userId);
                return (
                  <tr key={c.conversationId}>
                    <td>{c.conversationStart.slice(0, 19).replace('T', ' ')}</td>
                    <td>{c.participants[0]?.sessions[0]?.mediaType ?? '—'}</td>
                    <td>{qs.map((q) => queueNames.get(q) ?? q).join(', ') || '—'}</td>
                    <td>{agents.map((a) => userNames.get(a.userId!) ?? a.participantName).join(', ') || '—'}</td>
                    <td>
                      {c.conversationEnd
                        ? formatMs(Date.parse(c.conversationEnd) - Date.parse(c.conversationStart))
                        : 'active'}
                    </td>
                    <td>
                      <button type="button" className="link" onClick={() => setSelected(c)}>
                        {c.conversationId}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="pager">
            <button type="button" disabled={page <= 1} onClick={() => search(page - 1)}>
              Previous
            </button>
            <span>
              Page {page} of {pages}
            </span>
            <button type="button" disabled={page >= pages} onClick={() => search(page + 1)}>
              Next
            </button>
          </div>
        </>
      )}
      {selected && (
        <InteractionPanel conversation={selected} queueNames={queueNames} onClose={() => setSelected(null)} />
      )}
    </>
  );
}
