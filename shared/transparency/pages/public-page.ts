/**
 * GET /public: the approved resources and the data each one receives, in plain language for parents
 * and staff (WCAG 2.1 AA, printable: no script, every table with its caption and header cells).
 */
import { html, type SafeHtml } from '../../core/html/html.ts';
import { page } from '../../core/html/layout.ts';
import type { PublicList, PublicResource } from '../public-list.ts';

const PRINT = html`<style>@media print{header,.no-print{display:none}main{max-width:none}a{color:inherit}}</style>`;

const list = (values: readonly string[], none: string) => (values.length ? values.join(', ') : none);

function resourceCard(r: PublicResource): SafeHtml {
  return html`<section class="card" aria-labelledby="r-${r.resourceId}">
<h2 id="r-${r.resourceId}">${r.resourceName}</h2>
<dl>
<dt>Company</dt><dd>${r.vendorName}</dd>
${r.purpose ? html`<dt>How students use it</dt><dd>${r.purpose}</dd>` : ''}
<dt>Grade levels</dt><dd>${list(r.gradeLevels, 'Not stated')}</dd>
<dt>Subjects</dt><dd>${list(r.contentAreas, 'Not stated')}</dd>
<dt>Student information it receives</dt><dd>${list(r.dataElements, 'None')}</dd>
<dt>Companies that process the data for it</dt><dd>${list(r.subprocessors, 'None listed')}</dd>
<dt>Data privacy agreement</dt><dd>${
    r.dpa.signedOn
      ? html`Signed ${r.dpa.signedOn}${r.dpa.expiresOn ? html`, valid until ${r.dpa.expiresOn}` : ''}${
          r.dpa.documentUrl ? html` · <a href="${r.dpa.documentUrl}">read the agreement</a>` : ''
        }`
      : r.dataElements.length
        ? 'On file with the district'
        : 'Not needed: no student information is shared'
  }</dd>
<dt>Approved on</dt><dd>${r.approvedOn}</dd>
<dt>Next review</dt><dd>${r.nextReviewOn ?? 'Not scheduled'}</dd>
</dl>
</section>`;
}

export function renderPublicPage(view: PublicList): string {
  const body = html`${PRINT}<h1>Digital resources approved for students</h1>
<p>These are the apps, websites and software the district has approved, the student information each one receives, and the agreements that protect it. The district reviews each one every year.</p>
<p class="no-print">Also as <a href="/public.csv">a spreadsheet (CSV)</a> or <a href="/public.json">data (JSON)</a>. Updated ${view.generatedAt.slice(0, 10)}.</p>
${view.items.length ? view.items.map(resourceCard) : html`<p>No resource is approved yet.</p>`}
<h2>Data incidents</h2>
${
  view.incidents.length
    ? html`<table><caption>Data incidents reported to the district</caption>
<thead><tr><th scope="col">Resource</th><th scope="col">Reported on</th><th scope="col">Students affected</th><th scope="col">Information involved</th></tr></thead>
<tbody>${view.incidents.map((i) => html`<tr><td>${i.resourceName}</td><td>${i.reportedOn}</td><td>${i.studentsAffected === null ? 'Not known yet' : String(i.studentsAffected)}</td><td>${list(i.dataElements, 'Not known yet')}</td></tr>`)}</tbody></table>`
    : html`<p>No data incident has been reported for an approved resource.</p>`
}
<h2>No longer approved: deletion of student data</h2>
${
  view.withdrawn.length
    ? html`<table><caption>Resources no longer approved, and the deletion of the students' data the district asked of the vendor</caption>
<thead><tr><th scope="col">Resource</th><th scope="col">Vendor</th><th scope="col">Not approved since</th><th scope="col">Deletion requested on</th><th scope="col">Deletion confirmed on</th></tr></thead>
<tbody>${view.withdrawn.map((w) => html`<tr><td>${w.resourceName}</td><td>${w.vendorName}</td><td>${w.notApprovedOn}</td><td>${w.deletion.requestedOn ?? 'Not yet'}</td><td>${w.deletion.confirmedOn ?? 'Not yet'}</td></tr>`)}</tbody></table>`
    : html`<p>No approval has ended.</p>`
}`;
  return page({ title: 'Approved digital resources', body });
}
