import { type FormEvent, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  contactEmails,
  contactName,
  contactPhones,
  contactsApi,
  contactsPath,
  type ExternalContact,
} from '../../api/externalcontacts.ts';
import { ActionsMenu } from '../../components/ActionsMenu.tsx';
import { Confirm } from '../../components/Confirm.tsx';
import { Pager } from '../../components/Pager.tsx';
import { usePaged } from '../../components/usePaged.ts';
import { ContactView } from './ContactView.tsx';
import { LoadFailed } from '../../components/LoadFailed.tsx';

/**
 * Directory → External Contacts: the organization's customers, one row per merge set (its
 * canonical contact), searched with `q`; a contact opens with its identities, merge set and
 * interactions (`?contact=<id>`); contacts ticked in the list are merged into one (upstream has
 * no unmerge, so the merge is confirmed first).
 */
export function ExternalContacts() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const open = params.get('contact');
  const [text, setText] = useState(q);
  const [picked, setPicked] = useState<Map<string, string>>(new Map());
  const [confirming, setConfirming] = useState(false);
  const [merging, setMerging] = useState(false);
  const [mergeError, setMergeError] = useState('');
  const [version, setVersion] = useState(0);
  const { state, page, setPage, retry } = usePaged<ExternalContact>(contactsPath(q));

  const go = (next: { q?: string; contact?: string | null }) => {
    const p = new URLSearchParams(params);
    if (next.q !== undefined) {
      if (next.q) p.set('q', next.q);
      else p.delete('q');
      setPage(1);
    }
    if (next.contact) p.set('contact', next.contact);
    else if (next.contact === null) p.delete('contact');
    setParams(p);
  };

  function search(e: FormEvent) {
    e.preventDefault();
    go({ q: text.trim() });
  }

  function toggle(c: ExternalContact) {
    setPicked((m) => {
      const next = new Map(m);
      if (next.has(c.id)) next.delete(c.id);
      else next.set(c.id, contactName(c));
      return next;
    });
  }

  async function merge() {
    setConfirming(false);
    setMerging(true);
    setMergeError('');
    try {
      const merged = await contactsApi.merge([...picked.keys()]);
      setPicked(new Map());
      setVersion((v) => v + 1);
      retry();
      go({ contact: merged.id });
    } catch (e) {
      setMergeError(`The merge was refused: ${(e as Error).message}`);
    } finally {
      setMerging(false);
    }
  }

  return (
    <>
      <h1>External Contacts</h1>
      <p className="hint">
        The customers your organization talks to. Each row is one customer: contacts merged into one (a merge set) show
        as their canonical contact. Tick two or more contacts to merge them; a merge cannot be undone.
      </p>
      <form className="filters" aria-label="Contact search" onSubmit={search}>
        <label htmlFor="contacts-q">Search contacts</label>
        <input
          id="contacts-q"
          value={text}
          placeholder="Name, email, phone or handle"
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit">Search</button>
        {q && (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setText('');
              go({ q: '' });
            }}
          >
            Clear search
          </button>
        )}
      </form>
      <div className="toolbar">
        <button type="button" disabled={picked.size < 2 || merging} onClick={() => setConfirming(true)}>
          {merging ? 'Merging…' : `Merge selected (${picked.size})`}
        </button>
        {picked.size > 0 && (
          <button type="button" className="secondary" onClick={() => setPicked(new Map())}>
            Clear selection
          </button>
        )}
      </div>
      {mergeError && (
        <p role="alert" className="error">
          {mergeError}
        </p>
      )}
      {state.status === 'loading' && <p role="status">Loading contacts…</p>}
      {state.status === 'error' && <LoadFailed what="contacts" message={state.message} onRetry={retry} />}
      {state.status === 'ready' && state.listing.total === 0 && (
        <p className="empty">
          {q
            ? `No contact matches “${q}”. Search by part of a name, an email, a phone number in any format or a handle.`
            : 'No external contacts yet. Contacts are created through the API (POST /api/v2/externalcontacts/contacts).'}
        </p>
      )}
      {state.status === 'ready' && state.listing.total > 0 && (
        <>
          <table aria-label="External contacts">
            <thead>
              <tr>
                <th>Merge</th>
                <th>Name</th>
                <th>Email</th>
                <th>Phone</th>
                <th>Organization</th>
                <th>Merge set</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {state.listing.entities.map((c) => {
                const name = contactName(c);
                return (
                  <tr key={c.id} aria-selected={open === c.id}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${name} to merge`}
                        checked={picked.has(c.id)}
                        onChange={() => toggle(c)}
                      />
                    </td>
                    <td>
                      <button type="button" className="link" onClick={() => go({ contact: c.id })}>
                        {name}
                      </button>
                    </td>
                    <td>{contactEmails(c)[0] ?? '—'}</td>
                    <td>{contactPhones(c)[0] ?? '—'}</td>
                    <td>{c.externalOrganization?.name ?? '—'}</td>
                    <td>{c.mergeSet ? `${c.mergeSet.length} contacts` : '—'}</td>
                    <td>
                      <ActionsMenu
                        name={name}
                        actions={[
                          { label: 'View', onSelect: () => go({ contact: c.id }) },
                          {
                            label: picked.has(c.id) ? 'Unselect for merge' : 'Select for merge',
                            onSelect: () => toggle(c),
                          },
                        ]}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <Pager
            page={page}
            pageCount={state.listing.pageCount}
            total={state.listing.total}
            noun="contacts"
            onPage={setPage}
          />
        </>
      )}
      {open && (
        <ContactView
          key={`${open}:${version}`}
          contactId={open}
          onOpen={(id) => go({ contact: id })}
          onClose={() => go({ contact: null })}
        />
      )}
      {confirming && (
        <Confirm
          title="Merge contacts"
          message={`Merge ${[...picked.values()].join(', ')} into one new canonical contact? Its fields come from the most recently changed contact. A merge cannot be undone.`}
          confirmLabel="Merge"
          onConfirm={merge}
          onCancel={() => setConfirming(false)}
        />
      )}
    </>
  );
}
