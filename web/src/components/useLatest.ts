import { useCallback, useRef } from 'react';

/**
 * For loads that can overlap (a range or filter changed while the last answer was on its way):
 * `begin()` starts one and answers whether it is still the newest. A slower, older answer must
 * not replace a newer one on screen.
 */
export function useLatest() {
  const newest = useRef(0);
  return useCallback(() => {
    const mine = ++newest.current;
    return () => mine === newest.current;
  }, []);
}
