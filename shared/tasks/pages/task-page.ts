/**
 * The pages behind an emailed task link: the confirmation page with the decision form (GET, and again
 * with field errors after a rejected POST), and one plain page per outcome of a POST or a bad link.
 * Every user value goes through html``; the link secret appears only in the form's hidden field.
 */

import type { FieldError } from '../../core/errors.ts';
import { isOneOf, keysOf } from '../../core/guards.ts';
import { html, type SafeHtml } from '../../core/html/html.ts';
import { messagePage, page } from '../../core/html/layout.ts';
import type { ErrorView } from '../../core/http/edge.ts';
import { TEXT_LIMITS } from '../../core/text/text-limits.ts';
import { TASK_KINDS, TEAMS } from '../../workflow/index.ts';
import { EXTRA_FIELDS, type ExtraField } from '../decisions/fields.ts';
import {
  DECISION_LABELS,
  decisionLabel,
  isNegativeDecision,
  RECIPIENT_LABELS,
  WITHHELD_REASONS,
} from '../decisions/labels.ts';
import {
  formatDateTime,
  type TaskDocument,
  taskFacts,
  type UndeliverableEmail,
} from '../emails/task-email.ts';
import type { DecideResult, OpenTask } from '../task-service.ts';

export interface TaskFormView {
  open: OpenTask;
  secret: string;
  /** SSO identity: recorded as the decider; the "Your name" field is not shown. */
  verifiedIdentity?: string;
  /** The session's CSRF token, sent back with the decision (AUTH_MODE=sso). */
  csrf?: string;
  /** What the decider submitted, to fill the form again after an error. */
  values?: Record<string, unknown>;
  errors?: FieldError[];
}

/** Form values as the text a box holds; the licence key is never sent back to the browser. */
function formValues(input: Record<string, unknown> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(input)) {
    if (key === 'licenseKey' || key === 't') continue;
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value === 'boolean') out[key] = value ? 'yes' : 'no';
    else if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
  }
  return out;
}

/** A field's error, under the field (its id is what aria-describedby names). */
export function errorFor(errors: FieldError[], field: string): SafeHtml | string {
  const error = errors.find((e) => e.field === field);
  return error ? html`<p class="error" id="${field}-error">${error.message}</p>` : '';
}

/** The errors at the top of a form sent again, each linking to its field; '' when there are none. */
export function errorSummary(errors: FieldError[], nothingYet: string): SafeHtml | string {
  return errors.length
    ? html`<div class="errors" role="alert"><p class="error">${nothingYet} Please correct:</p><ul>
${errors.map((e) => html`<li><a href="#${e.field}">${e.message}</a></li>`)}</ul></div>`
    : '';
}

function describedBy(errors: FieldError[], field: string, hint?: string): SafeHtml | string {
  const ids = [hint ? `${field}-hint` : '', errors.some((e) => e.field === field) ? `${field}-error` : '']
    .filter(Boolean)
    .join(' ');
  return ids ? html` aria-describedby="${ids}"` : '';
}

function renderField(field: ExtraField, values: Record<string, string>, errors: FieldError[]): SafeHtml {
  const value = values[field.name] ?? '';
  const required = field.required && !field.onlyFor && !field.notFor;
  const hint = [
    field.hint ??
      (field.onlyFor && field.required
        ? `Required when the decision is “${decisionLabel(field.onlyFor)}”`
        : ''),
    field.notFor?.includes('ask') ? 'Not needed when you ask a question first' : '',
  ]
    .filter(Boolean)
    .join('. ');
  const hintHtml = hint ? html`<p class="hint" id="${field.name}-hint">${hint}</p>` : '';
  const aria = describedBy(errors, field.name, hint);
  const req = required ? html` required` : '';

  if (field.type === 'yes-no') {
    return html`<fieldset id="${field.name}"${aria}><legend>${field.label}</legend>
${['yes', 'no'].map(
  (v) =>
    html`<label><input type="radio" name="${field.name}" value="${v}"${value === v ? html` checked` : ''}${req}> ${v === 'yes' ? 'Yes' : 'No'}</label>
`,
)}</fieldset>${hintHtml}${errorFor(errors, field.name)}`;
  }
  if (field.type === 'lines') {
    return html`<label for="${field.name}">${field.label}${field.required ? '' : ' (optional)'}</label>
<textarea id="${field.name}" name="${field.name}" rows="4" maxlength="${TEXT_LIMITS.longText}"${req}${aria}>${value}</textarea>
${hintHtml}${errorFor(errors, field.name)}`;
  }
  if (field.type === 'choice') {
    return html`<label for="${field.name}">${field.label}</label>
<select id="${field.name}" name="${field.name}"${req}${aria}><option value="">Choose…</option>
${(field.choices ?? []).map((c) => html`<option value="${c}"${value === c || field.choices?.length === 1 ? html` selected` : ''}>${choiceLabel(field, c)}</option>`)}
</select>${hintHtml}${errorFor(errors, field.name)}`;
  }
  if (field.type === 'long-text') {
    return html`<label for="${field.name}">${field.label}</label>
<textarea id="${field.name}" name="${field.name}" rows="4" maxlength="2000"${req}${aria}>${value}</textarea>
${hintHtml}${errorFor(errors, field.name)}`;
  }
  const type = {
    text: 'text',
    email: 'email',
    url: 'url',
    date: 'date',
    number: 'number',
    integer: 'number',
    secret: 'password',
    lines: 'text',
  }[field.type];
  const extra =
    field.type === 'number'
      ? html` min="0" step="0.01" inputmode="decimal"`
      : field.type === 'integer'
        ? html` min="1" step="1" inputmode="numeric"`
        : field.type === 'secret'
          ? html` autocomplete="off"`
          : '';
  const shown = field.type === 'secret' ? '' : value;
  return html`<label for="${field.name}">${field.label}${field.required ? '' : ' (optional)'}</label>
<input id="${field.name}" name="${field.name}" type="${type}" value="${shown}"${extra}${req}${aria}>
${hintHtml}${errorFor(errors, field.name)}`;
}

