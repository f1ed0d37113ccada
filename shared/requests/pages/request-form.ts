/**
 * SOP steps 1–2: the request form. Every field of shared/workflow/request-schema.ts, in plain HTML that
 * works without scripts and on a phone. Re-rendered by submit-request with the user's values kept and
 * one message per field: an error summary at the top links to each field, and each field points at its
 * message with aria-describedby.
 */

import type { FieldError } from '../../core/errors.ts';
import { html, type SafeHtml } from '../../core/html/html.ts';
import { page } from '../../core/html/layout.ts';
import type { FormValue } from '../../core/http/edge.ts';
import { REQUEST_FIELD_LIMITS } from '../../core/text/text-limits.ts';
import { MATCH_IDS, REGISTRY_MATCHES_SCRIPT } from '../../registry/index.ts';

interface Option {
  value: string;
  label: string;
  hint?: string;
}

type Field =
  | {
      name: string;
      kind: 'text' | 'email' | 'url' | 'number' | 'textarea' | 'list';
      label: string;
      hint?: string;
      optional?: boolean;
      autocomplete?: string;
    }
  | { name: string; kind: 'radio'; label: string; hint?: string; options: Option[] };

interface Section {
  legend: string;
  fields: Field[];
}

const YES_NO: Option[] = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
];
export const LIST_HINT = 'One per line, or separated by commas.';

/** The form, in the order a teacher fills it in. Every schema field appears exactly once. */
export const FORM_SECTIONS: readonly Section[] = [
  {
    legend: 'About you',
    fields: [
      { name: 'requesterName', kind: 'text', label: 'Your name', autocomplete: 'name' },
      {
        name: 'requesterEmail',
        kind: 'email',
        label: 'Your email',
        hint: 'We send the acknowledgement and every status change to this address.',
        autocomplete: 'email',
      },
      {
        name: 'principal',
        kind: 'text',
        label: 'Principal',
        hint: 'The principal of the campus where the resource will be used.',
      },
    ],
  },
  {
    legend: 'The resource',
    fields: [
      { name: 'resourceName', kind: 'text', label: 'Name of resource' },
      { name: 'vendorName', kind: 'text', label: 'Vendor', hint: 'The company that provides the resource.' },
      {
        name: 'resourceKind',
        kind: 'radio',
        label: 'What kind of resource is it?',
        options: [
          { value: 'software', label: 'Software', hint: 'Installed on district computers.' },
          { value: 'application', label: 'Application', hint: 'An app for phones, tablets or Chromebooks.' },
          { value: 'web-service', label: 'Web service', hint: 'Used in a web browser.' },
        ],
      },
      {
        name: 'resourceUrl',
        kind: 'url',
        label: 'Website link to resource (if applicable)',
        hint: 'A full address such as https://example.com. Required for a web service. Cybersecurity tests the website with the Qualys SSL Server Test.',
        optional: true,
        autocomplete: 'url',
      },
      {
        name: 'requestType',
        kind: 'radio',
        label: 'Type of request',
        options: [
          {
            value: 'instructional',
            label: 'Instructional',
            hint: 'Student or teacher use: the Instructional Technology team gives curriculum approval.',
          },
          {
            value: 'administrative',
            label: 'Administrative',
            hint: 'Administrative software: the DII team gives administrative approval.',
          },
        ],
      },
    ],
  },
  {
    legend: 'Cost',
    fields: [
      {
        name: 'cost',
        kind: 'number',
        label: 'Cost (US dollars)',
        hint: 'Enter 0 if the resource is free.',
      },
      {
        name: 'paymentResponsibility',
        kind: 'text',
        label: 'Payment responsibility',
        hint: 'Who pays, e.g. the campus, a department or a grant.',
      },
      { name: 'budgetCode', kind: 'text', label: 'Budget code' },
    ],
  },
  {
    legend: 'Classroom use',
    fields: [
      {
        name: 'gradeLevels',
        kind: 'list',
        label: 'Grade levels for use',
        hint: `${LIST_HINT} E.g. K, 1, 2.`,
      },
      {
        name: 'contentAreas',
        kind: 'list',
        label: 'Content areas for use',
        hint: `${LIST_HINT} E.g. Math, Science.`,
      },
      {
        name: 'teksAddressed',
        kind: 'list',
        label: 'TEKS addressed',
        hint: `${LIST_HINT} E.g. 111.3(b)(1)(A).`,
      },
      {
        name: 'commonCoreAlignment',
        kind: 'textarea',
        label: 'Common Core alignment',
        hint: 'How the resource aligns with the Common Core standards.',
      },
      {
        name: 'studentUseVision',
        kind: 'textarea',
        label: 'Student use vision',
        hint: 'How students will use the resource and what they will learn.',
      },
      { name: 'mediaReleaseRequired', kind: 'radio', label: 'Is a media release required?', options: YES_NO },
    ],
  },
  {
    legend: 'Student login and student data',
    fields: [
      {
        name: 'studentLoginRequired',
        kind: 'radio',
        label: 'Do students need to log in?',
        options: YES_NO,
      },
      {
        name: 'studentDataShared',
        kind: 'radio',
        label: 'Is student data shared with the vendor?',
        hint: 'If so, Cybersecurity sends the vendor a student Data Privacy Agreement (DPA) to sign.',
        options: YES_NO,
      },
      {
        name: 'studentDataElements',
        kind: 'list',
        label: 'Student data elements shared (if applicable)',
        hint: `Required when student data is shared. ${LIST_HINT} E.g. name, student ID, school email.`,
        optional: true,
      },
    ],
  },
];

