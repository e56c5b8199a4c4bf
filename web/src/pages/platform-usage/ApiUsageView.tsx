/**
 * Admin → Platform Usage → API Usage View (seeds/000 "API Usage", the analytics view): OAuth
 * Clients and API Requests, each row with its count, percent of total and a bar. Clicking a row
 * filters the other table to it and adds a "Filtered %" column (one filter at a time; clicking
 * the row again clears it). Save keeps the filter and the dates for the user. Days are UTC days
 * and today is never included, as on the API Usage page.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { preferences, runUsage, type UsageRow } from '../../api/usage.ts';
import { BarChart, STATUS_COLORS } from '../../components/BarChart.tsx';
import { nextDataNote, noWholeDay } from './empty-note.ts';
import { useLatest } from '../../components/useLatest.ts';
import { RangePicker } from './RangePicker.tsx';
import { isoDay, PRESETS, type Preset, rangeOf } from './ranges.ts';

type Side = 'client' | 'request';
interface Filter {
  side: Side;
  key: string;
}
interface Saved {
  preset: Preset;
  custom: { from: string; to: string };
  filter: Filter | null;
}
interface Line {
  key: string;
  label: string;
  count: number;
}

const VIEW_KEY = 'apiUsageView';
const requestKey = (r: UsageRow) => `${r.httpMethod} ${r.templateUri}`;
const n = (v: number) => v.toLocaleString('en-US');
/** A share as the view shows it: one decimal, "%". */
export const percent = (part: number, whole: number) => `${whole ? ((part / whole) * 100).toFixed(1) : '0.0'}%`;

/** Rows summed per key, most requests first. */
function lines(rows: UsageRow[], key: (r: UsageRow) => string, label: (r: UsageRow) => string): Line[] {
  const map = new Map<string, Line>();
  for (const r of rows) {
    const k = key(r);
    const line = map.get(k) ?? { key: k, label: label(r), count: 0 };
    line.count += r.requests;
    map.set(k, line);
  }
  return [...map.values()].filter((l) => l.count > 0).sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1));
}