function choiceLabel(field: ExtraField, choice: string): string {
  return field.name === 'recipient' && isOneOf(keysOf(RECIPIENT_LABELS), choice)
    ? RECIPIENT_LABELS[choice]
    : choice;
}

const DOCUMENTS_WHAT = {
  dpa: {
    title: 'The signed agreement',
    none: 'The vendor has not returned the signed agreement through its upload link yet (it may come by email).',
  },
  deletion: {
    title: 'The certificate of destruction',
    none: 'The vendor has not returned the certificate of destruction through its upload link yet (it may come by email).',
  },
} as const;

/**
 * The DPA step's returned agreements: a link to each (for staff; with the emailed task link in link
 * mode), its SHA-256 and who uploaded it; or that none came back yet.
 */
function documentsSection(
  documents: readonly TaskDocument[],
  taskId: string,
  secret: string,
  what: { title: string; none: string },
): SafeHtml {
  const query = secret ? `?task=${encodeURIComponent(taskId)}&t=${encodeURIComponent(secret)}` : '';
  return html`<section class="card" aria-labelledby="documents-title"><h2 id="documents-title">${what.title}</h2>
${
  documents.length
    ? html`<ul>${documents.map(
        (d) =>
          html`<li><a href="/documents/${encodeURIComponent(d.documentId)}${query}">Open the PDF</a>, uploaded by ${d.uploadedBy} on ${formatDateTime(d.receivedAt)}<br><span class="hint">SHA-256 <code>${d.sha256}</code></span>${
            d.flags.length
              ? html`<br><strong class="error">Check before relying on it: ${d.flags.join('; ')}</strong>`
              : ''
          }</li>`,
      )}</ul>`
    : html`<p>${what.none}</p>`
}</section>`;
}

const UNDELIVERABLE_LABELS: Record<UndeliverableEmail['what'], string> = {
  bounced: 'Bounced',
  complained: 'Marked as spam',
  suppressed: 'Not sent (address suppressed)',
  rejected: 'Rejected by SES',
  delayed: 'Delayed',
};

/**
 * Emails of this request that did not arrive (issue 24): the address, what happened, when, and the
 * receiving server's answer, so a person finds a working address instead of waiting for a reply that
 * cannot come. Shown on every task of the request, above the facts.
 */
function undeliverableSection(mail: readonly UndeliverableEmail[], kind: string): SafeHtml {
  const fix =
    kind === 'privacy-review'
      ? "Correct the vendor's privacy contact email below: the DPA and any SSL notice go to it."
      : "Find a working address (the vendor's website, a phone call) and write from the team mailbox; a reply that comes another way is recorded here as usual. An operator can take an address off the suppression list once it works again (docs/operations.md).";
  return html`<section class="card" aria-labelledby="mail-title"><h2 id="mail-title" class="error">Emails that did not arrive</h2>
<table><thead><tr><th scope="col">Address</th><th scope="col">What happened</th><th scope="col">When</th><th scope="col">Email</th></tr></thead><tbody>
${mail.map(
  (m) =>
    html`<tr><td><code>${m.address}</code></td><td>${UNDELIVERABLE_LABELS[m.what]}${m.bounceType ? ` (${m.bounceType})` : ''}${m.suppressed ? html`<br><span class="hint">No more email is sent to this address.</span>` : ''}${m.diagnostic ? html`<br><span class="hint">${m.diagnostic}</span>` : ''}</td><td>${formatDateTime(m.at)}</td><td>${m.kind ? m.kind.replace(/-/g, ' ') : ''}</td></tr>`,
)}</tbody></table>
<p>${fix}</p></section>`;
}

