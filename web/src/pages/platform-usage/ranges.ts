/**
 * The API Usage date presets. Days are UTC days and today is never included (the report lags by
 * one day), so every range ends at the start of today, UTC, at the latest.
 */
export const PRESETS = [
  'Previous 7 days',
  'Previous 30 days',
  'This month',
  'Last month',
  'Previous 3 months',
  'Single day',
  'Custom',
] as const;
export type Preset = (typeof PRESETS)[number];

const DAY = 86_400_000;
const utcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** [start, end) as UTC midnights. */
export function rangeOf(preset: Preset, now: Date, custom: { from: string; to: string }): [Date, Date] {
  const today = utcDay(now);
  const month = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
  switch (preset) {
    case 'Previous 7 days':
      return [new Date(today.getTime() - 7 * DAY), today];
    case 'Previous 30 days':
      return [new Date(today.getTime() - 30 * DAY), today];
    case 'This month':
      return [month, today];
    case 'Last month':
      return [new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - 1, 1)), month];
    case 'Previous 3 months':
      return [new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - 3, 1)), month];
    case 'Single day': {
      const day = custom.from ? new Date(`${custom.from}T00:00:00Z`) : new Date(today.getTime() - DAY);
      return [day, new Date(day.getTime() + DAY)];
    }
    default: {
      const from = new Date(`${custom.from}T00:00:00Z`);
      const to = new Date(new Date(`${custom.to}T00:00:00Z`).getTime() + DAY);
      return [from, to > today ? today : to];
    }
  }
}
