/**
 * What an empty usage page says on day one: today (UTC) is never included, and when today's
 * requests appear; a range with no whole day (This month on the 1st) is empty, not an error
 * (@see issue 20).
 */
import { describe, expect, it } from 'vitest';
import { nextDataNote, noWholeDay } from '../../web/src/pages/platform-usage/empty-note.ts';
import { rangeOf } from '../../web/src/pages/platform-usage/ranges.ts';

describe('usage empty-state note', () => {
  it('says when today’s requests appear, in hours and minutes', () => {
    expect(nextDataNote(new Date('2026-12-01T09:15:30Z'))).toBe(
      'Today (UTC) is never included: usage is counted in whole UTC days. Requests made today appear after 00:00 UTC, in 14 h 45 min.',
    );
    expect(nextDataNote(new Date('2026-12-01T23:59:10Z'))).toMatch(/in 1 min\.$/);
  });

  it('finds no whole day in This month on the first of the month', () => {
    const [start, end] = rangeOf('This month', new Date('2026-12-01T08:00:00Z'), { from: '', to: '' });
    expect(noWholeDay(start, end)).toBe(true);
    const [s2, e2] = rangeOf('This month', new Date('2026-12-03T08:00:00Z'), { from: '', to: '' });
    expect(noWholeDay(s2, e2)).toBe(false);
  });
});
