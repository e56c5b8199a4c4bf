const DAY = 86_400_000;

/**
 * The audits footer's interval: exactly 14 days (the realtime limit) ending a minute from now.
 * One reading of the clock: two readings a millisecond apart made 14 days + 1 ms, and a 400.
 */
export function footerInterval(now: number): string {
  const end = now + 60_000;
  return `${new Date(end - 14 * DAY).toISOString()}/${new Date(end).toISOString()}`;
}
