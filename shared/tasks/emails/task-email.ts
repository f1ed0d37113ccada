/**
 * The email that asks a team to act on a human step: what is asked, the SOP step, the deadline, the
 * request id, the facts needed to decide, and the link (task id + secret only). The confirmation page
 * shows the same facts (taskFacts), so email and page always agree.
 */

import { html } from '../../core/html/html.ts';
import type { Email } from '../../core/mail/mailer.ts';
import type { RequestRecord } from '../../workflow/index.ts';
import { TASK_KINDS, type TaskKind, TEAMS } from '../../workflow/index.ts';

export interface Fact {
  label: string;
  value: string;
}

/** What the request record alone does not say but a step needs (e.g. why a replacement is sought). */
export interface TaskContext {
  /** SOP 11: the technical review's comment on why the current resource is not sound. */
  replacementReason?: string;
  /** The step comes back after the team asked a question: what they asked, and the answer. */
  question?: QuestionContext;
  /** SOP 3/7: the other approval review sent the request here, and said why. */
  reroutedBecause?: string;
  /** The DPA step: the signed agreements the vendor returned through its upload link. */
  documents?: TaskDocument[];
  /** The request's emails that did not reach someone (bounces, complaints, suppressed sends). */
  undeliverable?: UndeliverableEmail[];
  /** A watched privacy policy changed (sentences added and removed), or could not be fetched. */
  policyChange?: PolicyChangeContext;
  /** An incident review: the incident as reported, with its notice clocks' dates. */
  incident?: IncidentContext;
  /** A deletion confirmation: when the vendor was asked, and whom. */
  deletion?: { requestedAt: string; sentTo: string };
}

/** A reported data incident, as the review's email and page show it (shared/stewardship keeps it). */
export interface IncidentContext {
  incidentId: string;
  reportedOn: string;
  reportedBy: string;
  description: string;
  studentsAffected: number | null;
  dataElements: string[];
  clocks: { name: string; days: number; dueOn: string }[];
}

/** An email of the request that did not arrive, from its audit trail (shared/bounces writes it). */
export interface UndeliverableEmail {
  address: string;
  /** bounced (permanent or transient), complained, suppressed (not sent), rejected, delayed. */
  what: 'bounced' | 'complained' | 'suppressed' | 'rejected' | 'delayed';
  /** The kind of email (dpa-request, ssl-notice, question, …). */
  kind?: string;
  at: string;
  /** Permanent / Transient (bounces); absent otherwise. */
  bounceType?: string;
  /** The receiving server's answer. */
  diagnostic?: string;
  /** No more email goes to this address. */
  suppressed: boolean;
  summary: string;
}

/** What the policy watch saw (issue 22), from its POLICY_CHANGED or POLICY_UNREACHABLE audit event. */
export interface PolicyChangeContext {
  url: string;
  added: string[];
  removed: string[];
  /** The page could not be fetched, several times running: why (the last time). */
  error?: string;
  failures?: number;
}

/** Sentences shown per side: a rewritten policy is read on the vendor's page, not in an email. */
export const POLICY_SENTENCES_SHOWN = 25;

/** A document kept as evidence, as the task page shows it (shared/evidence keeps it). */
export interface TaskDocument {
  documentId: string;
  sha256: string;
  receivedAt: string;
  uploadedBy: string;
  flags: string[];
}

export interface QuestionContext {
  question: string;
  recipient: 'requester' | 'vendor';
  /** Absent when no answer came before the reply link expired. */
  answer?: string;
  answeredBy?: string;
  answeredAt?: string;
}

const ASKED_OF = { requester: 'The requester', vendor: 'The vendor' } as const;

