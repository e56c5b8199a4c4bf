/** A real chart (Chart.js, canvas): successful and failed requests per day, or per hour for one day. */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';
import type { UsageRow } from '../../api/usage.ts';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export function UsageChart({ rows, hourly }: { rows: UsageRow[]; hourly: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const labels = rows.map((r) => (hourly ? `${r.date.slice(11, 16)} UTC` : r.date.slice(0, 10)));
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            label: 'Successful (2xx, 3xx)',
            data: rows.map((r) => r.status200 + r.status300),
            backgroundColor: '#2e7d32',
            stack: 's',
          },
          {
            label: 'Failed (4xx, 5xx)',
            data: rows.map((r) => r.status400 + r.status500),
            backgroundColor: '#c62828',
            stack: 's',
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
      },
    });
    return () => chart.destroy();
  }, [rows, hourly]);
  return (
    <div className="chart" style={{ height: 220 }}>
      <canvas ref={canvas} role="img" aria-label={`Requests per ${hourly ? 'hour' : 'day'}, successful and failed`} />
    </div>
  );
}
