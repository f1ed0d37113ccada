/**
 * SOP 6 and 16: the staff transparency list (the district's TXSPA database): every vetted resource
 * with its status in words, the reason when not approved, DPA expiry, SSL grade and renewal date.
 * Searchable with a plain GET form; every value from a request is escaped.
 */
import { html, type SafeHtml } from '../mail/html.ts';
import type { RegistryEntry } from '../store/records.ts';
import { page } from './layout.ts';

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
}

/** The list's address with the same search, at another page. */
function listLink(view: RegistryView, cursor?: string): string {
  const params = new URLSearchParams();
  if (view.q) params.set('q', view.q);
  if (view.status) params.set('status', view.status);
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return `/registry${query ? `?${query}` : ''}`;
}

export function renderRegistry(view: RegistryView): string {
  const q = view.q ?? '';
  const count = view.entries.length;
  const paging = html`${
    view.cursor ? html`<a href="${listLink(view)}">First page</a>` : ''
  }${view.cursor && view.next ? ' · ' : ''}${view.next ? html`<a href="${listLink(view, view.next)}" rel="next">Next page</a>` : ''}`;
  const body = html`<h1>Digital resources: approved and not approved</h1>
<p>Every resource the district has vetted (procedure TS-PE-535), for staff transparency. Check here before
requesting a resource; <a href="/">request a new one</a> if it is not listed.</p>
<form method="get" action="/registry" role="search">
<label for="q">Search by name, vendor or website</label>
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
<thead><tr><th scope="col">Resource</th><th scope="col">Vendor</th><th scope="col">Status</th><th scope="col">Since</th><th scope="col">Reason</th><th scope="col">DPA expires</th><th scope="col">SSL grade</th><th scope="col">Renewal due</th><th scope="col">Request</th></tr></thead>
<tbody>${view.entries.map(
        (e) => html`<tr>
<th scope="row">${safeLink(e.url, e.resourceName)}</th>
<td data-label="Vendor">${e.vendorName}</td>
<td data-label="Status"><span class="badge ${e.status}">${STATUS_WORDS[e.status] ?? e.status}</span></td>
<td data-label="Since">${day(e.statusDate)}</td>
<td data-label="Reason">${e.reason ?? '—'}</td>
<td data-label="DPA expires">${day(e.dpaExpiresOn)}</td>
<td data-label="SSL grade">${e.sslGrade ?? '—'}</td>
<td data-label="Renewal due">${day(e.renewalDueOn)}</td>
<td data-label="Request"><a href="/requests/${e.requestId}">${e.requestId}</a></td>
</tr>`,
      )}</tbody>
</table>`
    : html`<p>No resources found${view.cursor ? ' on this page' : ''}.</p>`
}
<nav aria-label="Pages of the list"><p>${paging}</p></nav>`;
  return page({ title: q ? `Resources matching “${q}”` : 'Approved resources', body });
}

export function renderRegistryError(message: string): string {
  return page({
    title: 'Please correct the search',
    body: html`<h1>Please correct the search</h1><p class="error">${message}</p><p><a href="/registry">Show every resource</a></p>`,
  });
}
