import { type FormEvent, useState } from 'react';
import type { Listing } from '../../api/client.ts';
import { type GdprSearchType, type GdprSubject, gdprApi, SEARCH_TYPES } from '../../api/gdpr.ts';
import { Pager } from '../../components/Pager.tsx';

type Found =
  | { status: 'idle' | 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; listing: Listing<GdprSubject> };

/** A contact merged into another: requests about it go to its merge set's canonical contact. */
const inSet = (s: GdprSubject) =>
  !!s.externalContactId && !!s.canonicalContactId && s.canonicalContactId !== s.externalContactId;

/** What a request is sent about: a contact by its id alone (the API refuses several identifiers without one). */
const requestSubject = (s: GdprSubject): GdprSubject =>
  s.externalContactId ? { externalContactId: s.externalContactId } : s;

const list = (values?: string[]) => (values?.length ? values.join(', ') : '—');

/**
 * Step 1: find the data subject (always search first, then act on exactly what was found).
 * A new search clears the selection (`onSelect(null)`): the request is for what it finds.
 */
export function SubjectSearch({
  selected,
  onSelect,
}: {
  selected: GdprSubject | null;
  onSelect(s: GdprSubject | null): void;
}) {
  const [searchType, setSearchType] = useState<GdprSearchType>('EMAIL');
  const [value, setValue] = useState('');
  const [invalid, setInvalid] = useState('');
  const [query, setQuery] = useState<{ type: GdprSearchType; value: string } | null>(null);
  const [found, setFound] = useState<Found>({ status: 'idle' });

  async function run(q: { type: GdprSearchType; value: string }, page: number) {
    setQuery(q);
    setFound({ status: 'loading' });
    try {
      setFound({ status: 'ready', listing: await gdprApi.subjects(q.type, q.value, page) });
    } catch (e) {
      setFound({ status: 'error', message: (e as Error).message });
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const v = value.trim();
    if (!v) {
      setInvalid('Enter the value to search for, such as the subject’s email address.');
      return;
    }
    setInvalid('');
    onSelect(null);
    run({ type: searchType, value: v }, 1);
  }

  const listing = found.status === 'ready' ? found.listing : null;
  // Contacts other results were merged into (a request for one reaches its whole set).
  const canonicals = new Set(listing?.entities.filter(inSet).map((s) => s.canonicalContactId));
  return (
    <section aria-labelledby="step-1">
      <h3 id="step-1">1. Find the subject</h3>
      <form className="filters" onSubmit={submit} noValidate>
        <label htmlFor="gdpr-search-type">Search type</label>
        <select
          id="gdpr-search-type"
          value={searchType}
          onChange={(e) => setSearchType(e.target.value as GdprSearchType)}
        >
          {SEARCH_TYPES.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
        <label htmlFor="gdpr-search-value">Search value</label>
        <input
          id="gdpr-search-value"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={invalid !== ''}
          aria-describedby="gdpr-search-error"
        />
        <button type="submit" disabled={found.status === 'loading'}>
          Search
        </button>
      </form>
      {invalid && (
        <p id="gdpr-search-error" role="alert" className="error">
          {invalid}
        </p>
      )}
      {found.status === 'loading' && <p role="status">Searching…</p>}
      {found.status === 'error' && (
        <p role="alert" className="error">
          The search failed: {found.message}
        </p>
      )}
      {listing && listing.entities.length === 0 && <p className="empty">No subjects match.</p>}
      {listing && listing.entities.length > 0 && (
        <>
          <table aria-label="Matching subjects">
            <thead>
              <tr>
                <th>Name</th>
                <th>Emails</th>
                <th>Phones</th>
                <th>Addresses</th>
                <th>Kind</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {listing.entities.map((s, i) => {
                const isSelected = selected !== null && JSON.stringify(selected) === JSON.stringify(requestSubject(s));
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the page's order is the only identity a found subject has.
                  <tr key={i} aria-selected={isSelected}>
                    <td>{s.name ?? '—'}</td>
                    <td>{list(s.emailAddresses)}</td>
                    <td>{list(s.phoneNumbers)}</td>
                    <td>{list(s.addresses)}</td>
                    <td>
                      {s.userId ? (
                        <>
                          Directory user <code>{s.userId}</code>
                        </>
                      ) : s.externalContactId ? (
                        <>
                          External contact <code>{s.externalContactId}</code>
                          {inSet(s) && (
                            <>
                              {' '}
                              · merge set <code>{s.canonicalContactId}</code>
                            </>
                          )}
                          {canonicals.has(s.externalContactId) && ' · canonical contact of a merge set'}
                        </>
                      ) : s.externalId ? (
                        <>
                          External contact <code>{s.externalId}</code>
                        </>
                      ) : (
                        'Customer (interactions)'
                      )}
                    </td>
                    <td>
                      {inSet(s) ? (
                        <button
                          type="button"
                          className="secondary"
                          aria-label={`Request for the merge set of ${s.name ?? s.externalContactId}`}
                          title="A contact that was merged: the request goes to the canonical contact of its merge set, and is repeated for every contact of the set."
                          onClick={() => onSelect({ externalContactId: s.canonicalContactId })}
                        >
                          Request for the merge set
                        </button>
                      ) : (
                        <button
                          type="button"
                          className={isSelected ? undefined : 'secondary'}
                          aria-pressed={isSelected}
                          aria-label={`${isSelected ? 'Selected' : 'Select'} ${s.name ?? s.emailAddresses?.[0] ?? s.phoneNumbers?.[0] ?? 'subject'}`}
                          onClick={() => onSelect(requestSubject(s))}
                        >
                          {isSelected ? 'Selected' : 'Select'}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {listing.pageCount > 1 && query && (
            <Pager
              page={listing.pageNumber}
              pageCount={listing.pageCount}
              total={listing.total}
              noun="subjects"
              onPage={(n) => run(query, n)}
            />
          )}
        </>
      )}
    </section>
  );
}
