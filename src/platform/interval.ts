import { invalidValue } from './errors/index.ts';

export interface Interval {
  start: Date;
  end: Date;
}

/** An ISO-8601 `start/end` interval, as upstream writes them (`2026-11-01T00:00:00Z/2026-11-08T00:00:00Z`). */
export function parseInterval(text: string, field = 'interval'): Interval {
  const [a, b, ...rest] = text.split('/');
  const start = new Date(a ?? '');
  const end = new Date(b ?? '');
  if (rest.length || !a || !b || Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
    throw invalidValue(
      field,
      `${field} must be an ISO-8601 interval "start/end", for example 2026-11-01T00:00:00Z/2026-11-08T00:00:00Z.`,
    );
  }
  if (end <= start) throw invalidValue(field, `${field} must end after it starts.`);
  return { start, end };
}

export const DAY_MS = 86_400_000;
