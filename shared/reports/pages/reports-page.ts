/**
 * GET /reports as a page: how the procedure is doing over a range of months, for Technology Services
 * (SOP section 4) and the auditors. Charts as inline SVG with the same figures in tables.
 */
import { html } from '../../core/html/html.ts';
import { page } from '../../core/html/layout.ts';
import { TEAMS } from '../../workflow/index.ts';
import type { ReportSummary } from '../summary.ts';
import { dayBars, groupedBars } from './charts.ts';

const days = (n: number | null) => (n === null ? '–' : `${n.toFixed(1)} d`);
const percent = (n: number | null) => (n === null ? '–' : `${n}%`);

export function renderReportsPage(summary: ReportSummary): string {
  const { requests, steps, denials, leadTime, perMonth } = summary;
  const body = html`<h1>How the procedure is doing</h1>
<form method="get" action="/reports" class="card">
<label for="from">From (month)</label><input id="from" name="from" type="month" value="${summary.from}" required>
<label for="to">To (month)</label><input id="to" name="to" type="month" value="${summary.to}" required>
<button type="submit">Show</button>
<p class="hint"><a href="/reports/summary.json?from=${summary.from}&amp;to=${summary.to}">These figures as JSON</a> · <a href="/reports/tasks.csv?from=${summary.from}&amp;to=${summary.to}">The decided tasks behind them (CSV)</a></p>
</form>
<section aria-labelledby="requests-title"><h2 id="requests-title">Requests</h2>
<dl><dt>Submitted</dt><dd>${requests.submitted}</dd><dt>Approved</dt><dd>${requests.approved}</dd><dt>Denied</dt><dd>${requests.denied}</dd><dt>Stopped by a system error</dt><dd>${requests.error}</dd><dt>Waiting on a person now</dt><dd>${requests.inReview}</dd>
<dt>Lead time, submitted to answer</dt><dd>median ${days(leadTime.medianDays)}, 90th percentile ${days(leadTime.p90Days)}</dd>
<dt>Answered with a current vetting reused</dt><dd>${percent(summary.reusedVettingPct)}</dd></dl>
${groupedBars({
  id: 'per-month',
  title: 'Requests per month by outcome',
  description: `Submitted, approved and denied requests for each month from ${summary.from} to ${summary.to}; the table below gives the numbers.`,
  labels: perMonth.map((m) => m.month),
  series: [
    { name: 'submitted', color: '#57606a', values: perMonth.map((m) => m.submitted) },
    { name: 'approved', color: '#1a7f37', values: perMonth.map((m) => m.approved) },
    { name: 'denied', color: '#b42318', values: perMonth.map((m) => m.denied) },
  ],
})}
<table><caption class="hint">Requests per month</caption><thead><tr><th scope="col">Month</th><th scope="col">Submitted</th><th scope="col">Approved</th><th scope="col">Denied</th></tr></thead>
<tbody>${perMonth.map((m) => html`<tr><th scope="row">${m.month}</th><td>${m.submitted}</td><td>${m.approved}</td><td>${m.denied}</td></tr>`)}</tbody></table></section>
<section aria-labelledby="steps-title"><h2 id="steps-title">Each step: days from assignment to decision</h2>
${dayBars({
  id: 'steps',
  title: 'Days from assignment to decision, by step',
  description:
    'For each human step, the median and 90th percentile days it took, against its service level; the table below gives the numbers.',
  rows: steps.map((s) => ({
    label: `${s.kind} (SOP ${s.sopStep})`,
    median: s.medianDays,
    p90: s.p90Days,
    sla: s.slaDays,
  })),
})}
<table><caption class="hint">Each human step of TS-PE-535</caption><thead><tr><th scope="col">Step</th><th scope="col">Team</th><th scope="col">Decided</th><th scope="col">Median</th><th scope="col">90th percentile</th><th scope="col">Service level</th><th scope="col">Within it</th><th scope="col">Pending now</th><th scope="col">Overdue now</th></tr></thead>
<tbody>${steps.map(
    (s) =>
      html`<tr><th scope="row">${s.title} (SOP ${s.sopStep})</th><td>${TEAMS[s.team]}</td><td>${s.decided}</td><td>${days(s.medianDays)}</td><td>${days(s.p90Days)}</td><td>${s.slaDays} d</td><td>${percent(s.withinSlaPct)}</td><td>${s.pendingNow}</td><td>${s.overdueNow ? html`<strong>${s.overdueNow}</strong>` : '0'}</td></tr>`,
  )}</tbody></table></section>
<section aria-labelledby="denials-title"><h2 id="denials-title">Denials by step and reason</h2>
${
  denials.length
    ? html`<table><caption class="hint">Why requests were denied</caption><thead><tr><th scope="col">SOP step</th><th scope="col">Reason</th><th scope="col">Requests</th></tr></thead>
<tbody>${denials.map((d) => html`<tr><td>${d.sopStep}</td><td>${d.reason}</td><td>${d.count}</td></tr>`)}</tbody></table>`
    : html`<p>No request was denied in these months.</p>`
}</section>`;
  return page({ title: 'Reports', body });
}
