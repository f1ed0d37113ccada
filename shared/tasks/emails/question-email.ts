/**
 * SOP 4 "work with the vendor to answer questions as needed": a reviewing team's question, emailed
 * to the requester or the vendor with a single-use reply link (id + secret only, like task links).
 */

import { html } from '../../core/html/html.ts';
import type { Email } from '../../core/mail/mailer.ts';
import type { QuestionToAsk, RequestRecord } from '../../workflow/index.ts';
import { TASK_KINDS, TEAMS } from '../../workflow/index.ts';
import { formatDateTime } from './task-email.ts';

export interface QuestionEmailInput {
  to: string;
  question: QuestionToAsk;
  request: RequestRecord;
  expiresAt: string;
  link: string;
}

export function renderQuestionEmail(input: QuestionEmailInput): Email {
  const { request, question } = input;
  const spec = TASK_KINDS[question.askedBy];
  const team = TEAMS[spec.team];
  const deadline = formatDateTime(input.expiresAt);
  const about =
    question.recipient === 'vendor'
      ? `${request.resource.name} (${request.resource.vendorName}), which a district staff member asked to use`
      : `your digital-resource request ${request.requestId} (${request.resource.name})`;
  const greeting = question.recipient === 'vendor' ? 'Hello,' : `Hello ${request.submitted.requesterName},`;
  const subject =
    `Question from the district's ${team} team about ${request.resource.name} (${request.requestId})`
      .replace(/\s+/g, ' ')
      .trim();
  const text = [
    greeting,
    '',
    `The district's ${team} team is reviewing ${about} (SOP TS-PE-535 step ${spec.sopStep}) and has a question:`,
    '',
    question.question,
    '',
    `Answer before ${deadline} with this link (it works once):`,
    input.link,
    '',
    'Opening the link changes nothing; the answer is sent only when you submit the form.',
    'The review continues when the answer arrives, or at the deadline without it.',
  ].join('\n');
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1f24;line-height:1.5">
<p>${greeting}</p>
<p>The district's ${team} team is reviewing ${about} (SOP TS-PE-535 step ${spec.sopStep}) and has a question:</p>
<blockquote style="white-space:pre-wrap;border-left:4px solid #0b5cad;margin:0;padding:4px 12px">${question.question}</blockquote>
<p>Answer before <strong>${deadline}</strong>:</p>
<p><a href="${input.link}" style="display:inline-block;padding:10px 18px;background:#0b5cad;color:#fff;border-radius:6px;text-decoration:none">Answer the question</a></p>
<p style="color:#57606a;font-size:0.9rem">Opening the link changes nothing; the answer is sent only when you submit the form. The link works once.
The review continues when the answer arrives, or at the deadline without it.</p>
</body></html>`;
  return {
    to: [input.to],
    subject,
    text,
    html: body.value,
    tags: { kind: 'question', requestId: request.requestId },
  };
}
