/**
 * The email to the requester after each human decision: which step, what was decided, why (the
 * comment), and what happens next. Never carries a licence key (the decision output has none).
 */

import { html } from '../../core/html/html.ts';
import type { Email } from '../../core/mail/mailer.ts';
import type { Decision, DecisionOutput, RequestRecord } from '../../workflow/index.ts';
import { TASK_KINDS, type TaskKind, TEAMS } from '../../workflow/index.ts';
import { decisionLabel } from '../decisions/labels.ts';
import { formatDateTime } from './task-email.ts';

const NEXT_STEP: Record<Decision, string> = {
  acceptable: 'Security vetting continues.',
  unacceptable: 'The privacy policy does not meet district standards, so the request cannot be approved.',
  signed: 'Security vetting continues.',
  refused: 'Without a signed Data Privacy Agreement the request cannot be approved.',
  retest: 'The websites are tested again with Qualys SSL Labs.',
  approve: 'The request moves on to the next step.',
  deny: 'The request is denied and the process ends.',
  sound: 'The request moves on to purchasing (if it has a cost) and installation.',
  'not-sound': 'DII and Instructional Technology will look for a replacement resource.',
  'replacement-found': 'Security vetting starts again (SOP step 4) with the replacement resource.',
  'no-replacement': 'No replacement could be found, so the request cannot be approved.',
  'po-issued': 'The purchase order has been issued.',
  'license-stored': 'The licence is stored for compliance; installation follows.',
  installed: 'The resource is installed and will be listed as approved.',
  ask: 'The team asked a question; the answer goes to them and the review continues.',
  reroute: 'The request goes to the other approval review (curriculum or administrative), which decides it.',
  answered: 'The team that asked has the answer; the review continues.',
  'still-acceptable': 'The changed privacy policy is still acceptable; the resource stays approved.',
  're-vet':
    'The resource is vetted again (DPA and SSL grade); the registry shows it as Under review meanwhile.',
  revoke: 'The resource is no longer approved: the registry shows it as Not Approved.',
  reviewed: 'Cybersecurity reviewed the data incident; it is listed on the public page.',
  confirmed: "The vendor's deletion of the students' data is confirmed and shown on the public page.",
};

/** Looked up by the decision's name as the output carries it (a plain string). */
const NEXT_STEP_BY_NAME: Readonly<Record<string, string>> = NEXT_STEP;

export interface DecisionEmailInput {
  request: RequestRecord;
  kind: TaskKind;
  output: DecisionOutput;
  /** The request's status page. */
  statusUrl: string;
}

export function renderDecisionEmail(input: DecisionEmailInput): Email {
  const { request, output } = input;
  const spec = TASK_KINDS[input.kind];
  const team = TEAMS[spec.team];
  const label = decisionLabel(output.decision);
  const next = NEXT_STEP_BY_NAME[output.decision] ?? '';
  const when = formatDateTime(output.decidedAt);
  const subject = `Your request ${request.requestId} (${request.resource.name}): ${label}`
    .replace(/\s+/g, ' ')
    .trim();

  const text = [
    `Hello ${request.submitted.requesterName},`,
    '',
    `${team} recorded a decision on your digital-resource request ${request.requestId} (${request.resource.name}).`,
    '',
    `Step: SOP TS-PE-535 step ${spec.sopStep}, ${spec.title}`,
    `Decision: ${label}`,
    ...(output.comment ? [`Comment: ${output.comment}`] : []),
    `Decided by: ${output.decidedBy}, ${when}`,
    '',
    next,
    '',
    `Follow your request: ${input.statusUrl}`,
  ].join('\n');

  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1f24;line-height:1.5">
<p>Hello ${request.submitted.requesterName},</p>
<p>${team} recorded a decision on your digital-resource request <strong>${request.requestId}</strong> (${request.resource.name}).</p>
<table style="border-collapse:collapse">
<tr><th style="text-align:left;padding:4px 12px 4px 0">Step</th><td>SOP TS-PE-535 step ${spec.sopStep}, ${spec.title}</td></tr>
<tr><th style="text-align:left;padding:4px 12px 4px 0">Decision</th><td>${label}</td></tr>
${output.comment ? html`<tr><th style="text-align:left;padding:4px 12px 4px 0;vertical-align:top">Comment</th><td style="white-space:pre-wrap">${output.comment}</td></tr>` : ''}
<tr><th style="text-align:left;padding:4px 12px 4px 0">Decided by</th><td>${output.decidedBy}, ${when}</td></tr>
</table>
<p>${next}</p>
<p><a href="${input.statusUrl}">Follow your request</a></p>
</body></html>`;

  return {
    to: [request.submitted.requesterEmail],
    subject,
    text,
    html: body.value,
    tags: { kind: 'decision', requestId: request.requestId },
  };
}
