/**
 * Admin → Platform Usage → API Usage (seeds/000 "API Usage"): Most Active Requests, OAuth Client
 * Requests and URL Requests, over UTC days that never include today. The OAuth Client Settings
 * and URL Request Settings selections are saved per user until reset.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { exportUri, preferences, runUsage, type UsageRow } from '../../api/usage.ts';
import { RangePicker } from './RangePicker.tsx';
import { Selection } from './Selection.tsx';
import { isoDay, type Preset, rangeOf } from './ranges.ts';
import { UsageChart } from './UsageChart.tsx';
import { BarChart, STATUS_COLORS } from '../../components/BarChart.tsx';
import { nextDataNote, noWholeDay } from './empty-note.ts';
import { useLatest } from '../../components/useLatest.ts';

type Totals = Pick<UsageRow, 'requests' | 'status200' | 'status300' | 'status400' | 'status429' | 'status500'>;
const zero = (): Totals => ({ requests: 0, status200: 0, status300: 0, status400: 0, status429: 0, status500: 0 });
const addTo = (t: Totals, r: UsageRow) => {
  t.requests += r.requests;
  t.status200 += r.status200;
  t.status300 += r.status300;
  t.status400 += r.status400;
  t.status429 += r.status429;
  t.status500 += r.status500;
};
const ok = (t: Totals) => t.status200 + t.status300;
const failed = (t: Totals) => t.status400 + t.status500;
const n = (v: number) => v.toLocaleString('en-US');

/** Rows of several days folded into one total per key. */
function fold<K extends string>(rows: UsageRow[], key: (r: UsageRow) => K) {
  const map = new Map<K, Totals & { row: UsageRow }>();
  for (const r of rows) {
    const k = key(r);
    const t = map.get(k) ?? { ...zero(), row: r };
    addTo(t, r);
    map.set(k, t);
  }
  return [...map.entries()].map(([k, t]) => ({ key: k, ...t })).sort((a, b) => b.requests - a.requests);
}

const CLIENTS_KEY = 'apiUsage.clients';
const URLS_KEY = 'apiUsage.urls';
const urlKey = (r: UsageRow) => `${r.httpMethod} ${r.templateUri}`;

function StatusCells({ t }: { t: Totals }) {
  return (
    <>
      <td>{n(t.status200)}</td>
      <td>{n(t.status300)}</td>
      <td>{n(t.status400)}</td>
      <td>{n(t.status429)}</td>
      <td>{n(t.status500)}</td>
    </>
  );
}
const STATUS_HEADERS = ['200', '300', '400', '429', '500'];
/** The client × URL table shows the busiest pairs first, and all of them on request. */
const PAIRS_SHOWN = 25;

/** Stacked status series; the API's 400 count includes the 429s, drawn apart here. */
const byStatus = (items: Totals[]) => [
  { label: '200', data: items.map((t) => t.status200), color: STATUS_COLORS.ok },
  { label: '300', data: items.map((t) => t.status300), color: STATUS_COLORS.redirect },
  { label: '400 (not 429)', data: items.map((t) => t.status400 - t.status429), color: STATUS_COLORS.clientError },
  { label: '429', data: items.map((t) => t.status429), color: STATUS_COLORS.throttled },
  { label: '500', data: items.map((t) => t.status500), color: STATUS_COLORS.serverError },
];