/** The confirmation page: what is asked, the facts, and the form. GET renders it; nothing changes. */
export function renderTaskForm(view: TaskFormView): string {
  const { task, request, context } = view.open;
  const spec = TASK_KINDS[task.kind];
  const errors = view.errors ?? [];
  const values = formValues(view.values);
  // A first view shows the prefilled fields (the websites: the request's link).
  for (const f of EXTRA_FIELDS[task.kind]) {
    if (f.prefill === 'resource-url' && !view.values) values[f.name] = request.resource.url ?? '';
  }
  const facts = taskFacts(task.kind, request, context);
  const fields = EXTRA_FIELDS[task.kind];
  const always = fields.filter((f) => !f.onlyFor);
  const conditional = fields.filter((f) => f.onlyFor);
  const withheld = view.open.withheld;
  const outcomes = spec.outcomes.filter((o) => !withheld.includes(o));
  const negatives = outcomes.filter(isNegativeDecision);
  // The question's fields are shown only while a question can still be asked.
  const offered = (f: ExtraField) => !f.onlyFor || outcomes.includes(f.onlyFor);

  const body = html`<h1>${spec.title}</h1>
<p>SOP TS-PE-535 step ${spec.sopStep} · ${TEAMS[spec.team]} · decide before <strong>${formatDateTime(task.expiresAt)}</strong></p>
${errorSummary(errors, 'Nothing was recorded yet.')}
${context.undeliverable?.length ? undeliverableSection(context.undeliverable, task.kind) : ''}
<section class="card" aria-labelledby="facts-title"><h2 id="facts-title">The request</h2>
<dl>${facts.map((f) => html`<dt>${f.label}</dt><dd>${f.value}</dd>`)}</dl></section>
${context.documents ? documentsSection(context.documents, task.taskId, view.secret, DOCUMENTS_WHAT[task.kind === 'deletion-confirmation' ? 'deletion' : 'dpa']) : ''}
<form method="post" action="${encodeURIComponent(task.taskId)}">
<input type="hidden" name="t" value="${view.secret}">
${view.csrf ? html`<input type="hidden" name="csrf" value="${view.csrf}">` : ''}
<fieldset id="decision"${describedBy(errors, 'decision')}><legend>Decision</legend>
${outcomes.map(
  (o) =>
    html`<label><input type="radio" name="decision" value="${o}"${values.decision === o ? html` checked` : ''} required> ${DECISION_LABELS[o]}</label>
`,
)}</fieldset>${errorFor(errors, 'decision')}
${spec.outcomes
  .filter((o) => withheld.includes(o))
  .map((o) => html`<p class="hint">${WITHHELD_REASONS[o] ?? ''}.</p>`)}
${always.map((f) => renderField(f, values, errors))}
${
  conditional.filter(offered).length
    ? html`<fieldset><legend>${conditional[0]?.onlyFor ? `If “${decisionLabel(conditional[0].onlyFor)}”` : ''}</legend>
${conditional.filter(offered).map((f) => renderField(f, values, errors))}</fieldset>`
    : ''
}
<label for="comment">Comment</label>
<textarea id="comment" name="comment" rows="4" maxlength="2000" aria-describedby="comment-hint">${values.comment ?? ''}</textarea>
<p class="hint" id="comment-hint">${
    negatives.length
      ? `Required when the decision is ${negatives.map((n) => `“${decisionLabel(n)}”`).join(' or ')}: say why. `
      : ''
  }The requester sees the comment.</p>${errorFor(errors, 'comment')}
${
  view.verifiedIdentity
    ? html`<p>You are signed in as <strong>${view.verifiedIdentity}</strong>; this is recorded as the decider.</p>`
    : html`<label for="decidedBy">Your name</label>
<input id="decidedBy" name="decidedBy" type="text" autocomplete="name" maxlength="120" required value="${values.decidedBy ?? ''}" aria-describedby="decidedBy-hint">
<p class="hint" id="decidedBy-hint">This link went to a team address: your name is recorded as the decider in the audit trail.</p>${errorFor(errors, 'decidedBy')}`
}
<button type="submit">Record decision</button>
<p class="hint">The decision is recorded once; it cannot be changed through this link afterwards.</p>
</form>`;
  return page({ title: spec.title, body });
}

