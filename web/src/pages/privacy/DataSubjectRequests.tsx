import { useState } from 'react';
import type { GdprRequest, GdprSubject } from '../../api/gdpr.ts';
import { RequestForm, submittedMessage } from './RequestForm.tsx';
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
  /** Said once a delete was submitted: its subject (and the form) are gone by then. */
  const [notice, setNotice] = useState('');

  function select(s: GdprSubject | null) {
    setSubject(s);
    setNotice('');
  }

  function submitted(r: GdprRequest) {
    setReload((n) => n + 1);
    // The subject is being erased: nothing more can be requested for what the search found.
    if (r.requestType === 'GDPR_DELETE') {
      setSubject(null);
      setNotice(submittedMessage(r.requestType));
    }
  }

  return (
    <>
      <h1>Data Subject Requests</h1>
      <p className="hint">
        Export (Art. 15), rectify (Art. 16) or erase (Art. 17) the personal data Gatehouse holds about a person: a
        directory user, or a customer known only from interactions. Always search for the subject first, then submit the
        request for the subject the search found. Requests are processed in the background.
      </p>
      <div className="toolbar">
        {adding ? (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setAdding(false);
              select(null);
            }}
          >
            Close new request
          </button>
        ) : (
          <button type="button" onClick={() => setAdding(true)}>
            New request
          </button>
        )}
      </div>
      {adding && (
        <section className="panel wide" aria-label="New request">
          <h2>New request</h2>
          <SubjectSearch selected={subject} onSelect={select} />
          {subject ? (
            <RequestForm key={JSON.stringify(subject)} subject={subject} onSubmitted={submitted} />
          ) : (
            <>
              {notice && <p role="status">{notice}</p>}
              <p className="empty">
                {notice
                  ? 'Search again to make another request.'
                  : 'Select a subject from the search results to choose the request.'}
              </p>
            </>
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
