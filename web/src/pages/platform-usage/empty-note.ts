/**
 * What an empty usage page says (the seed: the report lags by one day and never includes today):
 * today's requests appear once the UTC day is over, and when that is from now.
 */
export function nextDataNote(now: Date): string {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const minutes = Math.max(1, Math.ceil((next - now.getTime()) / 60_000));
  const wait = minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
  return (
    'Today (UTC) is never included: usage is counted in whole UTC days. ' +
    `Requests made today appear after 00:00 UTC, in ${wait}.`
  );
}

/** Whether a range holds no whole past day (e.g. "This month" on the 1st): nothing to report yet. */
export const noWholeDay = (start: Date, end: Date) => end.getTime() <= start.getTime();
