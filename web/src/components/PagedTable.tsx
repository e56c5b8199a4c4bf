import type { ReactNode } from 'react';
import { usePaged } from './usePaged.ts';
import { Pager } from './Pager.tsx';

export interface Column<T> {
  header: string;
  cell(row: T): ReactNode;
}

/** A paged table over an upstream listing, with loading, empty and error states. */
export function PagedTable<T extends { id: string }>({
  path,
  columns,
  empty,
}: {
  path: string;
  columns: Column<T>[];
  empty: string;
}) {
  const { state, page, setPage, retry } = usePaged<T>(path);
  if (state.status === 'loading') return <p role="status">Loading…</p>;
  if (state.status === 'error') {
    return (
      <div role="alert" className="error">
        <p>{state.message}</p>
        <button type="button" onClick={retry}>
          Retry
        </button>
      </div>
    );
  }
  const { listing } = state;
  if (listing.total === 0) return <p className="empty">{empty}</p>;
  return (
    <>
      <table>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header}>{c.header}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {listing.entities.map((row) => (
            <tr key={row.id}>
              {columns.map((c) => (
                <td key={c.header}>{c.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={page} pageCount={listing.pageCount} total={listing.total} onPage={setPage} />
    </>
  );
}