/** One cell as CSV (RFC 4180); a leading = + - @ is quoted as text so no spreadsheet runs it. */
const cell = (v: string | number) => {
  const raw = String(v);
  const s = /^[=+\-@]/.test(raw) ? `'${raw}` : raw;
  return s !== raw || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

function UsageTable({
  title,
  first,
  items,
  total,
  filteredTotal,
  selected,
  onPick,
}: {
  title: string;
  first: string;
  items: Line[];
  total: number;
  filteredTotal: number | null;
  selected: string | null;
  onPick(key: string): void;
}) {
  const max = Math.max(1, ...items.map((i) => i.count));
  return (
    <section aria-label={title} style={{ flex: '1 1 28rem', minWidth: 0 }}>
      <h2>{title}</h2>
      {items.length === 0 ? (
        <p className="empty">No requests match.</p>
      ) : (
        <table aria-label={title}>
          <thead>
            <tr>
              <th>{first}</th>
              <th>Count</th>
              <th>% of total</th>
              {filteredTotal !== null && <th>Filtered %</th>}
              <th>Share</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.key} style={selected === i.key ? { background: '#e3eefb' } : undefined}>
                <td>
                  <button
                    type="button"
                    className="link"
                    style={{ textAlign: 'left' }}
                    aria-pressed={selected === i.key}
                    title={selected === i.key ? 'Clear the filter' : 'Filter the other table to this row'}
                    onClick={() => onPick(i.key)}
                  >
                    {i.label}
                  </button>
                </td>
                <td>{n(i.count)}</td>
                <td>{percent(i.count, total)}</td>
                {filteredTotal !== null && <td>{percent(i.count, filteredTotal)}</td>}
                <td style={{ width: '30%' }}>
                  <div
                    role="img"
                    aria-label={`${percent(i.count, total)} of total`}
                    style={{
                      background: '#2f6db5',
                      height: '0.7rem',
                      width: `${(i.count / max) * 100}%`,
                      minWidth: '1px',
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function ApiUsageView() {
  const yesterday = isoDay(new Date(Date.now() - 86_400_000));
  const [preset, setPreset] = useState<Preset>('Previous 7 days');
  const [custom, setCustom] = useState({ from: yesterday, to: yesterday });
  const [filter, setFilter] = useState<Filter | null>(null);
  const [ready, setReady] = useState(false);
  const [rows, setRows] = useState<UsageRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [saved, setSaved] = useState<string | null>(null);
  const [start, end] = useMemo(() => rangeOf(preset, new Date(), custom), [preset, custom]);

  // The saved filter and dates, if any, before the first query.
  useEffect(() => {
    preferences
      .get<Saved>(VIEW_KEY)
      .then(
        (s) => {
          if (s && PRESETS.includes(s.preset)) {
            setPreset(s.preset);
            if (s.custom) setCustom(s.custom);
            setFilter(s.filter ?? null);
          }
        },
        () => {},
      )
      .finally(() => setReady(true));
  }, []);

  const begin = useLatest();
  const load = useCallback(async () => {
    const newest = begin();
    setLoading(true);
    setError(null);
    try {
      if (noWholeDay(start, end) && start.getTime() >= Date.now() - 86_400_000) {
        setRows([]);
        return;
      }
      if (end <= start) throw new Error('The range must end after it starts, and before today (UTC).');
      const result = await runUsage({
        interval: `${start.toISOString()}/${end.toISOString()}`,
        granularity: 'Day',
        groupBy: ['OAuthClientId', 'TemplateUri', 'HttpMethod'],
      });
      if (newest()) setRows(result.rows);
    } catch (e) {
      if (!newest()) return;
      setRows(null);
      setError((e as Error).message);
    } finally {
      if (newest()) setLoading(false);
    }
  }, [start, end, begin]);
  useEffect(() => {
    if (ready) void load();
  }, [ready, load]);

  const all = rows ?? [];
  const total = all.reduce((s, r) => s + r.requests, 0);
  const matches = (r: UsageRow) =>
    !filter || (filter.side === 'client' ? r.clientId === filter.key : requestKey(r) === filter.key);
  const filteredRows = all.filter(matches);
  const filteredTotal = filter ? filteredRows.reduce((s, r) => s + r.requests, 0) : null;
  // Each table is filtered by the other's selected row, never by its own.
  const clientItems = lines(
    filter?.side === 'request' ? filteredRows : all,
    (r) => r.clientId ?? '',
    (r) => r.clientName || r.clientId || '',
  );
  const requestItems = lines(filter?.side === 'client' ? filteredRows : all, requestKey, requestKey);
  const pick = (side: Side) => (key: string) =>
    setFilter(filter?.side === side && filter.key === key ? null : { side, key });
  const filterLabel =
    filter &&
    (filter.side === 'client' ? (all.find((r) => r.clientId === filter.key)?.clientName ?? filter.key) : filter.key);

  const singleDay = end.getTime() - start.getTime() <= 86_400_000;
  // Per UTC day of the range: all requests, and those of the filter (the graph's cross-highlight).
  const days = (() => {
    const out: { day: string; all: number; filtered: number }[] = [];
    for (let d = start.getTime(); d < end.getTime(); d += 86_400_000)
      out.push({ day: isoDay(new Date(d)), all: 0, filtered: 0 });
    const at = new Map(out.map((d) => [d.day, d]));
    for (const r of all) {
      const day = at.get(r.date.slice(0, 10));
      if (!day) continue;
      day.all += r.requests;
      if (matches(r)) day.filtered += r.requests;
    }
    return out;
  })();

  const save = () => {
    setSaved(null);
    preferences.put<Saved>(VIEW_KEY, { preset, custom, filter }).then(
      () => setSaved('Saved.'),
      (e) => setError((e as Error).message),
    );
  };

  const csv = useMemo(() => {
    const head = ['table', 'name', 'count', 'percentOfTotal', ...(filteredTotal !== null ? ['filteredPercent'] : [])];
    const out = [head.join(',')];
    for (const [table, items] of [
      ['OAuth Clients', clientItems],
      ['API Requests', requestItems],
    ] as const) {
      for (const i of items) {
        out.push(
          [
            table,
            i.label,
            i.count,
            percent(i.count, total),
            ...(filteredTotal !== null ? [percent(i.count, filteredTotal)] : []),
          ]
            .map(cell)
            .join(','),
        );
      }
    }
    return `${out.join('\r\n')}\r\n`;
  }, [clientItems, requestItems, total, filteredTotal]);

  return (
    <>
      <h1>API Usage View</h1>
      <div className="toolbar">
        <RangePicker preset={preset} onPreset={setPreset} custom={custom} onCustom={setCustom} max={yesterday} />
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
        <button type="button" onClick={save}>
          Save
        </button>
        {saved && <span role="status">{saved}</span>}
        {rows && total > 0 && (
          <a
            href={`data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`}
            download={`api-usage-view-${isoDay(start)}.csv`}
          >
            Export CSV
          </a>
        )}
      </div>
      <p className="hint" data-testid="range">
        UTC days {isoDay(start)} to {isoDay(new Date(end.getTime() - 1))} (dates are calculated in UTC; your local date
        may differ). Today is never included.
      </p>
      {filter && (
        <p data-testid="filter">
          Filtered to {filter.side === 'client' ? 'OAuth client' : 'API request'} <strong>{filterLabel}</strong> (
          {n(filteredTotal ?? 0)} of {n(total)} requests){' '}
          <button type="button" onClick={() => setFilter(null)}>
            Clear filter
          </button>
        </p>
      )}
      {loading && <p role="status">Loading usage…</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!loading && !error && rows && total === 0 && (
        <div className="empty-state">
          <p className="empty">No API requests in this period.</p>
          <p className="hint" data-testid="next-data">
            {nextDataNote(new Date())}
          </p>
        </div>
      )}
      {!loading && !error && rows && total > 0 && (
        <>
          <p>
            Total API requests: <strong data-testid="view-total">{n(total)}</strong>
          </p>
          {singleDay ? (
            <p className="hint" data-testid="no-graph">
              The graph is not drawn for a single day: pick a range of several days to see it.
            </p>
          ) : (
            <BarChart
              name={`Requests per UTC day${filter ? `, ${filterLabel} highlighted` : ''}`}
              labels={days.map((d) => d.day)}
              series={[
                {
                  label: 'All requests',
                  data: days.map((d) => d.all),
                  color: filter ? '#9aa5b1' : STATUS_COLORS.redirect,
                },
                ...(filter
                  ? [{ label: String(filterLabel), data: days.map((d) => d.filtered), color: STATUS_COLORS.redirect }]
                  : []),
              ]}
            />
          )}
          <div style={{ display: 'flex', gap: '2rem', flexWrap: 'wrap' }}>
            <UsageTable
              title="OAuth Clients"
              first="OAuth client"
              items={clientItems}
              total={total}
              filteredTotal={filter?.side === 'request' ? filteredTotal : null}
              selected={filter?.side === 'client' ? filter.key : null}
              onPick={pick('client')}
            />
            <UsageTable
              title="API Requests"
              first="Request"
              items={requestItems}
              total={total}
              filteredTotal={filter?.side === 'client' ? filteredTotal : null}
              selected={filter?.side === 'request' ? filter.key : null}
              onPick={pick('request')}
            />
          </div>
        </>
      )}
    </>
  );
}
