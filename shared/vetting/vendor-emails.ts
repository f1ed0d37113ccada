/**
 * Emails the Cybersecurity team sends vendors: the student Data Privacy Agreement request (SOP 4,
 * annual renewal SOP 17) and the notice to improve a substandard SSL grade (SOP 5). Each email has a
 * plain-text and an HTML body; every value that came from a request, a vendor or configuration goes
 * through html`` (escaped) in the HTML body. Replies go to the Cybersecurity team address.
 */

import { html, type SafeHtml } from '../core/html/html.ts';
import type { Email } from '../core/mail/mailer.ts';
import type { SslEndpointGrade } from '../workflow/index.ts';

/** Subjects are single-line headers: no CR/LF from user-supplied names. */
const oneLine = (value: string) => value.replace(/[\r\n\t]+/g, ' ').trim();

/** Escaped text with its line breaks kept. */
function paragraphs(text: string): SafeHtml {
  const lines = text.split(/\r?\n/);
  return html`${lines.map((line, i) => (i === 0 ? html`${line}` : html`<br>${line}`))}`;
}

function shell(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1b1f24;max-width:40rem">
${body}
</body></html>`.value;
}

export interface DpaRequestEmailInput {
  requestId: string;
  vendorContactEmail: string;
  cybersecurityEmail: string;
  resourceName: string;
  vendorName: string;
  resourceUrl?: string;
  /** What the request says is shared; empty when the request lists nothing. */
  studentDataElements: readonly string[];
  dpaTemplateUrl: string;
  returnInstructions: string;
  /** The single-use address where the vendor uploads the signed PDF, and its last day. */
  uploadLink?: string;
  uploadExpiresOn?: string;
  /** The vendor's incident link for the resource (not single-use), and its last day. */
  incidentLink?: string;
  incidentLinkExpiresOn?: string;
  renewal: boolean;
}

/** The vendor's incident link (shared/stewardship), in the text part: a sentence, the link, a blank line. */
function incidentLinkLines(input: DpaRequestEmailInput): string[] {
  if (!input.incidentLink) return [];
  return [
    `To report a student data incident involving ${input.resourceName} (now or later, until ${input.incidentLinkExpiresOn ?? 'the next renewal'}), use this link; keep it for that purpose:`,
    input.incidentLink,
    '',
  ];
}

function incidentLinkParagraph(input: DpaRequestEmailInput): SafeHtml | '' {
  if (!input.incidentLink) return '';
  return html`<p><strong>Data incidents:</strong> to report a student data incident involving ${input.resourceName} (now or later, until ${input.incidentLinkExpiresOn ?? 'the next renewal'}), <a href="${input.incidentLink}">use the district's incident form</a>. Please keep this email for that purpose.</p>
`;
}

/** SOP 4: ask the vendor to sign the district's student Data Privacy Agreement (SOP 17: renew it). */
export function renderDpaRequestEmail(input: DpaRequestEmailInput): Email {
  const name = oneLine(input.resourceName);
  const subject = input.renewal
    ? `Annual renewal of the student Data Privacy Agreement for ${name}`
    : `Student Data Privacy Agreement requested for ${name}`;
  const intro = input.renewal
    ? `The district renews the student Data Privacy Agreement (DPA) for ${name} every year. Please review the district's current DPA template and return a signed agreement for the coming year so that the resource stays approved for student use.`
    : `A district staff member has asked to use ${name} with students. Because the resource involves student data, the district's Cybersecurity team needs a signed student Data Privacy Agreement (DPA) from ${input.vendorName} before the request can continue.`;
  const data = input.studentDataElements;
  const dataText = data.length
    ? `Student data the request says will be shared:\n${data.map((d) => `  - ${d}`).join('\n')}`
    : 'Student data shared: not itemised on the request; the Cybersecurity team will confirm the details with you.';

  const text = [
    'Hello,',
    '',
    intro,
    '',
    `Resource: ${input.resourceName}`,
    `Vendor: ${input.vendorName}`,
    ...(input.resourceUrl ? [`Website: ${input.resourceUrl}`] : []),
    `District reference: ${input.requestId}`,
    '',
    dataText,
    '',
    `DPA template: ${input.dpaTemplateUrl}`,
    '',
    'How to return the signed agreement:',
    ...(input.uploadLink
      ? [
          `Upload it as one PDF file (at most 10 MB) here, by ${input.uploadExpiresOn ?? 'the date the district asked'}:`,
          input.uploadLink,
          'The link works once. Otherwise:',
        ]
      : []),
    input.returnInstructions,
    '',
    ...incidentLinkLines(input),
    `Questions? Reply to this email or write to the Cybersecurity team at ${input.cybersecurityEmail}; we are happy to work through them with you.`,
    '',
    'Thank you,',
    'District Cybersecurity team',
  ].join('\n');

  const body = html`<p>Hello,</p>
<p>${intro}</p>
<table style="border-collapse:collapse">
<tr><th style="text-align:left;padding:.2rem .8rem .2rem 0">Resource</th><td>${input.resourceName}</td></tr>
<tr><th style="text-align:left;padding:.2rem .8rem .2rem 0">Vendor</th><td>${input.vendorName}</td></tr>
${input.resourceUrl ? html`<tr><th style="text-align:left;padding:.2rem .8rem .2rem 0">Website</th><td>${input.resourceUrl}</td></tr>` : ''}
<tr><th style="text-align:left;padding:.2rem .8rem .2rem 0">District reference</th><td>${input.requestId}</td></tr>
</table>
${
  data.length
    ? html`<p>Student data the request says will be shared:</p><ul>${data.map((d) => html`<li>${d}</li>`)}</ul>`
    : html`<p>Student data shared: not itemised on the request; the Cybersecurity team will confirm the details with you.</p>`
}
<p><a href="${input.dpaTemplateUrl}">Open the district's DPA template</a></p>
${
  input.uploadLink
    ? html`<p><strong>How to return the signed agreement:</strong> <a href="${input.uploadLink}">upload it as one PDF file</a> (at most 10 MB) by ${input.uploadExpiresOn ?? 'the date the district asked'}. The link works once.</p>
<p>Otherwise: ${paragraphs(input.returnInstructions)}</p>`
    : html`<p><strong>How to return the signed agreement:</strong><br>${paragraphs(input.returnInstructions)}</p>`
}
${incidentLinkParagraph(input)}<p>Questions? Reply to this email or write to the Cybersecurity team at <a href="mailto:${input.cybersecurityEmail}">${input.cybersecurityEmail}</a>; we are happy to work through them with you.</p>
<p>Thank you,<br>District Cybersecurity team</p>`;

  return {
    to: [input.vendorContactEmail],
    replyTo: [input.cybersecurityEmail],
    tags: { kind: 'dpa-request', requestId: input.requestId },
    subject,
    text,
    html: shell(subject, body),
  };
}

