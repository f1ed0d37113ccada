/**
 * The vendor's incident form (GET /incidents?link=…&t=…) and its answers. A plain form, usable without
 * scripts, that posts to the same address with the link in hidden fields; every value shown (the
 * resource's names, what the vendor typed when the form comes back with errors) goes through html``.
 */
import type { FieldError } from '../../core/errors.ts';
import { html, type SafeHtml } from '../../core/html/html.ts';
import { messagePage, page } from '../../core/html/layout.ts';
import type { IncidentRecord } from '../../workflow/index.ts';
import { INCIDENT_LIMITS } from '../incident-input.ts';
import { type IncidentLinkRecord, MAX_REPORTS_PER_INCIDENT_LINK } from '../incident-links.ts';

/** What the vendor typed, shown again with the errors (never stored). */
export interface IncidentFormValues {
  reportedOn?: string;
  description?: string;
  studentsAffected?: string;
  dataElements?: string;
}

export interface IncidentFormView {
  link: IncidentLinkRecord;
  /** The link's secret, posted back in a hidden field (the page is never cached nor referred). */
  secret: string;
  today: string;
  values?: IncidentFormValues;
  errors?: readonly FieldError[];
}

const FIELDS = [
  { name: 'reportedOn', label: 'Date of the incident' },
  { name: 'description', label: 'What happened' },
  { name: 'studentsAffected', label: 'Number of students affected' },
  { name: 'dataElements', label: 'Student data involved' },
] as const;

function errorSummary(errors: readonly FieldError[]): SafeHtml {
  const known = new Set<string>(FIELDS.map((f) => f.name));
  return html`<div class="errors" role="alert" aria-labelledby="error-summary-title" tabindex="-1" id="error-summary">
<h2 id="error-summary-title">Nothing was sent: please correct</h2>
<ul>${errors.map((e) => html`<li>${known.has(e.field) ? html`<a href="#${e.field}">${e.message}</a>` : e.message}</li>`)}</ul>
</div>`;
}

export function renderIncidentForm(view: IncidentFormView): string {
  const { link } = view;
  const values = view.values ?? {};
  const errorOf = (field: string) => view.errors?.find((e) => e.field === field)?.message;
  const described = (field: string, hint: boolean) => {
    const ids = [...(hint ? [`${field}-hint`] : []), ...(errorOf(field) ? [`${field}-error`] : [])];
    return ids.length ? html` aria-describedby="${ids.join(' ')}"` : '';
  };
  const invalid = (field: string) => (errorOf(field) ? html` aria-invalid="true"` : '');
  const fieldError = (field: string) => {
    const message = errorOf(field);
    return message ? html`<p id="${field}-error" class="error">${message}</p>` : '';
  };
  const left = Math.max(0, MAX_REPORTS_PER_INCIDENT_LINK - link.reports);
  const body = html`<h1>Report a student data incident</h1>
${view.errors?.length ? errorSummary(view.errors) : ''}
<dl>
<dt>Resource</dt><dd>${link.resourceName}</dd>
<dt>Vendor</dt><dd>${link.vendorName}</dd>
<dt>District reference</dt><dd>${link.requestId}</dd>
<dt>Reported by</dt><dd>${link.sentTo}</dd>
<dt>Link valid until</dt><dd>${link.expiresAt.slice(0, 10)}</dd>
</dl>
<p>Use this form to tell the district's Cybersecurity team about an incident involving students' data held for ${link.resourceName}. The team is notified at once; state law sets deadlines counted from the incident's date. Please do not name students in the description.</p>
<form method="post" action="/incidents">
<input type="hidden" name="link" value="${link.linkId}">
<input type="hidden" name="t" value="${view.secret}">
<label for="reportedOn">Date of the incident</label>
<input id="reportedOn" name="reportedOn" type="date" required max="${view.today}" value="${values.reportedOn ?? ''}"${described('reportedOn', false)}${invalid('reportedOn')}>
${fieldError('reportedOn')}
<label for="description">What happened</label>
<p id="description-hint" class="hint">What was exposed, how, and what you have done since (at most ${String(INCIDENT_LIMITS.description)} characters).</p>
<textarea id="description" name="description" rows="6" required maxlength="${String(INCIDENT_LIMITS.description)}"${described('description', true)}${invalid('description')}>${values.description ?? ''}</textarea>
${fieldError('description')}
<label for="studentsAffected">Number of students affected</label>
<p id="studentsAffected-hint" class="hint">A whole number; leave it empty when not known yet.</p>
<input id="studentsAffected" name="studentsAffected" type="number" min="0" step="1" inputmode="numeric" value="${values.studentsAffected ?? ''}"${described('studentsAffected', true)}${invalid('studentsAffected')}>
${fieldError('studentsAffected')}
<label for="dataElements">Student data involved</label>
<p id="dataElements-hint" class="hint">One per line, e.g. Student name, Grade level.</p>
<textarea id="dataElements" name="dataElements" rows="4" required${described('dataElements', true)}${invalid('dataElements')}>${values.dataElements ?? ''}</textarea>
${fieldError('dataElements')}
<button type="submit">Report the incident</button>
</form>
<p class="hint">This link takes ${String(left)} more report${left === 1 ? '' : 's'}. For anything else, reply to the district's email.</p>`;
  return page({ title: 'Report a student data incident', body });
}

export function renderIncidentReported(incident: IncidentRecord): string {
  return messagePage('Thank you: incident reported', [
    html`The district's Cybersecurity team received your report of an incident on <strong>${incident.resourceName}</strong> on ${incident.reportedOn}.`,
    html`Reference: <code>${incident.incidentId}</code>`,
    `Notice deadlines counted from the incident's date: ${incident.clocks.map((c) => `${c.name} by ${c.dueOn}`).join('; ')}.`,
    'The team will contact you; please keep any evidence of the incident.',
  ]);
}
