import { Fragment, useCallback, useState } from 'react';
import {
  type ContactInteraction,
  contactEmails,
  contactName,
  contactPhones,
  contactsApi,
  type ExternalContact,
  INTERACTION_DAYS,
} from '../../api/externalcontacts.ts';
import { Pager } from '../../components/Pager.tsx';
import { useLoad } from '../../components/useLoad.ts';
import { LoadFailed } from '../../components/LoadFailed.tsx';

const PAGE = 10;

/** Every identity of a contact as label → values (social handles and ids, external ids). */
function identities(c: ExternalContact): [string, string][] {
  const out: [string, string][] = [];
  const add = (label: string, v: string | undefined) => v && out.push([label, v]);
  add('X (Twitter) screen name', c.twitterId?.screenName && `@${c.twitterId.screenName}`);
  add('X (Twitter) id', c.twitterId?.id);
  add('Instagram handle', c.instagramId?.handle);
  for (const i of c.instagramId?.ids ?? []) add('Instagram scoped id', i.scopedId);
  for (const i of c.facebookId?.ids ?? []) add('Facebook scoped id', i.scopedId);
  for (const a of c.appleOpaqueIds ?? []) add('Apple Messages id', a.value);
  add('WhatsApp', c.whatsAppId?.phoneNumber?.display ?? c.whatsAppId?.phoneNumber?.e164);
  for (const i of c.lineId?.ids ?? []) add('LINE user id', i.userId);
  for (const e of c.externalIds ?? [])
    add(`External id${e.externalSource?.name ? ` (${e.externalSource.name})` : ''}`, e.value);
  return out;
}

function address(c: ExternalContact): string | undefined {
  const a = c.address;
  if (!a) return undefined;
  return [a.address1, a.address2, a.city, a.state, a.postalCode, a.countryCode].filter(Boolean).join(', ') || undefined;
}

/** The members of the contact's merge set, each read (names), canonical first. */
async function loadContact(id: string) {
  const contact = await contactsApi.get(id);
  const ids = contact.mergeSet?.map((m) => m.id) ?? [contact.id];
  const members = await Promise.all(ids.map((m) => (m === contact.id ? contact : contactsApi.get(m))));
  const canonical = contact.canonicalContact?.id ?? contact.id;
  members.sort((a, b) => Number(b.id === canonical) - Number(a.id === canonical));
  return { contact, members };
}

function Interactions({ contactIds, names }: { contactIds: string[]; names: Map<string, string> }) {
  const [page, setPage] = useState(1);
  const key = contactIds.join(',');
  const fetcher = useCallback(() => contactsApi.interactions(key.split(','), page, PAGE), [key, page]);
  const { load, refresh } = useLoad(fetcher);
  return (
    <section aria-labelledby="contact-interactions">
      <h3 id="contact-interactions">Interactions (last {INTERACTION_DAYS} days)</h3>
      {load.status === 'loading' && <p role="status">Loading interactions…</p>}
      {load.status === 'error' && <LoadFailed what="interactions" message={load.message} onRetry={refresh} />}
      {load.status === 'ready' && !load.value.conversations?.length && (
        <p className="empty">No interactions with this customer in the last {INTERACTION_DAYS} days.</p>
      )}
      {load.status === 'ready' && !!load.value.conversations?.length && (
        <>
          <table aria-label="Interactions of the contact">
            <thead>
              <tr>
                <th>Started (UTC)</th>
                <th>Media</th>
                <th>Direction</th>
                <th>Contact</th>
                <th>Interaction</th>
              </tr>
            </thead>
            <tbody>
              {load.value.conversations.map((i: ContactInteraction) => {
                const customer = i.participants.find((p) => p.externalContactId && names.has(p.externalContactId));
                const session = (customer ?? i.participants[0])?.sessions[0];
                return (
                  <tr key={i.conversationId}>
                    <td>{i.conversationStart}</td>
                    <td>{session?.mediaType ?? '—'}</td>
                    <td>{session?.direction ?? '—'}</td>
                    <td>{customer?.externalContactId ? names.get(customer.externalContactId) : '—'}</td>
                    <td>
                      <code>{i.conversationId}</code>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <Pager
            page={page}
            pageCount={Math.ceil(load.value.totalHits / PAGE)}
            total={load.value.totalHits}
            noun="interactions"
            onPage={setPage}
          />
        </>
      )}
    </section>
  );
}

function Details({ c }: { c: ExternalContact }) {
  const rows: [string, string | undefined][] = [
    ['Title', c.title],
    ['Emails', contactEmails(c).join(', ') || undefined],
    ['Phones', contactPhones(c).join(', ') || undefined],
    ['Address', address(c)],
    ['Organization', c.externalOrganization?.name ?? c.externalOrganization?.id],
    ['Division', c.division?.name ?? c.division?.id],
    ...identities(c),
  ];
  return (
    <dl className="summary">
      {rows
        .filter(([, v]) => v)
        .map(([k, v]) => (
          <Fragment key={`${k}:${v}`}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </Fragment>
        ))}
    </dl>
  );
}

/** One contact: its identities, its merge set (each member opens), and its customer's interactions. */
export function ContactView({
  contactId,
  onOpen,
  onClose,
}: {
  contactId: string;
  onOpen(id: string): void;
  onClose(): void;
}) {
  const fetcher = useCallback(() => loadContact(contactId), [contactId]);
  const { load, refresh } = useLoad(fetcher);
  if (load.status === 'loading') return <p role="status">Loading the contact…</p>;
  if (load.status === 'error')
    return (
      <LoadFailed what="contact" message={load.message} onRetry={refresh}>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </LoadFailed>
    );
  const { contact, members } = load.value;
  const name = contactName(contact);
  const canonical = contact.canonicalContact?.id ?? contact.id;
  const names = new Map(members.map((m) => [m.id, contactName(m)]));
  return (
    <section className="panel wide" aria-label={`Contact ${name}`}>
      <h2>{name}</h2>
      <p className="hint">
        Contact <code>{contact.id}</code>
        {contact.mergedTo && (
          <> · merged into the canonical contact {names.get(contact.mergedTo.id) ?? contact.mergedTo.id}</>
        )}
      </p>
      <Details c={contact} />
      <section aria-labelledby="contact-merge-set">
        <h3 id="contact-merge-set">Merge set</h3>
        {members.length < 2 ? (
          <p className="empty">Not merged: this contact is its own canonical contact.</p>
        ) : (
          <table aria-label="Merge set">
            <thead>
              <tr>
                <th>Contact</th>
                <th>Role</th>
                <th>Email</th>
                <th>Id</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.id} aria-current={m.id === contact.id ? 'true' : undefined}>
                  <td>
                    {m.id === contact.id ? (
                      contactName(m)
                    ) : (
                      <button type="button" className="link" onClick={() => onOpen(m.id)}>
                        {contactName(m)}
                      </button>
                    )}
                  </td>
                  <td>{m.id === canonical ? 'Canonical' : 'Merged'}</td>
                  <td>{contactEmails(m)[0] ?? '—'}</td>
                  <td>
                    <code>{m.id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <Interactions contactIds={members.map((m) => m.id)} names={names} />
      <div className="actions">
        <button type="button" className="secondary" onClick={onClose}>
          Close contact
        </button>
      </div>
    </section>
  );
}
