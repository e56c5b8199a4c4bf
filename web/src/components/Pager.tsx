/** Previous / Next under a paged list, with where the reader is: "Page 2 of 5 · 112 in all". */
export function Pager({
  page,
  pageCount,
  total,
  noun = 'in all',
  onPage,
}: {
  page: number;
  pageCount: number;
  total: number;
  noun?: string;
  onPage(page: number): void;
}) {
  const last = Math.max(pageCount, 1);
  return (
    <div className="pager">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} of {last} · {total} {noun}
      </span>
      <button type="button" disabled={page >= last} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </div>
  );
}
