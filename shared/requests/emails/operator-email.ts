/**
 * The operators' alert when a workflow stops on a system error: which request, which error, the
 * cause, and where to look (the Step Functions console page of the execution, when known).
 * Causes can contain anything a failing service said: every value is escaped in the HTML part.
 */
import { html } from '../../core/html/html.ts';
import type { Email } from '../../core/mail/mailer.ts';
import { oneLine } from './outcome-email.ts';

export interface OperatorErrorEmailInput {
  to: string;
  requestId: string;
  /** What happened to the request: marked ERROR, unknown to the table, or could not be marked. */
  requestState: 'marked' | 'not-found' | 'not-marked';
  error: string;
  cause: string;
  at: string;
  currentStep?: number;
  consoleUrl?: string;
}

/**
 * What to do next. Not "redrive or restart": a redrive reruns the failed state, here the terminal
 * Failed reached through RecordError, and the execution name (the request id) stays taken for 90 days.
 */
const AFTERWORD: Record<OperatorErrorEmailInput['requestState'], (requestId: string) => string> = {
  marked: (requestId) =>
    `The request is marked ERROR. Fix the cause, then resume it with a new execution: npm run resume -- ${requestId} --at <StateName> (docs/operations.md, "Resume a request", lists the steps it can start at).`,
  'not-found': () => 'No request with this id exists, so nothing was marked. Check the execution input.',
  'not-marked': () =>
    'The request could not be marked ERROR (see the function logs): its status page may still say IN_REVIEW.',
};

export function renderOperatorErrorEmail(input: OperatorErrorEmailInput): Email {
  const unknown = input.requestState === 'not-found' ? ' (not found in the table)' : '';
  const subject = oneLine(`[Software requests] System error on request ${input.requestId}: ${input.error}`);
  const afterword = AFTERWORD[input.requestState](input.requestId);
  const where = input.consoleUrl ?? 'no execution recorded for this request';
  const stepLine =
    input.currentStep !== undefined ? `SOP step when it stopped: ${input.currentStep}` : undefined;
  const text = [
    'A software-request workflow stopped on a system error.',
    '',
    `Request: ${input.requestId}${unknown}`,
    ...(stepLine ? [stepLine] : []),
    `Error: ${input.error}`,
    `Cause: ${input.cause}`,
    `At: ${input.at}`,
    `Execution: ${where}`,
    '',
    afterword,
  ].join('\n');

  const htmlPart = html`<!doctype html>
<html lang="en"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>A software-request workflow stopped on a system error.</p>
<table>
<tr><th align="left">Request</th><td>${input.requestId}${unknown}</td></tr>
${input.currentStep !== undefined ? html`<tr><th align="left">SOP step</th><td>${input.currentStep}</td></tr>` : ''}
<tr><th align="left">Error</th><td>${input.error}</td></tr>
<tr><th align="left">Cause</th><td><pre style="white-space:pre-wrap">${input.cause}</pre></td></tr>
<tr><th align="left">At</th><td>${input.at}</td></tr>
<tr><th align="left">Execution</th><td>${
    input.consoleUrl
      ? html`<a href="${input.consoleUrl}">Open the execution in the Step Functions console</a>`
      : 'no execution recorded for this request'
  }</td></tr>
</table>
<p>${afterword}</p>
</body></html>`;

  return {
    to: [input.to],
    subject,
    text,
    html: htmlPart.value,
    tags: { kind: 'operator-error', requestId: input.requestId },
  };
}