/** The public SSL Labs report for a host; `hideResults=on` keeps it off the public boards. */
export function ssllabsReportUrl(hostname: string): string {
  return `https://www.ssllabs.com/ssltest/analyze.html?d=${encodeURIComponent(hostname)}&hideResults=on`;
}

export interface SslNoticeEmailInput {
  requestId: string;
  vendorContactEmail: string;
  cybersecurityEmail: string;
  resourceName: string;
  vendorName: string;
  hostname?: string;
  grade?: string;
  endpoints: readonly SslEndpointGrade[];
  reason: string;
  renewal: boolean;
  /** Every website tested, with its own verdict (the endpoints carry their host). */
  hosts?: readonly { host: string; passed: boolean; grade?: string; reason: string }[];
  /** The re-tests already run and the most allowed, and when the remediation window ends (SOP 5-6). */
  retests?: number;
  maxRetests?: number;
  windowEndsAt?: string;
}

/** What the vendor should fix, by what SSL Labs found. */
function whatToFix(hosts: readonly { passed: boolean; grade?: string }[]): string[] {
  const failing = hosts.filter((h) => !h.passed);
  const fixes: string[] = [];
  if (failing.some((h) => h.grade === undefined)) {
    fixes.push(
      'Make sure every website listed resolves in public DNS and answers HTTPS on port 443 from the internet, so SSL Labs can grade it.',
    );
  }
  if (failing.some((h) => h.grade === 'T' || h.grade === 'M')) {
    fixes.push(
      'Install a certificate from a publicly trusted authority that matches the website name, with the complete chain.',
    );
  }
  if (failing.some((h) => h.grade !== undefined && h.grade !== 'T' && h.grade !== 'M')) {
    fixes.push(
      'Turn off TLS 1.0/1.1 and weak cipher suites, support forward secrecy and TLS 1.2 or 1.3, and fix the issues the SSL Labs report lists for each server.',
    );
  }
  return fixes;
}