export function ApiUsage() {
  const [preset, setPreset] = useState<Preset>('Previous 7 days');
  const yesterday = isoDay(new Date(Date.now() - 86_400_000));
  const [custom, setCustom] = useState({ from: yesterday, to: yesterday });
  const [start, end] = useMemo(() => rangeOf(preset, new Date(), custom), [preset, custom]);
  const hourly = end.getTime() - start.getTime() <= 86_400_000;
  const [data, setData] = useState<{ graph: UsageRow[]; byClientUrl: UsageRow[]; executionId: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [clientSel, setClientSel] = useState<string[] | null>(null);
  const [urlSel, setUrlSel] = useState<string[] | null>(null);
  const [allPairs, setAllPairs] = useState(false);

  useEffect(() => {
    preferences.get<string[]>(CLIENTS_KEY).then(setClientSel, () => {});
    preferences.get<string[]>(URLS_KEY).then(setUrlSel, () => {});
  }, []);

  const begin = useLatest();
  const load = useCallback(async () => {
    const newest = begin();
    setLoading(true);
    setError(null);
    try {
      if (noWholeDay(start, end) && start.getTime() >= Date.now() - 86_400_000) {
        // e.g. "This month" on the 1st: no whole day yet, which is not an error.
        setData({ graph: [], byClientUrl: [], executionId: '' });
        return;
      }
      if (end <= start) throw new Error('The range must end after it starts, and before today (UTC).');
      const interval = `${start.toISOString()}/${end.toISOString()}`;
      const [graph, detail] = await Promise.all([
        runUsage({ interval, granularity: hourly ? 'Hour' : 'Day' }),
        // By UTC day: the export is then one row per day, and the tables fold the days (a month
        // bucket would split a client and URL in two when the range crosses a month boundary).
        runUsage({ interval, granularity: 'Day', groupBy: ['OAuthClientId', 'TemplateUri', 'HttpMethod'] }),
      ]);
      if (newest()) setData({ graph: graph.rows, byClientUrl: detail.rows, executionId: detail.executionId });
    } catch (e) {
      if (!newest()) return;
      setData(null);
      setError((e as Error).message);
    } finally {
      if (newest()) setLoading(false);
    }
  }, [start, end, hourly, begin]);
  useEffect(() => void load(), [load]);

  const rows = data?.byClientUrl ?? [];
  const total = zero();
  for (const r of rows) addTo(total, r);
  const clients = fold(rows, (r) => r.clientId ?? '');
  const urls = fold(rows, urlKey);
  const pairs = fold(rows, (r) => `${r.clientId}\u0000${urlKey(r)}`);
  const shownClients = clients.filter((c) => !clientSel || clientSel.includes(c.key));
  const shownUrls = urls.filter((u) => !urlSel || urlSel.includes(u.key));
  const shownPairs = pairs.filter((p) => shownClients.some((c) => c.key === p.row.clientId));
  const save = (key: string, set: (v: string[] | null) => void) => (keys: string[]) => {
    set(keys);
    preferences.put(key, keys).catch((e) => setError((e as Error).message));
  };
  const reset = (key: string, set: (v: string[] | null) => void) => () => {
    set(null);
    preferences.reset(key).catch((e) => setError((e as Error).message));
  };

  return (
    <>
      <h1>API Usage</h1>
      <div className="toolbar">
        <RangePicker preset={preset} onPreset={setPreset} custom={custom} onCustom={setCustom} max={yesterday} />
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
        {data?.executionId && (
          <a href={exportUri(data.executionId)} download>
            Export API Usage Data
          </a>
        )}
      </div>
      <p className="hint" data-testid="range">
        UTC days {isoDay(start)} to {isoDay(new Date(end.getTime() - 1))} (dates are calculated in UTC; your local date
        may differ). Today is never included.
      </p>
      {loading && <p role="status">Loading usage…</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!loading && !error && data && total.requests === 0 && (
        <div className="empty-state">
          <p className="empty">No API requests in this period.</p>
          <p className="hint" data-testid="next-data">
            {nextDataNote(new Date())}
          </p>
        </div>
      )}
      {!loading && !error && data && total.requests > 0 && (
        <>
          <p>
            Total API requests: <strong data-testid="total-requests">{n(total.requests)}</strong> · OAuth clients:{' '}
            <strong data-testid="total-clients">{clients.length}</strong>
          </p>
          <UsageChart rows={data.graph} hourly={hourly} />

          <section aria-label="Most Active Requests">
            <h2>Most Active Requests</h2>
            <h3>Top 5 Requests by OAuth Client</h3>
            <BarChart
              name="Top 5 Requests by OAuth Client, successful and failed"
              horizontal
              stacked
              height={60 + 32 * Math.min(5, clients.length)}
              labels={clients.slice(0, 5).map((c) => c.row.clientName ?? c.key)}
              series={[
                { label: 'Successful', data: clients.slice(0, 5).map(ok), color: STATUS_COLORS.ok },
                { label: 'Failed', data: clients.slice(0, 5).map(failed), color: STATUS_COLORS.serverError },
              ]}
            />
            <table aria-label="Top 5 Requests by OAuth Client">
              <thead>
                <tr>
                  <th>OAuth client</th>
                  <th>Requests</th>
                  <th>Successful</th>
                  <th>Failed</th>
                </tr>
              </thead>
              <tbody>
                {clients.slice(0, 5).map((c) => (
                  <tr key={c.key}>
                    <td>{c.row.clientName}</td>
                    <td>{n(c.requests)}</td>
                    <td>{n(ok(c))}</td>
                    <td>{n(failed(c))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>HTTP Response Status Codes</h3>
            <BarChart
              name="HTTP Response Status Codes across all clients"
              labels={STATUS_HEADERS}
              series={[
                {
                  label: 'Requests',
                  data: [total.status200, total.status300, total.status400, total.status429, total.status500],
                  color: STATUS_COLORS.redirect,
                },
              ]}
            />
            <table aria-label="HTTP Response Status Codes">
              <thead>
                <tr>
                  {STATUS_HEADERS.map((h) => (
                    <th key={h}>{h}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr>
                  <StatusCells t={total} />
                </tr>
              </tbody>
            </table>
            <h3>Top 5 Requested URLs</h3>
            <BarChart
              name="Top 5 Requested URLs, successful and failed"
              horizontal
              stacked
              height={60 + 32 * Math.min(5, urls.length)}
              labels={urls.slice(0, 5).map((u) => u.key)}
              series={[
                { label: 'Successful', data: urls.slice(0, 5).map(ok), color: STATUS_COLORS.ok },
                { label: 'Failed', data: urls.slice(0, 5).map(failed), color: STATUS_COLORS.serverError },
              ]}
            />
            <table aria-label="Top 5 Requested URLs">
              <thead>
                <tr>
                  <th>URL</th>
                  <th>Requests</th>
                  <th>Successful</th>
                  <th>Failed</th>
                </tr>
              </thead>
              <tbody>
                {urls.slice(0, 5).map((u) => (
                  <tr key={u.key}>
                    <td>{u.key}</td>
                    <td>{n(u.requests)}</td>
                    <td>{n(ok(u))}</td>
                    <td>{n(failed(u))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section aria-label="OAuth Client Requests">
            <h2>OAuth Client Requests</h2>
            <Selection
              title="OAuth Client Settings"
              options={clients.map((c) => ({ key: c.key, label: c.row.clientName ?? c.key }))}
              selected={clientSel}
              onSave={save(CLIENTS_KEY, setClientSel)}
              onReset={reset(CLIENTS_KEY, setClientSel)}
            />
            <h3>HTTP Response Status Codes by OAuth Client</h3>
            <BarChart
              name="HTTP Response Status Codes by OAuth Client"
              horizontal
              stacked
              height={70 + 32 * shownClients.length}
              labels={shownClients.map((c) => c.row.clientName ?? c.key)}
              series={byStatus(shownClients)}
            />
            <table aria-label="Request Counts by OAuth Client">
              <thead>
                <tr>
                  <th>OAuth client</th>
                  <th>Requests</th>
                  {STATUS_HEADERS.map((h) => (
                    <th key={h}>{h}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shownClients.map((c) => (
                  <tr key={c.key}>
                    <td>{c.row.clientName}</td>
                    <td>{n(c.requests)}</td>
                    <StatusCells t={c} />
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>Request URL Counts by OAuth Client</h3>
            <BarChart
              name="Request URL Counts by OAuth Client, the 10 highest"
              horizontal
              height={60 + 30 * Math.min(10, shownPairs.length)}
              labels={shownPairs.slice(0, 10).map((p) => `${p.row.clientName} · ${urlKey(p.row)}`)}
              series={[
                {
                  label: 'Requests',
                  data: shownPairs.slice(0, 10).map((p) => p.requests),
                  color: STATUS_COLORS.redirect,
                },
              ]}
            />
            <table aria-label="Request URL Counts by OAuth Client">
              <thead>
                <tr>
                  <th>OAuth client</th>
                  <th>URL</th>
                  <th>Requests</th>
                </tr>
              </thead>
              <tbody>
                {shownPairs.slice(0, allPairs ? undefined : PAIRS_SHOWN).map((p) => (
                  <tr key={p.key}>
                    <td>{p.row.clientName}</td>
                    <td>{urlKey(p.row)}</td>
                    <td>{n(p.requests)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {shownPairs.length > PAIRS_SHOWN && (
              <button type="button" className="secondary" onClick={() => setAllPairs(!allPairs)}>
                {allPairs ? `Show the first ${PAIRS_SHOWN}` : `Show all ${shownPairs.length} client and URL pairs`}
              </button>
            )}
          </section>

          <section aria-label="URL Requests">
            <h2>URL Requests</h2>
            <Selection
              title="URL Request Settings"
              options={urls.map((u) => ({ key: u.key, label: u.key }))}
              selected={urlSel}
              onSave={save(URLS_KEY, setUrlSel)}
              onReset={reset(URLS_KEY, setUrlSel)}
            />
            <BarChart
              name="URL Requests by status"
              horizontal
              stacked
              height={70 + 30 * Math.min(10, shownUrls.length)}
              labels={shownUrls.slice(0, 10).map((u) => u.key)}
              series={byStatus(shownUrls.slice(0, 10))}
            />
            <table aria-label="URL Requests">
              <thead>
                <tr>
                  <th>URL</th>
                  <th>Requests</th>
                  {STATUS_HEADERS.map((h) => (
                    <th key={h}>{h}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shownUrls.map((u) => (
                  <tr key={u.key}>
                    <td>{u.key}</td>
                    <td>{n(u.requests)}</td>
                    <StatusCells t={u} />
                  </tr>
                ))}
              </tbody>
            </table>
            <p>
              Total successful: <strong data-testid="total-success">{n(ok(total))}</strong> · Total failed:{' '}
              <strong data-testid="total-failed">{n(failed(total))}</strong>
            </p>
          </section>
        </>
      )}
    </>
  );
}
