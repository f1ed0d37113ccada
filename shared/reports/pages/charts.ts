/**
 * Charts as accessible inline SVG, drawn on the server (no script): each is an image with a title and
 * a description that say what it shows, and the page gives the same figures as a table beside it.
 */
import { html, type SafeHtml } from '../../core/html/html.ts';

export interface Series {
  name: string;
  color: string;
  values: number[];
}

const WIDTH = 640;
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** Grouped vertical bars: one group per label, one bar per series. */
export function groupedBars(options: {
  id: string;
  title: string;
  description: string;
  labels: string[];
  series: Series[];
}): SafeHtml {
  const { id, title, description, labels, series } = options;
  const height = 200;
  const top = 10;
  const bottom = 30;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const groupWidth = (WIDTH - 40) / Math.max(1, labels.length);
  const barWidth = Math.max(2, (groupWidth - 6) / Math.max(1, series.length));
  const scale = (v: number) => ((height - top - bottom) * v) / max;
  return html`<svg role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${height}" width="100%" style="max-width:${WIDTH}px">
<title id="${id}-title">${title}</title><desc id="${id}-desc">${description}</desc>
<line x1="40" y1="${height - bottom}" x2="${WIDTH}" y2="${height - bottom}" stroke="#57606a"/>
<text x="36" y="${top + 8}" text-anchor="end" font-size="11" fill="#1b1f24">${fmt(max)}</text>
<text x="36" y="${height - bottom}" text-anchor="end" font-size="11" fill="#1b1f24">0</text>
${labels.map(
  (label, g) =>
    html`<g>${series.map((s, i) => {
      const value = s.values[g] ?? 0;
      const x = 40 + g * groupWidth + 3 + i * barWidth;
      const h = scale(value);
      return html`<rect x="${fmt(x)}" y="${fmt(height - bottom - h)}" width="${fmt(barWidth - 1)}" height="${fmt(h)}" fill="${s.color}"><title>${label}, ${s.name}: ${value}</title></rect>`;
    })}<text x="${fmt(40 + g * groupWidth + groupWidth / 2)}" y="${height - bottom + 14}" text-anchor="middle" font-size="11" fill="#1b1f24">${label.slice(2)}</text></g>`,
)}
</svg>
<p class="hint">${series.map((s) => html`<span style="color:${s.color}">■</span> ${s.name} `)}</p>`;
}

/** Horizontal bars per row: the median, the 90th percentile as a lighter bar, the service level as a mark. */
export function dayBars(options: {
  id: string;
  title: string;
  description: string;
  rows: { label: string; median: number | null; p90: number | null; sla: number }[];
}): SafeHtml {
  const { id, title, description, rows } = options;
  const rowHeight = 22;
  const left = 200;
  const height = rows.length * rowHeight + 24;
  const max = Math.max(1, ...rows.flatMap((r) => [r.median ?? 0, r.p90 ?? 0, r.sla]));
  const x = (days: number) => left + ((WIDTH - left - 20) * days) / max;
  return html`<svg role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${height}" width="100%" style="max-width:${WIDTH}px">
<title id="${id}-title">${title}</title><desc id="${id}-desc">${description}</desc>
${rows.map((row, i) => {
  const y = i * rowHeight + 4;
  return html`<g><text x="${left - 6}" y="${y + 14}" text-anchor="end" font-size="11" fill="#1b1f24">${row.label}</text>
${row.p90 === null ? '' : html`<rect x="${left}" y="${y + 3}" width="${fmt(x(row.p90) - left)}" height="14" fill="#9ecbff"><title>${row.label}: 90th percentile ${fmt(row.p90)} days</title></rect>`}
${row.median === null ? '' : html`<rect x="${left}" y="${y + 3}" width="${fmt(x(row.median) - left)}" height="14" fill="#0b5cad"><title>${row.label}: median ${fmt(row.median)} days</title></rect>`}
<line x1="${fmt(x(row.sla))}" y1="${y}" x2="${fmt(x(row.sla))}" y2="${y + 20}" stroke="#b42318" stroke-width="2"><title>${row.label}: service level ${row.sla} days</title></line></g>`;
})}
<text x="${left}" y="${height - 4}" font-size="11" fill="#1b1f24">0 days</text>
<text x="${WIDTH - 20}" y="${height - 4}" text-anchor="end" font-size="11" fill="#1b1f24">${fmt(max)} days</text>
</svg>
<p class="hint"><span style="color:#0b5cad">■</span> median <span style="color:#9ecbff">■</span> 90th percentile <span style="color:#b42318">|</span> service level</p>`;
}