/** The question the team asked and its answer (or that none came), shown with the facts. */
function questionFacts(q: QuestionContext | undefined): [string, string | undefined][] {
  if (!q) return [];
  return [
    ['Your question', q.question],
    ['Asked of', ASKED_OF[q.recipient]],
    ['Answer', q.answer ?? 'No answer arrived before the reply link expired'],
    [
      'Answered by',
      q.answeredBy && q.answeredAt ? `${q.answeredBy}, ${formatDateTime(q.answeredAt)}` : undefined,
    ],
  ];
}

const yesNo = (value: boolean | undefined) => (value === undefined ? '' : value ? 'Yes' : 'No');
const list = (values: readonly string[] | undefined) => (values ?? []).join(', ');

export function formatUsd(amount: number): string {
  if (amount === 0) return 'Free ($0)';
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(amount);
}

// Built once, on first use: constructing an Intl.DateTimeFormat costs milliseconds (its locale data),
// too much for every date of every email, and too much for a cold start that formats none.
let dateTime: Intl.DateTimeFormat | undefined;

/** "Friday, December 11, 2026 at 10:00 AM UTC": unambiguous for a team in any time zone. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  dateTime ??= new Intl.DateTimeFormat('en-US', { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' });
  return `${dateTime.format(date)} UTC`;
}

type SslFinding = NonNullable<NonNullable<RequestRecord['security']>['ssl']>;

/** "app.example.com B (203.0.113.10 B, 2001:db8::1 A); login.example.com no grade (…)". */
export function sslGrades(ssl: SslFinding): string {
  const hosts = ssl.hosts ?? [
    { host: '', passed: ssl.passed, ...(ssl.grade ? { grade: ssl.grade } : {}), reason: ssl.reason },
  ];
  return hosts
    .map((h) => {
      const endpoints = ssl.endpoints
        .filter((e) => !h.host || e.host === undefined || e.host === h.host)
        .map((e) => `${e.ipAddress} ${e.grade ?? e.statusMessage ?? 'not graded'}`);
      const head = h.host ? `${h.host} ${h.grade ?? 'no grade'}` : (h.grade ?? 'no grade');
      return endpoints.length ? `${head} (${endpoints.join(', ')})` : `${head}: ${h.reason}`;
    })
    .join('; ');
}

/** The facts a team needs to decide this kind of step, taken from the request record. */
export function taskFacts(kind: TaskKind, request: RequestRecord, context: TaskContext = {}): Fact[] {
  const facts: [string, string | undefined][] = [
    ['Request id', request.requestId],
    ['Resource', request.resource.name],
    ['Requested by', request.submitted.requesterName],
    ...KIND_FACTS[kind](request, context),
    ...questionFacts(context.question),
    ['Sent here by the other approval review because', context.reroutedBecause],
  ];
  return facts
    .filter((f): f is [string, string] => typeof f[1] === 'string' && f[1] !== '')
    .map(([label, value]) => ({ label, value }));
}

type KindFact = [string, string | undefined];