export const FORM_FIELD_NAMES: readonly string[] = FORM_SECTIONS.flatMap((s) => s.fields.map((f) => f.name));

export interface RequestFormOptions {
  values?: Record<string, FormValue>;
  errors?: FieldError[];
  /** Signed in (AUTH_MODE=sso): the requester is who signed in, and the form carries the CSRF token. */
  signedIn?: { name: string; email: string; csrf: string };
}

/** The fields the sign-in fills: shown, not editable (the server takes them from the identity anyway). */
const FROM_SIGN_IN = new Set(['requesterName', 'requesterEmail']);

/** The id the error summary links to: the input, or the first option of a radio group. */
function targetId(field: Field): string {
  return field.kind === 'radio' ? `${field.name}-${field.options[0]?.value}` : field.name;
}

function textOf(values: Record<string, FormValue>, name: string): string {
  const v = values[name];
  return Array.isArray(v) ? v.join('\n') : (v ?? '');
}

/** "true", "on", "Yes" all mean the yes option is chosen again after an error. */
function sameChoice(current: string, option: string): boolean {
  const c = current.trim().toLowerCase();
  if (option === 'yes') return ['yes', 'true', 'on', 'y', '1'].includes(c);
  if (option === 'no') return ['no', 'false', 'off', 'n', '0'].includes(c);
  return c === option;
}

