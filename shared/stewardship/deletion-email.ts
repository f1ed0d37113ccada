/**
 * The written request to delete students' data (NDPA Exhibit D, "Disposition of data") sent to the
 * vendor when a resource is no longer approved: what ended, what to destroy, and the single-use link
 * for the certificate of destruction. Values from requests go through html`` (escaped).
 */
import { html } from '../core/html/html.ts';
import type { Email } from '../core/mail/mailer.ts';

export interface DeletionEmailInput {
  requestId: string;
  to: string;
  cybersecurityEmail: string;
  resourceName: string;
  vendorName: string;
  /** Why the approval ended (the registry's reason). */
  reason: string | undefined;
  uploadLink: string;
  /** The certificate's due date (YYYY-MM-DD): the upload link expires then. */
  dueOn: string;
}

const oneLine = (value: string) => value.replace(/[\r\n\t]+/g, ' ').trim();

export function renderDeletionRequestEmail(input: DeletionEmailInput): Email {
  const subject = oneLine(
    `Request to delete student data: ${input.resourceName} (${input.vendorName}) — request ${input.requestId}`,
  );
  const why = input.reason ? `Reason: ${input.reason}` : '';
  const text = [
    `Dear ${input.vendorName} privacy contact,`,
    '',
    `${input.resourceName} is no longer approved for use in the district. ${why}`.trim(),
    '',
    'Under the student Data Privacy Agreement (disposition of data), please destroy all student data',
    'you hold from the district, including copies held by your subprocessors, and return a signed',
    'certificate of destruction as one PDF file through this single-use link:',
    '',
    input.uploadLink,
    '',
    `Please upload it by ${input.dueOn}. Questions: reply to this email (${input.cybersecurityEmail}).`,
    '',
    `Request ${input.requestId}`,
  ].join('\n');
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;max-width:40rem">
<p>Dear ${input.vendorName} privacy contact,</p>
<p><strong>${input.resourceName}</strong> is no longer approved for use in the district.${input.reason ? html` Reason: ${input.reason}` : ''}</p>
<p>Under the student Data Privacy Agreement (disposition of data), please destroy all student data you hold from the district, including copies held by your subprocessors, and return a signed certificate of destruction as one PDF file through this single-use link:</p>
<p><a href="${input.uploadLink}">Upload the certificate of destruction</a></p>
<p>Please upload it by ${input.dueOn}. Questions: reply to this email (${input.cybersecurityEmail}).</p>
<p>Request ${input.requestId}</p>
</body></html>`.value;
  return { to: [input.to], replyTo: [input.cybersecurityEmail], subject, text, html: body };
}