/** What this kind of step adds to the request id, resource and requester. */
const KIND_FACTS: Record<TaskKind, (request: RequestRecord, context: TaskContext) => KindFact[]> = {
  'privacy-review': ({ submitted: s, resource: r }) => [
    ['Website', r.url],
    ['Vendor', r.vendorName],
    ['Student data shared', yesNo(r.studentDataShared)],
    ['Student data elements', list(s.studentDataElements)],
    ['Student login required', yesNo(s.studentLoginRequired)],
  ],
  'dpa-signature': ({ resource: r, security }) => [
    ['Vendor', r.vendorName],
    ['Vendor privacy contact', security?.privacyReview?.vendorContactEmail],
    ['DPA sent to', security?.dpa?.sentTo],
    ['DPA sent at', security?.dpa?.sentAt && formatDateTime(security.dpa.sentAt)],
  ],
  'ssl-remediation': (request) => sslRemediationFacts(request),
  'policy-change': ({ resource: r }, { policyChange: c }) => [
    ['Vendor', r.vendorName],
    ['Privacy policy address', c?.url],
    ...(c?.error
      ? ([['Could not be fetched', `${c.failures ?? 3} times running; last: ${c.error}`]] as KindFact[])
      : [...sentenceFacts('Added', c?.added ?? []), ...sentenceFacts('Removed', c?.removed ?? [])]),
  ],
  'curriculum-review': ({ submitted: s }) => [
    ['Grade levels', list(s.gradeLevels)],
    ['Content areas', list(s.contentAreas)],
    ['TEKS addressed', list(s.teksAddressed)],
    ['Student use vision', s.studentUseVision],
    ['Common Core alignment', s.commonCoreAlignment],
    ['Media release required', yesNo(s.mediaReleaseRequired)],
  ],
  'administrative-review': ({ submitted: s, resource: r }) => [
    ['Resource kind', r.kind],
    ['Vendor', r.vendorName],
    ['Cost', formatUsd(r.cost)],
    ['Principal', s.principal],
  ],
  'technical-review': ({ resource: r }) => [
    ['Resource kind', r.kind],
    ['Website', r.url],
    ['Vendor', r.vendorName],
  ],
  replacement: ({ submitted: s, resource: r }, context) => [
    ['Resource kind', r.kind],
    ['Website', r.url],
    ['Vendor', r.vendorName],
    ['Why it is being replaced', context.replacementReason ?? 'Not technically sound with district devices'],
    ['Grade levels', list(s.gradeLevels)],
    ['Content areas', list(s.contentAreas)],
  ],
  procurement: ({ submitted: s, resource: r }) => [
    ['Vendor', r.vendorName],
    ['Cost', formatUsd(r.cost)],
    ['Payment responsibility', s.paymentResponsibility],
    ['Budget code', s.budgetCode],
    ['Principal', s.principal],
  ],
  license: ({ resource: r, purchaseOrder }) => [
    ['Resource kind', r.kind],
    ['Vendor', r.vendorName],
    ['PO number', purchaseOrder?.poNumber],
  ],
  installation: ({ submitted: s, resource: r }) => [
    ['Resource kind', r.kind],
    ['Website', r.url],
    ['Principal', s.principal],
  ],
  answer: ({ resource: r }) => [['Vendor', r.vendorName]],
  'incident-review': ({ resource: r }, { incident: i }) => [
    ['Vendor', r.vendorName],
    ['Incident id', i?.incidentId],
    ['Incident date', i?.reportedOn],
    ['Reported by', i?.reportedBy],
    ['What happened', i?.description],
    [
      'Students affected',
      i ? (i.studentsAffected === null ? 'Not known yet' : String(i.studentsAffected)) : undefined,
    ],
    ['Student data elements', i ? list(i.dataElements) : undefined],
    // The state notice clocks (cdk.json incidentClocks), each counted from the incident's date.
    ...(i?.clocks ?? []).map((c): KindFact => [`Deadline: ${c.name} (${c.days} days)`, c.dueOn]),
  ],
  'deletion-confirmation': ({ resource: r }, { deletion, documents }) => [
    ['Vendor', r.vendorName],
    ['Deletion requested', deletion && formatDateTime(deletion.requestedAt)],
    ['Deletion request sent to', deletion?.sentTo],
    [
      'Certificate of destruction',
      documents?.length ? 'Received (see the documents below)' : 'Not received yet',
    ],
  ],
};

/** One fact per sentence ("Added: …"), at most POLICY_SENTENCES_SHOWN, then how many more. */
function sentenceFacts(label: string, sentences: readonly string[]): KindFact[] {
  const shown: KindFact[] = sentences.slice(0, POLICY_SENTENCES_SHOWN).map((s) => [label, s]);
  const more = sentences.length - POLICY_SENTENCES_SHOWN;
  return more > 0 ? [...shown, [label, `… and ${more} more sentences (read the vendor's page)`]] : shown;
}

