/**
 * SOP 6 and 16: the staff transparency list (the district's TXSPA database): every vetted resource
 * with its status in words, the reason when not approved, DPA expiry, SSL grade and renewal date.
 * Searchable with a plain GET form; every value from a request is escaped.
 */

import { html, type SafeHtml } from '../../core/html/html.ts';
import { page } from '../../core/html/layout.ts';
import type { RegistryEntry } from '../../workflow/index.ts';
import type { RegistryResourceView } from '../registry-resource.ts';

const STATUS_WORDS = { APPROVED: 'Approved', NOT_APPROVED: 'Not Approved' } as const;

/** Links only to http(s) addresses, whatever was stored. */
function safeLink(url: string | undefined, text: string): SafeHtml | string {
  if (!url || !/^https?:\/\//i.test(url)) return text;
  return html`<a href="${url}" rel="noopener noreferrer">${text}</a>`;
}

/** On a phone each row becomes a card: the column headings move next to the values. */
const PHONE_STYLE = html`<style>
@media (max-width:600px){table.registry thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
table.registry td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}
</style>`;

const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '—');

export interface RegistryView {
  entries: readonly RegistryEntry[];
  q?: string;
  status?: 'APPROVED' | 'NOT_APPROVED';
  /** This page's cursor (absent on the first page). */
  cursor?: string;
  /** The next page's cursor, when there may be more. */
  next?: string;
  /** The previous page's cursor, when the browser came from it (the first page has none). */
  prev?: string;
}

/** The list's address with the same search, at another page (or as CSV). */
function listLink(view: RegistryView, cursor?: string, path = '/registry'): string {
  const params = new URLSearchParams();
  if (view.q) params.set('q', view.q);
  if (view.status) params.set('status', view.status);
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return `${path}${query ? `?${query}` : ''}`;
}

/** The resource's own page (status, why, requests, evidence, renewal). */
export const resourcePath = (resourceId: string) => `/registry/${encodeURIComponent(resourceId)}`;

export function renderRegistry(view: RegistryView): string {
  const q = view.q ?? '';
  const count = view.entries.length;
  // Previous goes back one page when the browser came from it (`prev`), else to the first page.
  const paging = html`${
    view.cursor
      ? html`<a href="${listLink(view, view.prev)}" rel="prev">Previous page</a> · <a href="${listLink(view)}">First page</a>`
      : ''
  }${view.cursor && view.next ? ' · ' : ''}${view.next ? html`<a href="${listLink({ ...view, prev: undefined }, view.next)}${view.cursor ? `&prev=${encodeURIComponent(view.cursor)}` : ''}" rel="next">Next page</a>` : ''}`;
  const body = html`<h1>Digital resources: approved and not approved</h1>
<p>Every resource the district has vetted (procedure TS-PE-535), for staff transparency. Check here before
requesting a resource; <a href="/">request a new one</a> if it is not listed.</p>
<form method="get" action="/registry" role="search">
<label for="q">Search by resource or vendor name (any word, or its beginning)</label>
<input type="search" id="q" name="q" value="${q}" maxlength="100" autocomplete="off">
<label for="status">Status</label>
<select id="status" name="status">
<option value=""${view.status ? '' : html` selected`}>Any</option>
<option value="APPROVED"${view.status === 'APPROVED' ? html` selected` : ''}>Approved</option>
<option value="NOT_APPROVED"${view.status === 'NOT_APPROVED' ? html` selected` : ''}>Not Approved</option>
</select>
<button type="submit">Search</button>
</form>
<p role="status">${count === 1 ? '1 resource' : `${count} resources`}${q ? html` matching “${q}”` : ''}${
    view.cursor || view.next ? ' on this page' : ''
  }.</p>
${
  count
    ? html`${PHONE_STYLE}<table class="registry">
<caption class="hint">Status, reason, Data Privacy Agreement (DPA) expiry, SSL grade and renewal date</caption>
<thead><tr><th scope="col">Resource</th><th scope="col">Vendor</th><th scope="col">Status</th><th scope="col">Since</th><th scope="col">Reason</th><th scope="col">DPA expires</th><th scope="col">SSL grade</th><th scope="col">Renewal due</th><th scope="col">Website</th><th scope="col">Source</th></tr></thead>
<tbody>${view.entries.map(
        (e) => html`<tr>
<th scope="row"><a href="${resourcePath(e.resourceId)}">${e.resourceName}</a></th>
<td data-label="Vendor">${e.vendorName}</td>
<td data-label="Status"><span class="badge ${e.status}">${STATUS_WORDS[e.status] ?? e.status}</span>${e.underReview ? html` <span class="badge" title="${e.underReview.reason}">Under review</span>` : ''}</td>
<td data-label="Since">${day(e.statusDate)}</td>
<td data-label="Reason">${e.reason ?? '—'}</td>
<td data-label="DPA expires">${day(e.dpaExpiresOn)}</td>
<td data-label="SSL grade">${e.sslGrade ?? '—'}</td>
<td data-label="Renewal due">${day(e.renewalDueOn)}</td>
<td data-label="Website">${safeLink(e.url, e.hosts?.[0] ?? e.url ?? '—')}</td>
<td data-label="Source">${e.requestId ? html`<a href="/requests/${e.requestId}">${e.requestId}</a>` : 'imported'}</td>
</tr>`,
      )}</tbody>
</table>`
    : html`<p>No resources found${view.cursor ? ' on this page' : ''}.</p>`
}
<nav aria-label="Pages of the list"><p>${paging}</p></nav>
<p><a href="${listLink(view, undefined, '/registry.csv')}" download>Download this list as CSV</a> (for the TXSPA database)</p>`;
  return page({ title: q ? `Resources matching “${q}”` : 'Approved resources', body });
}

