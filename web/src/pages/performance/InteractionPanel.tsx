import { useState } from 'react';
import { Link } from 'react-router-dom';
import { type AnalyticsConversation, formatMs } from '../../api/performance.ts';

/** Participants and segments of one interaction, with its copyable Interaction ID and the way to Disconnect. */
export function InteractionPanel({
  conversation,
  state,
  stuckReason,
  queueNames,
  onClose,
}: {
  conversation: AnalyticsConversation;
  state?: string;
  stuckReason?: string | null;
  queueNames: Map<string, string>;
  onClose(): void;
}) {
  const [copied, setCopied] = useState(false);
  const id = conversation.conversationId;
  async function copy() {
    try {
      await navigator.clipboard.writeText(id);
    } catch {
      // Clipboard access can be refused (insecure origin): the ID stays selectable on the page.
    }
    setCopied(true);
  }
  return (
    <section className="panel" aria-label="Interaction details panel">
      <h2>Interaction details</h2>
      <dl className="summary">
        <dt>Interaction ID</dt>
        <dd>
          <code data-testid="interaction-id">{id}</code>{' '}
          <button type="button" className="secondary" onClick={copy}>
            {copied ? 'Copied' : 'Copy Interaction ID'}
          </button>
        </dd>
        {state && (
          <>
            <dt>State</dt>
            <dd>{state}</dd>
          </>
        )}
        {stuckReason && (
          <>
            <dt>Looks stuck</dt>
            <dd className="error">{stuckReason}</dd>
          </>
        )}
        <dt>Start (UTC)</dt>
        <dd>{conversation.conversationStart}</dd>
        <dt>End (UTC)</dt>
        <dd>{conversation.conversationEnd ?? '— (active)'}</dd>
      </dl>
      <h3>Participants and segments</h3>
      <table aria-label="Segments">
        <thead>
          <tr>
            <th>Participant</th>
            <th>Purpose</th>
            <th>Media</th>
            <th>Segment</th>
            <th>Start (UTC)</th>
            <th>Duration</th>
            <th>Queue</th>
            <th>Wrap-up</th>
            <th>Disconnect</th>
          </tr>
        </thead>
        <tbody>
          {conversation.participants.flatMap((p) =>
            p.sessions.flatMap((s) =>
              s.segments.map((g, i) => (
                <tr key={`${s.sessionId}-${g.segmentStart}-${g.segmentType}`}>
                  <td>{i === 0 ? (p.participantName ?? '—') : ''}</td>
                  <td>{i === 0 ? p.purpose : ''}</td>
                  <td>{i === 0 ? s.mediaType : ''}</td>
                  <td>{g.segmentType}</td>
                  <td>{g.segmentStart.slice(0, 19).replace('T', ' ')}</td>
                  <td>{g.segmentEnd ? formatMs(Date.parse(g.segmentEnd) - Date.parse(g.segmentStart)) : 'open'}</td>
                  <td>{g.queueId ? (queueNames.get(g.queueId) ?? g.queueId) : ''}</td>
                  <td>{g.wrapUpCode ?? ''}</td>
                  <td>{g.disconnectType ?? ''}</td>
                </tr>
              )),
            ),
          )}
        </tbody>
      </table>
      <div className="actions">
        {(state ?? 'connected') === 'connected' && !conversation.conversationEnd && (
          <Link className="button" to={`/admin/routing/disconnect-interactions?id=${id}`}>
            Disconnect…
          </Link>
        )}
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}