function renderField(
  field: Field,
  values: Record<string, FormValue>,
  error: string | undefined,
  fromSignIn = false,
): SafeHtml {
  const hintId = field.hint ? `${field.name}-hint` : undefined;
  const errorId = error ? `${field.name}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const hint = field.hint ? html`<p class="hint" id="${hintId}">${field.hint}</p>` : '';
  const message = error ? html`<p class="error" id="${errorId}">Error: ${error}</p>` : '';
  const value = textOf(values, field.name);

  if (field.kind === 'radio') {
    return html`<fieldset id="${field.name}"${attr('aria-describedby', describedBy)}>
<legend>${field.label}</legend>
${hint}${message}${field.options.map(
  (o) =>
    html`<div><label><input type="radio" id="${field.name}-${o.value}" name="${field.name}" value="${o.value}"${
      sameChoice(value, o.value) ? html` checked` : ''
    }${error ? html` aria-invalid="true"` : ''} required> ${o.label}</label>${
      o.hint ? html`<span class="hint"> ${o.hint}</span>` : ''
    }</div>`,
)}
</fieldset>`;
  }

  const common = html` id="${field.name}" name="${field.name}"${attr('aria-describedby', describedBy)}${
    error ? html` aria-invalid="true"` : ''
  }${'optional' in field && field.optional ? '' : html` required`}${attr('maxlength', maxLengthOf(field.name))}${
    fromSignIn ? html` readonly` : ''
  }`;
  const label = html`<label for="${field.name}">${field.label}${
    'optional' in field && field.optional ? html` <span class="hint">(optional)</span>` : ''
  }</label>`;
  if (field.kind === 'textarea' || field.kind === 'list') {
    const rows = field.kind === 'list' ? 3 : 5;
    return html`<div>${label}${hint}${message}<textarea${common} rows="${rows}">${value}</textarea></div>`;
  }
  const type = field.kind === 'number' ? 'text' : field.kind;
  const extra =
    field.kind === 'number'
      ? html` inputmode="decimal" spellcheck="false"`
      : field.kind === 'email' || field.kind === 'url'
        ? html` spellcheck="false"`
        : '';
  return html`<div>${label}${hint}${message}<input type="${type}"${common}${attr(
    'autocomplete',
    field.autocomplete,
  )}${extra} value="${value}"></div>`;
}

/** The field's limit, as the schema applies it (lists have a limit per item, not per box). */
function maxLengthOf(name: string): string | undefined {
  const limits: Readonly<Record<string, number>> = REQUEST_FIELD_LIMITS;
  const limit = limits[name];
  return limit === undefined ? undefined : String(limit);
}

function attr(name: string, value: string | undefined): SafeHtml | string {
  return value ? html` ${name}="${value}"` : '';
}

function errorSummary(errors: FieldError[]): SafeHtml {
  const fields = new Map(FORM_SECTIONS.flatMap((s) => s.fields.map((f) => [f.name, f] as const)));
  const order = (e: FieldError) => {
    const i = FORM_FIELD_NAMES.indexOf(e.field);
    return i === -1 ? -1 : i;
  };
  const sorted = [...errors].sort((a, b) => order(a) - order(b));
  return html`<div class="errors" role="alert" aria-labelledby="error-summary-title" tabindex="-1" id="error-summary">
<h2 id="error-summary-title">There is a problem with your request</h2>
<ul>${sorted.map((e) => {
    const field = fields.get(e.field);
    return html`<li>${field ? html`<a href="#${targetId(field)}">${e.message}</a>` : e.message}</li>`;
  })}</ul>
</div>`;
}

/**
 * Under "Name of resource": a plain link to the registry search (works without JavaScript) and the
 * region where the registry-matches script lists the entries matching what is typed (empty without it).
 */
const REGISTRY_HINT = html`<style>
#${MATCH_IDS.region} ul{margin:.25rem 0;padding-left:1.25rem}#${MATCH_IDS.region} li{margin:.25rem 0}
#${MATCH_IDS.region} button{margin:0;padding:.15rem .6rem;font-size:.9rem}#${MATCH_IDS.region} p{margin:.25rem 0}
</style>
<div id="${MATCH_IDS.region}" aria-live="polite"></div>
<p class="hint" id="registry-link">Already in use in the district? <a href="/registry">Search the resource registry</a></p>`;

function afterField(name: string): SafeHtml | string {
  return name === MATCH_IDS.input ? REGISTRY_HINT : '';
}

export function renderRequestForm(options: RequestFormOptions = {}): string {
  const { signedIn } = options;
  const values = signedIn
    ? { ...options.values, requesterName: signedIn.name, requesterEmail: signedIn.email }
    : (options.values ?? {});
  const errors = options.errors ?? [];
  const errorFor = new Map<string, string>();
  for (const e of errors) if (!errorFor.has(e.field)) errorFor.set(e.field, e.message);

  const body = html`<h1>Request a digital resource</h1>
${errors.length ? errorSummary(errors) : ''}
<p>Use this form to ask for software, an application or a web service to be used on district computers
(procedure TS-PE-535). Cybersecurity vets every resource first; then Instructional Technology
(curriculum) or DII (administrative) reviews it. You will get an email with a link to follow your request.</p>
<p class="hint">All fields are required unless marked optional.</p>
<form method="post" action="/requests" novalidate>
${signedIn ? html`<input type="hidden" name="csrf" value="${signedIn.csrf}">` : ''}
${FORM_SECTIONS.map(
  (section) => html`<fieldset>
<legend><h2>${section.legend}</h2></legend>
${section.fields.map(
  (f) =>
    html`${renderField(f, values, errorFor.get(f.name), Boolean(signedIn) && FROM_SIGN_IN.has(f.name))}${afterField(f.name)}`,
)}
</fieldset>`,
)}
<button type="submit">Submit request</button>
</form>`;
  return page({
    title: errors.length ? 'Error: Request a digital resource' : 'Request a digital resource',
    body,
    scripts: [REGISTRY_MATCHES_SCRIPT],
  });
}