const INVALID_LINK = [
  'The link is incomplete or does not belong to a task. Open the exact link from the email, without changes.',
  'Nothing was recorded.',
];

/** A POST or link outcome: the HTML page, and the same words for JSON clients. */
export interface TaskOutcome {
  status: number;
  title: string;
  /** The plain-text paragraphs (for JSON answers). */
  message: string;
  page: string;
}

/** An outcome page that says one thing; its `message` is the text of its plain paragraphs. */
export function outcome(status: number, title: string, paragraphs: (string | SafeHtml)[]): TaskOutcome {
  const message = paragraphs.filter((p): p is string => typeof p === 'string').join(' ');
  return { status, title, message, page: messagePage(title, paragraphs) };
}

/** The page and status for every outcome except the form itself. */
export function renderTaskOutcome(
  result: Exclude<DecideResult, { state: 'invalid' }>,
  options: { secret?: string } = {},
): TaskOutcome {
  switch (result.state) {
    case 'not-found':
      return outcome(404, 'This link is not valid', INVALID_LINK);
    case 'forbidden':
      return outcome(403, 'This link is not valid', INVALID_LINK);
    case 'replaced':
      return outcome(410, 'This link was replaced by a newer reminder email', [
        `A reminder about this step was emailed to the team with a new link; earlier links no longer work. Open the link in the most recent email (decide before ${formatDateTime(result.task.expiresAt)}).`,
        'Nothing was recorded.',
      ]);
    case 'decided': {
      const { task } = result;
      const when = task.decidedAt ? formatDateTime(task.decidedAt) : 'an earlier visit';
      return outcome(409, 'This step was already decided', [
        `${task.decidedBy ?? 'Someone'} recorded “${decisionLabel(task.decision ?? '')}” on ${when}.`,
        'A task link can be used only once; nothing was changed.',
      ]);
    }
    case 'conflict':
      return outcome(409, 'Another decision is being recorded', [
        'Someone else submitted a decision for this step at the same moment. Open the link again in a minute to see the result.',
        'Nothing was recorded from this submission.',
      ]);
    case 'expired':
      return outcome(410, 'This link has expired', [
        `The time for this step ran out on ${formatDateTime(result.task.expiresAt)}; the request was closed or escalated.`,
        'Nothing was recorded.',
      ]);
    case 'too-late':
      return outcome(410, 'This step already timed out', [
        'The workflow stopped waiting for this step before your decision arrived; the request was closed or escalated.',
        'Nothing was recorded.',
      ]);
    case 'not-recorded':
      return outcome(503, 'Your decision was NOT recorded', [
        'The workflow service did not accept it just now. Please try again in a minute: go back and submit the form again.',
        options.secret
          ? html`<a href="${encodeURIComponent(result.task.taskId)}?t=${encodeURIComponent(options.secret)}">Open the form again</a>`
          : '',
      ]);
    case 'delivery-pending':
      return outcome(202, 'Your decision is kept: the workflow gets it shortly', [
        'The workflow service did not accept it just now, so it is kept with the task and delivered automatically within minutes. You do not need to submit it again.',
        "If this step's time runs out first, the request's page says so.",
      ]);
    case 'recorded': {
      const o = result.output;
      return outcome(200, `Decision recorded: ${decisionLabel(o.decision)}`, [
        `${TASK_KINDS[result.task.kind].title} (SOP TS-PE-535 step ${result.task.sopStep}).`,
        `Recorded for ${o.decidedBy} on ${formatDateTime(o.decidedAt)}. The requester is told by email, and the workflow moves on.`,
        ...(result.incomplete ? [FOLLOW_UP_WARNING] : []),
        ...(o.comment ? [`Comment: ${o.comment}`] : []),
      ]);
    }
  }
}

/** A recorded decision whose follow-up writes failed: it counts, but the request page lags behind. */
export const FOLLOW_UP_WARNING =
  'Warning: the decision counts, but the request record could not be fully updated (its status page may show old details). Operators have been alerted; you do not need to decide again.';

/** Unexpected failures (e.g. the database is throttled) on the task routes, for browsers. */
export function renderTaskErrorPage(view: ErrorView): string {
  return messagePage(view.title, [
    view.message,
    ...(view.errors ?? []).map((e) => `${e.field}: ${e.message}`),
    ...(view.status >= 500 ? ['Nothing was recorded by this attempt.'] : []),
  ]);
}
