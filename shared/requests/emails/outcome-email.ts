/**
 * The requester's outcome email: approved (SOP 16, the resource is Active/Approved) or denied at a
 * numbered SOP step with the reason (SOP 6, 9, 11, or a step nobody decided in time). Every value a
 * person typed is escaped in the HTML part; the status link lets them see the full timeline.
 */

import { html } from '../../core/html/html.ts';
import type { Email } from '../../core/mail/mailer.ts';
import type { Denial, Outcome } from '../../workflow/index.ts';
import { denialReason } from '../../workflow/index.ts';

export interface OutcomeEmailInput {
  to: string;
  requesterName: string;
  requestId: string;
  resourceName: string;
  outcome: Outcome;
  denial?: Denial;
  statusUrl: string;
}

/** Header-safe: no line breaks or control characters in a subject. */
export const oneLine = (value: string) => value.replace(/\p{Cc}+/gu, ' ').trim();

export function renderOutcomeEmail(input: OutcomeEmailInput): Email {
  const approved = input.outcome === 'APPROVED';
  const subject = oneLine(
    approved
      ? `Approved: ${input.resourceName} (request ${input.requestId})`
      : `Not approved: ${input.resourceName} (request ${input.requestId})`,
  );
  const reason = input.denial ? denialReason(input.denial) : '';
  const step = input.denial?.sopStep;

  const text = [
    `Hello ${input.requesterName},`,
    '',
    approved
      ? `Your request ${input.requestId} for "${input.resourceName}" has been approved. The resource is now listed as Active/Approved in the district's resource registry (SOP step 16).`
      : `Your request ${input.requestId} for "${input.resourceName}" was not approved.`,
    ...(approved ? [] : ['', `Denied at SOP step ${step}.`, `Reason: ${reason}`]),
    '',
    `Status and timeline: ${input.statusUrl}`,
    '',
    'Technology Services (TS-PE-535 software and application procedure)',
  ].join('\n');

  const body = approved
    ? html`<p>Your request <strong>${input.requestId}</strong> for <strong>${input.resourceName}</strong> has been
approved. The resource is now listed as <strong>Active/Approved</strong> in the district's resource registry
(SOP step 16).</p>`
    : html`<p>Your request <strong>${input.requestId}</strong> for <strong>${input.resourceName}</strong> was
<strong>not approved</strong>.</p>
<dl><dt>Denied at SOP step</dt><dd>${step}</dd><dt>Reason</dt><dd>${reason}</dd></dl>`;

  const htmlPart = html`<!doctype html>
<html lang="en"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>Hello ${input.requesterName},</p>
${body}
<p><a href="${input.statusUrl}">See the status and timeline of your request</a></p>
<p style="color:#57606a">Technology Services (TS-PE-535 software and application procedure)</p>
</body></html>`;

  return {
    to: [input.to],
    subject,
    text,
    html: htmlPart.value,
    tags: { kind: 'outcome', requestId: input.requestId },
  };
}