/** SOP 5: a substandard SSL grade; the vendor is asked to improve it (Cybersecurity in copy). */
export function renderSslNoticeEmail(input: SslNoticeEmailInput): Email {
  const notice = sslNotice(input);
  const subject = `Action needed: improve the SSL grade of ${oneLine(notice.where)}${input.grade ? ` (currently ${oneLine(input.grade)})` : ''}`;
  return {
    // The Cybersecurity team is copied: the port has no Cc, so the team is a second recipient.
    to: [input.vendorContactEmail, input.cybersecurityEmail],
    replyTo: [input.cybersecurityEmail],
    tags: { kind: 'ssl-notice', requestId: input.requestId },
    subject,
    text: sslNoticeText(input, notice),
    html: shell(subject, sslNoticeHtml(input, notice)),
  };
}

type SslNotice = ReturnType<typeof sslNotice>;

/** What both parts of the SSL notice say: the context, the rule, the grades and what to fix. */
function sslNotice(input: SslNoticeEmailInput) {
  const name = oneLine(input.resourceName);
  const where = input.hostname ?? name;
  const context = input.renewal
    ? `As part of the district's annual review of approved resources, the Cybersecurity team re-tested the website of ${name} with the Qualys SSL Labs SSL Server Test.`
    : `A district staff member has asked to use ${name}. As part of the district's security vetting, the Cybersecurity team tested its website with the Qualys SSL Labs SSL Server Test.`;
  const required =
    'The district requires a grade of A or better (A+ or A) on the Qualys SSL Labs SSL Server Test for every server (endpoint) of the website; grades T (certificate not trusted) and M (certificate name mismatch) do not qualify.';
  const report = input.hostname ? ssllabsReportUrl(input.hostname) : undefined;
  const endpointLine = (e: SslEndpointGrade) =>
    `${e.ipAddress}: ${e.grade ?? 'not graded'}${e.statusMessage && e.statusMessage !== 'Ready' ? ` (${e.statusMessage})` : ''}`;
  const hosts = input.hosts ?? [];
  const several = hosts.length > 1;
  const fixes = whatToFix(
    hosts.length ? hosts : [{ passed: false, ...(input.grade ? { grade: input.grade } : {}) }],
  );
  const bounds =
    input.windowEndsAt !== undefined
      ? `The district will test again when you reply that it is fixed. The resource is denied if the websites do not reach A by ${input.windowEndsAt.slice(0, 10)}${input.maxRetests !== undefined ? ` or after ${input.maxRetests} re-tests (${input.retests ?? 0} so far)` : ''}.`
      : undefined;
  const hostLines = several
    ? hosts.flatMap((h) => [
        `${h.host}: ${h.grade ?? 'no grade'}${h.passed ? ' (meets A or better)' : ` - ${h.reason}`}`,
        ...input.endpoints.filter((e) => e.host === h.host).map((e) => `    - ${endpointLine(e)}`),
      ])
    : [];

  return { where, context, required, report, endpointLine, hosts, several, fixes, bounds, hostLines };
}