export function renderRegistryError(message: string): string {
  return page({
    title: 'Please correct the search',
    body: html`<h1>Please correct the search</h1><p class="error">${message}</p><p><a href="/registry">Show every resource</a></p>`,
  });
}

/** GET /registry/{resourceId}: one resource's status, why, requests, evidence and renewal. */
export function renderRegistryResource(view: RegistryResourceView): string {
  const row = (label: string, value: SafeHtml | string) =>
    html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  const body = html`<p><a href="/registry">← All resources</a></p>
<h1>${view.resourceName}</h1>
<p>${view.vendorName} · <span class="badge ${view.status}">${STATUS_WORDS[view.status] ?? view.status}</span> since ${day(view.statusDate)}${
    view.source === 'imported' ? ' (imported from the district’s earlier list)' : ''
  }</p>
${view.why ? html`<h2>Why it is not approved</h2><p>${view.why.sopStep ? `At SOP step ${view.why.sopStep}: ` : ''}${view.why.reason}</p>` : ''}
<h2>Evidence</h2>
<table class="registry">
${row('Data Privacy Agreement', view.evidence.dpaOnFile ? html`On file, expires ${day(view.evidence.dpaExpiresOn ?? undefined)}` : 'None on file')}
${row('SSL grade', view.evidence.sslGrade ? `${view.evidence.sslGrade}${view.evidence.sslTestedAt ? `, tested ${day(view.evidence.sslTestedAt)}` : ''}` : '—')}
${row('Website', view.url ? safeLink(view.url, view.url) : '—')}
${row('Next renewal', day(view.renewalDueOn ?? undefined))}
${row('Current vetting', view.currentVetting ? 'Yes: a new request for this resource skips security vetting (steps 3–6) when this evidence covers it (same websites, no other student data)' : 'No: a new request for this resource goes through security vetting')}
${view.deletion ? row('Deletion of student data', `Requested on ${day(view.deletion.requestedOn ?? undefined)}; ${view.deletion.confirmedOn ? `confirmed on ${day(view.deletion.confirmedOn)}` : 'not confirmed yet'}`) : ''}
${view.notes ? row('Notes', view.notes) : ''}
</table>
<h2>Requests about it</h2>
${
  view.requests.length
    ? html`<ul>${view.requests.map((r) => html`<li><a href="${r.statusPage}">${r.requestId}</a></li>`)}</ul>`
    : html`<p>None: this entry was imported.</p>`
}`;
  return page({ title: view.resourceName, body });
}

export function renderRegistryResourceError(message: string): string {
  return page({
    title: 'Resource not found',
    body: html`<h1>Resource not found</h1><p class="error">${message}</p><p><a href="/registry">Search the registry</a></p>`,
  });
}
