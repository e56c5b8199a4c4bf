import { useCallback, useEffect, useState } from 'react';
import { useLatest } from './useLatest.ts';

export type Load<T> = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; value: T };

/**
 * Loads what `fetcher` answers whenever it changes (wrap it in useCallback), with `refresh` for
 * Retry and after a change, and `act` to run a change then refresh, keeping its error to show.
 * Only the newest load's answer is shown.
 */
export function useLoad<T>(fetcher: () => Promise<T>) {
  const [load, setLoad] = useState<Load<T>>({ status: 'loading' });
  const [actionError, setActionError] = useState('');
  const begin = useLatest();

  const refresh = useCallback(() => {
    const newest = begin();
    setLoad({ status: 'loading' });
    fetcher().then(
      (value) => newest() && setLoad({ status: 'ready', value }),
      (e: Error) => newest() && setLoad({ status: 'error', message: e.message }),
    );
  }, [fetcher, begin]);
  useEffect(refresh, [refresh]);

  const act = async (fn: () => Promise<unknown>) => {
    setActionError('');
    try {
      await fn();
      refresh();
    } catch (e) {
      setActionError((e as Error).message);
    }
  };

  return { load, refresh, act, actionError };
}
