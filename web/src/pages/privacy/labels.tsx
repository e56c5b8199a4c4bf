import type { GdprRequestType, GdprStatus, GdprSubject } from '../../api/gdpr.ts';

/** Each request type as a word, with the GDPR article it serves. */
export const REQUEST_TYPES: { value: GdprRequestType; word: string; article: string; hint: string }[] = [
  {
    value: 'GDPR_EXPORT',
    word: 'Export',
    article: 'Art. 15 access',
    hint: 'a JSON file of everything Gatehouse holds about the subject',
  },
  {
    value: 'GDPR_UPDATE',
    word: 'Update',
    article: 'Art. 16 rectification',
    hint: 'replaces values (name, email, phone…) wherever they are held',
  },
  {
    value: 'GDPR_DELETE',
    word: 'Delete',
    article: 'Art. 17 erasure',
    hint: 'erases or anonymizes the subject’s personal data; it cannot be undone',
  },
];

export function typeLabel(t: GdprRequestType): string {
  const found = REQUEST_TYPES.find((r) => r.value === t);
  return found ? `${found.word} (${found.article})` : t;
}

const STATUS: Record<GdprStatus, { label: string; tone: 'pending' | 'done' | 'failed' }> = {
  INITIATED: { label: 'Initiated', tone: 'pending' },
  SEARCHING: { label: 'Searching', tone: 'pending' },
  UPDATING: { label: 'Updating', tone: 'pending' },
  DELETING: { label: 'Deleting', tone: 'pending' },
  FINALIZING: { label: 'Finalizing', tone: 'pending' },
  COMPLETED: { label: 'Completed', tone: 'done' },
  ERROR: { label: 'Error', tone: 'failed' },
};

/** The status as a readable badge (the upstream value in its title); pending ones end in an ellipsis. */
export function StatusBadge({ status }: { status: GdprStatus }) {
  const s = STATUS[status] ?? { label: status, tone: 'pending' as const };
  return (
    <span className={`badge badge-${s.tone}`} data-status={status} title={status}>
      {s.tone === 'pending' ? `${s.label}…` : s.label}
    </span>
  );
}

/** Name · email · user id: enough to tell subjects apart. */
export function subjectSummary(s: GdprSubject): string {
  const parts = [
    s.name,
    ...(s.emailAddresses ?? []).slice(0, 1),
    s.userId ? `user ${s.userId}` : undefined,
    s.externalContactId ? `contact ${s.externalContactId}` : undefined,
    !s.name && !s.emailAddresses?.length ? s.phoneNumbers?.[0] : undefined,
    s.externalId ? `external id ${s.externalId}` : undefined,
  ].filter((p): p is string => !!p);
  return parts.length ? parts.join(' · ') : '—';
}
