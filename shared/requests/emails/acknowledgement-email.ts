/**
 * SOP step 1: the requester is told the request arrived, with its id, a summary of what they asked
 * for (SOP step 2 fields) and the link where they can follow it. Every user value is escaped.
 */

import { html } from '../../core/html/html.ts';
import type { Email } from '../../core/mail/mailer.ts';
import type { ResourceRequest } from '../../workflow/index.ts';

export interface AcknowledgementInput {
  requestId: string;
  request: ResourceRequest;
  statusUrl: string;
}

const yesNo = (b: boolean) => (b ? 'Yes' : 'No');
const usd = (n: number) =>
  n === 0 ? 'Free' : `$${n.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2 })}`;

/** Subject lines are headers: no line breaks from user input, and a sensible length. */
function oneLine(value: string, max = 80): string {
  const flat = value.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function summaryRows(r: ResourceRequest): [string, string][] {
  return [
    ['Name of resource', r.resourceName],
    ['Vendor', r.vendorName],
    ['Kind', r.resourceKind],
    ['Website link', r.resourceUrl ?? 'None'],
    [
      'Type of request',
      r.requestType === 'instructional' ? 'Instructional (curriculum)' : 'Administrative (DII)',
    ],
    ['Cost', usd(r.cost)],
    ['Payment responsibility', r.paymentResponsibility],
    ['Budget code', r.budgetCode],
    ['Principal', r.principal],
    ['Grade levels', r.gradeLevels.join(', ')],
    ['Content areas', r.contentAreas.join(', ')],
    ['TEKS addressed', r.teksAddressed.join(', ')],
    ['Common Core alignment', r.commonCoreAlignment],
    ['Student use vision', r.studentUseVision],
    ['Media release required', yesNo(r.mediaReleaseRequired)],
    ['Student login required', yesNo(r.studentLoginRequired)],
    ['Student data shared', r.studentDataShared ? `Yes: ${(r.studentDataElements ?? []).join(', ')}` : 'No'],
  ];
}

export function renderAcknowledgementEmail({ requestId, request, statusUrl }: AcknowledgementInput): Email {
  const rows = summaryRows(request);
  const subject = `Request ${requestId} received: ${oneLine(request.resourceName)}`;
  const next = [
    'The Cybersecurity (CCS) team vets the resource: its privacy policy, a student Data Privacy Agreement if student data is shared, and an SSL test of its website.',
    request.requestType === 'instructional'
      ? 'Instructional Technology reviews it for curriculum use, then DII checks it works with district devices.'
      : 'DII reviews it for administrative approval and checks it works with district devices.',
    request.cost > 0
      ? 'AAS requests quotes and issues the purchase order; then DII installs it.'
      : 'DII installs it.',
    'You get an email when it is approved or if it is not approved.',
  ];

  const text = [
    `Hello ${request.requesterName},`,
    '',
    `We received your request for ${request.resourceName}. Its number is ${requestId}.`,
    '',
    `Follow it here: ${statusUrl}`,
    '',
    'What happens next:',
    ...next.map((n) => `- ${n}`),
    '',
    'What you asked for:',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    '',
    'Technology Services — procedure TS-PE-535',
  ].join('\n');

  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1b1f24">
<p>Hello ${request.requesterName},</p>
<p>We received your request for <strong>${request.resourceName}</strong>. Its number is <strong>${requestId}</strong>.</p>
<p><a href="${statusUrl}">Follow your request</a> (${statusUrl})</p>
<h2 style="font-size:1.1rem">What happens next</h2>
<ol>${next.map((n) => html`<li>${n}</li>`)}</ol>
<h2 style="font-size:1.1rem">What you asked for</h2>
<table style="border-collapse:collapse">${rows.map(
    ([k, v]) =>
      html`<tr><th style="text-align:left;padding:4px 12px 4px 0;vertical-align:top">${k}</th><td style="padding:4px 0">${v}</td></tr>`,
  )}</table>
<p style="color:#57606a">Technology Services — procedure TS-PE-535</p>
</body></html>`;

  return {
    to: [request.requesterEmail],
    subject,
    text,
    html: body.value,
    tags: { kind: 'acknowledgement', requestId },
  };
}