function sslNoticeText(
  input: SslNoticeEmailInput,
  { context, required, report, endpointLine, hosts, several, fixes, bounds, hostLines }: SslNotice,
): string {
  return [
    'Hello,',
    '',
    context,
    '',
    `Result: ${input.reason}`,
    ...(input.grade ? [`Overall grade (worst endpoint): ${input.grade}`] : []),
    ...(several
      ? ['Grades per website and server:', ...hostLines.map((l) => `  - ${l}`)]
      : input.endpoints.length
        ? ['Grades per server:', ...input.endpoints.map((e) => `  - ${endpointLine(e)}`)]
        : []),
    '',
    required,
    '',
    ...(fixes.length ? ['What to fix:', ...fixes.map((f) => `  - ${f}`), ''] : []),
    ...(several
      ? hosts
          .filter((h) => !h.passed)
          .map((h) => `SSL Labs report for ${h.host}: ${ssllabsReportUrl(h.host)}`)
      : report
        ? [`Full SSL Labs report: ${report}`]
        : []),
    '',
    'Please improve the server configuration and reply to this email when it is done, so the Cybersecurity team can test again.',
    ...(bounds ? [bounds] : []),
    '',
    `Resource: ${input.resourceName}`,
    `Vendor: ${input.vendorName}`,
    `District reference: ${input.requestId}`,
    '',
    'Thank you,',
    'District Cybersecurity team',
  ].join('\n');
}

function sslNoticeHtml(
  input: SslNoticeEmailInput,
  { context, required, report, endpointLine, hosts, several, fixes, bounds }: SslNotice,
) {
  return html`<p>Hello,</p>
<p>${context}</p>
<p><strong>Result:</strong> ${input.reason}</p>
${input.grade ? html`<p><strong>Overall grade (worst endpoint):</strong> ${input.grade}</p>` : ''}
${
  !several && input.endpoints.length
    ? html`<table style="border-collapse:collapse"><thead><tr><th style="text-align:left;padding:.2rem .8rem .2rem 0">Server (IP address)</th><th style="text-align:left;padding:.2rem .8rem .2rem 0">Grade</th><th style="text-align:left">Status</th></tr></thead><tbody>${input.endpoints.map(
        (e) =>
          html`<tr><td style="padding:.2rem .8rem .2rem 0">${e.ipAddress}</td><td style="padding:.2rem .8rem .2rem 0">${e.grade ?? 'not graded'}</td><td>${e.statusMessage ?? ''}</td></tr>`,
      )}</tbody></table>`
    : ''
}
${
  several
    ? html`<ul>${hosts.map(
        (h) =>
          html`<li><strong>${h.host}</strong>: ${h.grade ?? 'no grade'}${h.passed ? ' (meets A or better)' : html` — ${h.reason} (<a href="${ssllabsReportUrl(h.host)}">SSL Labs report</a>)`}<ul>${input.endpoints
            .filter((e) => e.host === h.host)
            .map((e) => html`<li>${endpointLine(e)}</li>`)}</ul></li>`,
      )}</ul>`
    : ''
}
<p>${required}</p>
${fixes.length ? html`<p><strong>What to fix:</strong></p><ul>${fixes.map((f) => html`<li>${f}</li>`)}</ul>` : ''}
${!several && report ? html`<p><a href="${report}">Open the full SSL Labs report for ${input.hostname}</a></p>` : ''}
<p>Please improve the server configuration and reply to this email when it is done, so the Cybersecurity team can test again.${bounds ? ` ${bounds}` : ''}</p>
<p>Resource: ${input.resourceName}<br>Vendor: ${input.vendorName}<br>District reference: ${input.requestId}</p>
<p>Thank you,<br>District Cybersecurity team</p>`;
}