/** SOP 5-6: what the vendor was told, and how the remediation stands. */
function sslRemediationFacts({ resource: r, security }: RequestRecord): KindFact[] {
  const ssl = security?.ssl;
  const remediation = security?.sslRemediation;
  return [
    ['Vendor', r.vendorName],
    ['Vendor privacy contact (emailed)', security?.privacyReview?.vendorContactEmail],
    ['Last SSL Labs result', ssl?.reason],
    ['Grades per website and server', ssl ? sslGrades(ssl) : undefined],
    ['Grades seen so far', remediation?.grades.join(', ')],
    ['Re-tests so far', remediation ? String(remediation.scans.length - 1) : undefined],
    ['Remediation window ends', remediation?.windowEndsAt && formatDateTime(remediation.windowEndsAt)],
  ];
}

export interface TaskEmailInput {
  to: string;
  /** Teams copied (TASK_KINDS[kind].copied). */
  cc?: string[];
  kind: TaskKind;
  request: RequestRecord;
  expiresAt: string;
  link: string;
  context?: TaskContext;
  /** A reminder (1 or 2) of a step still waiting: its link replaces the earlier emails' links. */
  reminder?: number;
}

/** One line, no control characters: user values end up in the subject. */
const oneLine = (value: string) => value.replace(/\s+/g, ' ').trim();

export function renderTaskEmail(input: TaskEmailInput): Email {
  const spec = TASK_KINDS[input.kind];
  const team = TEAMS[spec.team];
  const facts = taskFacts(input.kind, input.request, input.context);
  const deadline = formatDateTime(input.expiresAt);
  const what = `SOP step ${spec.sopStep}: ${spec.title} (${input.request.resource.name}, ${input.request.requestId})`;
  const subject = oneLine(
    input.reminder ? `Reminder: decision due by ${deadline}, ${what}` : `Action needed, ${what}`,
  );
  const intro = input.reminder
    ? `${team}: reminder — a digital-resource request is still waiting for your decision.`
    : `${team}: a digital-resource request needs your decision.`;
  const replaced = input.reminder
    ? 'This reminder carries a new link: links in earlier emails about this step no longer work.'
    : '';

  const text = [
    intro,
    ...(replaced ? ['', replaced] : []),
    '',
    `What is asked: ${spec.title}`,
    `SOP TS-PE-535 step: ${spec.sopStep}`,
    `Decide before: ${deadline}`,
    '',
    ...facts.map((f) => `${f.label}: ${f.value}`),
    '',
    'Open this link to review the request and record the decision:',
    input.link,
    '',
    'Opening the link changes nothing; the decision is recorded only when you submit the form.',
    'The link works once, until the deadline. Do not forward it outside your team.',
  ].join('\n');

  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1f24;line-height:1.5">
<p>${intro}</p>
${
  replaced
    ? html`<p><strong>${replaced}</strong></p>
`
    : ''
}<h1 style="font-size:1.25rem">${spec.title}</h1>
<p><strong>SOP TS-PE-535 step:</strong> ${spec.sopStep}<br>
<strong>Decide before:</strong> ${deadline}</p>
<table style="border-collapse:collapse">
${facts.map(
  (
    f,
  ) => html`<tr><th style="text-align:left;padding:4px 12px 4px 0;vertical-align:top">${f.label}</th><td style="padding:4px 0">${f.value}</td></tr>
`,
)}</table>
<p><a href="${input.link}" style="display:inline-block;padding:10px 18px;background:#0b5cad;color:#fff;border-radius:6px;text-decoration:none">Review and decide</a></p>
<p style="color:#57606a;font-size:0.9rem">Opening the link changes nothing; the decision is recorded only when you submit the form.
The link works once, until the deadline. Do not forward it outside your team.</p>
</body></html>`;

  return {
    to: [input.to],
    ...(input.cc?.length ? { cc: input.cc } : {}),
    subject,
    text,
    html: body.value,
    tags: { kind: input.reminder ? 'reminder' : 'task', requestId: input.request.requestId },
  };
}
