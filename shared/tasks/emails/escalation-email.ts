/**
 * SOP section 4: "It is the responsibility of Technology Services to ensure the process is completed."
 * With the final reminder of a step, Technology Services is told which team has not decided what, and
 * by when. The notice carries no task link (the team's link stays the only way to decide); it links to
 * the request's status page.
 */

import { html } from '../../core/html/html.ts';
import type { Email } from '../../core/mail/mailer.ts';
import { oneLine } from '../../requests/index.ts';
import type { RequestRecord } from '../../workflow/index.ts';
import { TASK_KINDS, type TaskKind, TEAMS } from '../../workflow/index.ts';
import { formatDateTime } from './task-email.ts';

export interface EscalationEmailInput {
  to: string;
  kind: TaskKind;
  request: Pick<RequestRecord, 'requestId' | 'resource'>;
  expiresAt: string;
  assignedAt: string;
  statusUrl: string;
}

export function renderEscalationEmail(input: EscalationEmailInput): Email {
  const spec = TASK_KINDS[input.kind];
  const team = TEAMS[spec.team];
  const deadline = formatDateTime(input.expiresAt);
  const { requestId, resource } = input.request;
  const subject = oneLine(
    `Escalation: ${team} has not decided SOP step ${spec.sopStep} for ${resource.name} (${requestId}), due ${deadline}`,
  );
  const lines = [
    `${team} has not yet decided a step of a digital-resource request, and the deadline is close.`,
    '',
    `Request: ${requestId} (${resource.name}, ${resource.vendorName})`,
    `Step: SOP TS-PE-535 step ${spec.sopStep}: ${spec.title}`,
    `Assigned: ${formatDateTime(input.assignedAt)}`,
    `Deadline: ${deadline}`,
    '',
    `Without a decision by then, the request is closed and the requester is told. The team has the link to decide; this notice has none.`,
    `Status: ${input.statusUrl}`,
  ];
  return {
    to: [input.to],
    tags: { kind: 'escalation', requestId },
    subject,
    text: lines.join('\n'),
    html: html`<p>${team} has not yet decided a step of a digital-resource request, and the deadline is close.</p>
<ul>
<li>Request: <strong>${requestId}</strong> (${resource.name}, ${resource.vendorName})</li>
<li>Step: SOP TS-PE-535 step ${spec.sopStep}: ${spec.title}</li>
<li>Assigned: ${formatDateTime(input.assignedAt)}</li>
<li>Deadline: <strong>${deadline}</strong></li>
</ul>
<p>Without a decision by then, the request is closed and the requester is told. The team has the link to decide; this notice has none.</p>
<p><a href="${input.statusUrl}">Request status</a></p>`.value,
  };
}
