import { useCallback, useEffect, useState } from 'react';
import { type Listing, request } from '../api/client.ts';

export type PagedState<T> =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; listing: Listing<T> };

/** Loads one page of an upstream entity listing; `page` and `retry` drive it. */
export function usePaged<T>(path: string, pageSize = 25) {
  const [page, setPage] = useState(1);
  const [state, setState] = useState<PagedState<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the Retry trigger; it re-runs the load on purpose.
  useEffect(() => {
    let live = true;
    setState({ status: 'loading' });
    const sep = path.includes('?') ? '&' : '?';
    request<Listing<T>>(`${path}${sep}pageSize=${pageSize}&pageNumber=${page}`)
      .then((listing) => live && setState({ status: 'ready', listing }))
      .catch((e: Error) => live && setState({ status: 'error', message: e.message }));
    return () => {
      live = false;
    };
  }, [path, pageSize, page, attempt]);

  const retry = useCallback(() => setAttempt((a) => a + 1), []);
  return { state, page, setPage, retry };
}
