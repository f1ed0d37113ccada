/**
 * The printable audit record (GET /requests/{id}/audit.html): the request, every event in order with
 * its actor and full texts, the evidence with fingerprints and links, the SSL grades per host.
 * Plain HTML that prints on paper as it shows on screen (no script, no collapsed sections).
 */

import { html, type SafeHtml } from '../../core/html/html.ts';
import { page } from '../../core/html/layout.ts';
import { EVIDENCE_KIND_LABELS } from '../../evidence/index.ts';
import type { AuditEntry, AuditRecord } from '../audit-record.ts';

const PRINT = html`<style>@media print{header,.no-print{display:none}a{color:inherit}main{max-width:none}}pre{white-space:pre-wrap;font:inherit;margin:.25rem 0}</style>`;

const via = (v: string) =>
  ({
    sso: 'signed in',
    link: 'emailed link, name typed',
    'vendor-link': 'vendor upload link',
    workflow: 'system',
  })[v] ?? v;

function eventRow(e: AuditEntry): SafeHtml {
  return html`<tr>
<td>${e.at.replace('T', ' ').slice(0, 19)} UTC</td>
<td>${String(e.step)}</td>
<td>${e.summary}${e.decision ? html`<br><strong>Decision:</strong> ${e.decision}` : ''}
${e.question ? html`<br><strong>Question:</strong><pre>${e.question}</pre>` : ''}
${e.answer ? html`<br><strong>Answer:</strong><pre>${e.answer}</pre>` : ''}
${e.comment ? html`<br><strong>Comment:</strong><pre>${e.comment}</pre>` : ''}
${e.evidence ? html`<br><strong>Document:</strong> <a href="${e.evidence.url}">${e.evidence.documentId}</a> · SHA-256 <code>${e.evidence.sha256}</code>` : ''}</td>
<td>${e.actor.name}${e.actor.email ? html`<br>${e.actor.email}` : ''}<br><span class="hint">${via(e.actor.via)}</span></td>
</tr>`;
}

export function renderAuditPage(record: AuditRecord): string {
  const body = html`${PRINT}<h1>Audit record: ${record.requestId}</h1>
<dl>
<dt>Resource</dt><dd>${record.resourceName} (${record.vendorName})</dd>
<dt>Status</dt><dd>${record.status.replace('_', ' ')}</dd>
<dt>Requested by</dt><dd>${record.requester.name} (${record.requester.email}) on ${record.submittedAt.slice(0, 10)}</dd>
</dl>
<p class="no-print"><a href="/requests/${encodeURIComponent(record.requestId)}/audit">This record as JSON</a></p>
<h2>Events</h2>
<table><caption class="hint">Every event of the request, oldest first (times in UTC)</caption>
<thead><tr><th scope="col">When</th><th scope="col">SOP step</th><th scope="col">What</th><th scope="col">Who</th></tr></thead>
<tbody>${record.events.map(eventRow)}</tbody></table>
<h2>Evidence</h2>
${
  record.evidence.length
    ? html`<table><thead><tr><th scope="col">Document</th><th scope="col">Kept</th><th scope="col">SHA-256</th><th scope="col">From</th></tr></thead>
<tbody>${record.evidence.map(
        (
          e,
        ) => html`<tr><td><a href="${e.url}">${EVIDENCE_KIND_LABELS[e.kind]}</a>${e.source ? html`<br><span class="hint">${e.source}</span>` : ''}${e.flags ? html`<br><span class="error">${e.flags.join('; ')}</span>` : ''}</td>
<td>${e.capturedAt.replace('T', ' ').slice(0, 19)} UTC<br>${String(e.bytes)} bytes</td><td><code>${e.sha256}</code></td><td>${e.by.name}${e.by.email ? html`<br>${e.by.email}` : ''}</td></tr>`,
      )}</tbody></table>`
    : html`<p>No documents are kept for this request.</p>`
}
${
  record.evidenceFailures.length
    ? html`<h3>Documents that could not be kept</h3><ul>${record.evidenceFailures.map(
        (f) =>
          html`<li>${EVIDENCE_KIND_LABELS[f.kind]} from ${f.url} on ${f.at.slice(0, 10)}: ${f.message}</li>`,
      )}</ul>`
    : ''
}
<h2>SSL grades</h2>
${
  record.ssl.length
    ? html`<table><thead><tr><th scope="col">Host</th><th scope="col">Grade</th><th scope="col">Result</th></tr></thead>
<tbody>${record.ssl.map((h) => html`<tr><td>${h.host}</td><td>${h.grade ?? 'no grade'}</td><td>${h.passed ? 'passed' : 'failed'}: ${h.reason}</td></tr>`)}</tbody></table>`
    : html`<p>No website was SSL-tested for this request.</p>`
}`;
  return page({ title: `Audit record ${record.requestId}`, body });
}
