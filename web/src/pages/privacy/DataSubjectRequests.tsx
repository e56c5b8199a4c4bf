import { useState } from 'react';
import type { GdprSubject } from '../../api/gdpr.ts';
import { RequestForm } from './RequestForm.tsx';
import { RequestsList } from './RequestsList.tsx';
import { SubjectSearch } from './SubjectSearch.tsx';

/**
 * Admin → Privacy → Data Subject Requests (GDPR Art. 15 access, 16 rectification, 17 erasure):
 * find the subject first, then submit an export, update or delete request for exactly what was
 * found; requests are processed in the background and their results read here.
 */
export function DataSubjectRequests() {
  const [adding, setAdding] = useState(false);
  const [subject, setSubject] = useState<GdprSubject | null>(null);
  const [reload, setReload] = useState(0);

  return (
    <>
      <h1>Data Subject Requests</h1>
      <p className="hint">
        Export (Art. 15), rectify (Art. 16) or erase (Art. 17) the personal data Gatehouse holds about a person: a directory
        user, or a customer known only from interactions. Always search for the subject first, then submit the request for
        the subject the search found. Requests are processed in the background.
      </p>
      <div className="toolbar">
        {adding ? (
          <button type="button" className="secondary" onClick={() => { setAdding(false); setSubject(null); }}>Close new request</button>
        ) : (
          <button type="button" onClick={() => setAdding(true)}>New request</button>
        )}
      </div>
      {adding && (
        <section className="panel wide" aria-label="New request">
          <h2>New request</h2>
          <SubjectSearch selected={subject} onSelect={setSubject} />
          {subject ? (
            <RequestForm key={JSON.stringify(subject)} subject={subject} onSubmitted={() => setReload((n) => n + 1)} />
          ) : (
            <p className="empty">Select a subject from the search results to choose the request.</p>
          )}
        </section>
      )}
      <section aria-label="Requests">
        <h2>Requests</h2>
        <RequestsList reload={reload} />
      </section>
    </>
  );
}
