/**
 * The console's bar chart (Chart.js, canvas). The canvas is an image with a name saying what it
 * shows and its figures; the tables beside each chart carry the same numbers for screen readers
 * and keyboard users. `highlight` dims every bar but one (cross-highlighting).
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface Series {
  label: string;
  data: number[];
  color: string;
}

/** The seed's status colours: successful green, redirects blue, client errors amber, 429 purple, server red. */
export const STATUS_COLORS = {
  ok: '#2e7d32',
  redirect: '#1565c0',
  clientError: '#ef6c00',
  throttled: '#6a1b9a',
  serverError: '#c62828',
} as const;

export function BarChart({
  name,
  labels,
  series,
  horizontal = false,
  stacked = false,
  height = 220,
  highlight = null,
  onPick,
}: {
  /** What the chart shows, for its accessible name. */
  name: string;
  labels: string[];
  series: Series[];
  horizontal?: boolean;
  stacked?: boolean;
  height?: number;
  highlight?: number | null;
  onPick?(index: number): void;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  // Callers build their arrays on every render: redraw only when the figures change.
  const spec = JSON.stringify({ labels, series, horizontal, stacked, highlight });
  // biome-ignore lint/correctness/useExhaustiveDependencies: spec stands for every input read below
  useEffect(() => {
    if (!canvas.current) return;
    const datasets: ChartDataset<'bar'>[] = series.map((s) => ({
      label: s.label,
      data: s.data,
      backgroundColor: labels.map((_, i) => (highlight === null || highlight === i ? s.color : `${s.color}40`)),
      ...(stacked ? { stack: 's' } : {}),
    }));
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? 'y' : 'x',
        scales: {
          x: { stacked, beginAtZero: true },
          y: { stacked, beginAtZero: true, ticks: horizontal ? { autoSkip: false } : {} },
        },
        plugins: { legend: { display: series.length > 1 } },
        onClick: (_e, elements) => {
          if (elements[0] && pick.current) pick.current(elements[0].index);
        },
      },
    });
    return () => chart.destroy();
  }, [spec]);
  const summary = labels
    .map((l, i) => `${l}: ${series.map((s) => `${s.label} ${(s.data[i] ?? 0).toLocaleString('en-US')}`).join(', ')}`)
    .join('; ');
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={`${name}. ${summary}`} />
    </div>
  );
}
