/**
 * SOP 17: the annual renewal lapsed (the DPA was not renewed, or the SSL grade did not reach A in
 * time): the requester and Cybersecurity learn that the resource is now Not Approved, and why.
 */
import { html } from '../core/html/html.ts';
import type { Email } from '../core/mail/mailer.ts';
import { oneLine } from '../requests/index.ts';

export interface RenewalLapsedEmailInput {
  requesterEmail: string;
  requesterName: string;
  cybersecurityEmail: string;
  requestId: string;
  resourceName: string;
  reason: string;
  statusUrl: string;
}

export function renderRenewalLapsedEmail(input: RenewalLapsedEmailInput): Email {
  const subject = oneLine(
    `Renewal lapsed: ${input.resourceName} is Not Approved (request ${input.requestId})`,
  );
  const text = [
    `Hello ${input.requesterName},`,
    '',
    `The annual renewal (SOP step 17) of "${input.resourceName}", approved through request ${input.requestId}, did not complete. The resource is now listed as Not Approved in the district's resource registry and should not be used with students.`,
    '',
    `Reason: ${input.reason}`,
    '',
    'To use it again, submit a new request once the vendor has resolved this. The Cybersecurity team is copied.',
    '',
    `Status and timeline: ${input.statusUrl}`,
    '',
    'Technology Services (TS-PE-535 software and application procedure)',
  ].join('\n');
  const htmlPart = html`<!doctype html>
<html lang="en"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>Hello ${input.requesterName},</p>
<p>The annual renewal (SOP step 17) of <strong>${input.resourceName}</strong>, approved through request
<strong>${input.requestId}</strong>, did not complete. The resource is now listed as <strong>Not Approved</strong>
in the district's resource registry and should not be used with students.</p>
<dl><dt>Reason</dt><dd>${input.reason}</dd></dl>
<p>To use it again, submit a new request once the vendor has resolved this. The Cybersecurity team is copied.</p>
<p><a href="${input.statusUrl}">See the status and timeline of the request</a></p>
<p style="color:#57606a">Technology Services (TS-PE-535 software and application procedure)</p>
</body></html>`;
  return {
    to: [input.requesterEmail, input.cybersecurityEmail],
    tags: { kind: 'renewal-lapsed', requestId: input.requestId },
    replyTo: [input.cybersecurityEmail],
    subject,
    text,
    html: htmlPart.value,
  };
}
