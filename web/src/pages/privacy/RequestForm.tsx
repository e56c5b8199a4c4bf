import { type FormEvent, useState } from 'react';
import {
  type GdprRequest,
  type GdprRequestType,
  type GdprSearchType,
  type GdprSubject,
  gdprApi,
  type ReplacementTerm,
  SEARCH_TYPES,
} from '../../api/gdpr.ts';
import { REQUEST_TYPES, subjectSummary, typeLabel } from './labels.tsx';

/** The term types Gatehouse holds values of, and so can rectify (others are refused). */
const RECTIFIABLE = SEARCH_TYPES.filter((t) => ['NAME', 'EMAIL', 'PHONE', 'ADDRESS'].includes(t.value));

/** The subject's current value of a term type, when the search told it (to prefill "existing value"). */
function known(subject: GdprSubject, type: GdprSearchType): string {
  switch (type) {
    case 'NAME':
      return subject.name ?? '';
    case 'EMAIL':
      return subject.emailAddresses?.[0] ?? '';
    case 'PHONE':
      return subject.phoneNumbers?.[0] ?? '';
    case 'ADDRESS':
      return subject.addresses?.[0] ?? '';
    default:
      return '';
  }
}

function firstTerm(subject: GdprSubject): ReplacementTerm {
  const type: GdprSearchType = subject.name
    ? 'NAME'
    : subject.emailAddresses?.length
      ? 'EMAIL'
      : subject.phoneNumbers?.length
        ? 'PHONE'
        : 'NAME';
  return { type, existingValue: known(subject, type), updatedValue: '' };
}

/** What the console says once a request was accepted. */
export function submittedMessage(type: GdprRequestType): string {
  return `${typeLabel(type)} request submitted. It is processed in the background: follow its status in the list of requests.`;
}

/**
 * Step 2: what to do for the selected subject (export, update or delete), then submit. After a
 * delete the parent clears the subject (and so this form), and says the request was submitted.
 */
export function RequestForm({ subject, onSubmitted }: { subject: GdprSubject; onSubmitted(r: GdprRequest): void }) {
  const [requestType, setRequestType] = useState<GdprRequestType>('GDPR_EXPORT');
  const [name, setName] = useState('');
  const [terms, setTerms] = useState<ReplacementTerm[]>(() => [firstTerm(subject)]);
  const [understood, setUnderstood] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');

  const who = subjectSummary(subject);
  const isDelete = requestType === 'GDPR_DELETE';
  const isUpdate = requestType === 'GDPR_UPDATE';

  function setTerm(i: number, change: Partial<ReplacementTerm>) {
    setTerms((all) =>
      all.map((t, j) => {
        if (j !== i) return t;
        const next = { ...t, ...change };
        // A new type prefills its existing value, unless one was typed by hand.
        if (change.type && (t.existingValue === '' || t.existingValue === known(subject, t.type)))
          next.existingValue = known(subject, change.type);
        return next;
      }),
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError('');
    setDone('');
    if (isUpdate && terms.some((t) => !t.existingValue.trim() || !t.updatedValue.trim())) {
      setError('Each replacement needs both the existing value and the new value.');
      return;
    }
    if (isDelete && !understood) {
      setError('Confirm that you understand the erasure first.');
      return;
    }
    setSending(true);
    try {
      const created = await gdprApi.create(
        {
          ...(name.trim() ? { name: name.trim() } : {}),
          requestType,
          subject,
          ...(isUpdate
            ? {
                replacementTerms: terms.map((t) => ({
                  ...t,
                  existingValue: t.existingValue.trim(),
                  updatedValue: t.updatedValue.trim(),
                })),
              }
            : {}),
        },
        isDelete && understood,
      );
      setDone(submittedMessage(created.requestType));
      setName('');
      setUnderstood(false);
      setTerms([firstTerm(subject)]);
      onSubmitted(created);
    } catch (err) {
      setError(`The request was refused: ${(err as Error).message}`);
    } finally {
      setSending(false);
    }
  }

  return (
    <section aria-labelledby="step-2">
      <h3 id="step-2">2. Choose the request</h3>
      <p>
        Subject: <strong>{who}</strong>
      </p>
      <form onSubmit={submit} noValidate aria-describedby="gdpr-form-error">
        <fieldset>
          <legend>Request type</legend>
          {REQUEST_TYPES.map((t) => (
            <label key={t.value} className="inline">
              <input
                type="radio"
                name="gdpr-request-type"
                value={t.value}
                checked={requestType === t.value}
                onChange={() => {
                  setRequestType(t.value);
                  setUnderstood(false);
                  setError('');
                  setDone('');
                }}
              />
              {t.word} ({t.article})<small className="hint"> — {t.hint}</small>
            </label>
          ))}
        </fieldset>
        <label htmlFor="gdpr-request-name">Request name (optional)</label>
        <input
          id="gdpr-request-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={255}
          placeholder="e.g. ticket reference"
        />

        {isUpdate && (
          <fieldset>
            <legend>Replacement terms</legend>
            {terms.map((t, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place and have no identity besides their position.
              <fieldset key={i} className="term-row">
                <legend>Replacement {i + 1}</legend>
                <div>
                  <label htmlFor={`term-${i}-type`}>Term {i + 1} type</label>
                  <select
                    id={`term-${i}-type`}
                    value={t.type}
                    onChange={(e) => setTerm(i, { type: e.target.value as GdprSearchType })}
                  >
                    {RECTIFIABLE.map((s) => (
                      <option key={s.value} value={s.value}>
                        {s.label}
                      </option>
                    ))}
                  </select>
                </div>
                <div>
                  <label htmlFor={`term-${i}-existing`}>Term {i + 1} existing value</label>
                  <input
                    id={`term-${i}-existing`}
                    value={t.existingValue}
                    onChange={(e) => setTerm(i, { existingValue: e.target.value })}
                  />
                </div>
                <div>
                  <label htmlFor={`term-${i}-updated`}>Term {i + 1} new value</label>
                  <input
                    id={`term-${i}-updated`}
                    value={t.updatedValue}
                    onChange={(e) => setTerm(i, { updatedValue: e.target.value })}
                  />
                </div>
                {terms.length > 1 && (
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Remove term ${i + 1}`}
                    onClick={() => setTerms((all) => all.filter((_, j) => j !== i))}
                  >
                    Remove
                  </button>
                )}
              </fieldset>
            ))}
            <button
              type="button"
              className="secondary"
              onClick={() =>
                setTerms((all) => [...all, { type: 'EMAIL', existingValue: known(subject, 'EMAIL'), updatedValue: '' }])
              }
            >
              Add term
            </button>
          </fieldset>
        )}

        {isDelete && (
          <div className="warning">
            <label className="inline">
              <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} />I
              understand this erases the personal data of {who} wherever Gatehouse holds it (a directory user is
              anonymized), and that it cannot be undone.
            </label>
          </div>
        )}

        <p className="actions">
          <button
            type="submit"
            className={isDelete ? 'danger' : undefined}
            disabled={sending || (isDelete && !understood)}
          >
            {sending ? 'Submitting…' : 'Submit request'}
          </button>
        </p>
        {error && (
          <p id="gdpr-form-error" role="alert" className="error">
            {error}
          </p>
        )}
        {done && <p role="status">{done}</p>}
      </form>
    </section>
  );
}
