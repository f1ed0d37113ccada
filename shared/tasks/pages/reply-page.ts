/**
 * The page behind a question's reply link (SOP 4 "work with the vendor to answer questions as
 * needed"): the question, the request it is about, and a form with the answer. The link rules are the
 * task links' (shared/tasks/task-service.ts): GET changes nothing, the answer is accepted once.
 */

import type { FieldError } from '../../core/errors.ts';
import { html } from '../../core/html/html.ts';
import { page } from '../../core/html/layout.ts';
import { TASK_KINDS, TEAMS } from '../../workflow/index.ts';
import { formatDateTime } from '../emails/task-email.ts';
import type { DecideResult, OpenTask } from '../task-service.ts';
import { errorFor, errorSummary, outcome, renderTaskOutcome, type TaskOutcome } from './task-page.ts';

export interface ReplyFormView {
  open: OpenTask;
  secret: string;
  values?: Record<string, unknown>;
  errors?: FieldError[];
}

const formValue = (values: Record<string, unknown> | undefined, key: string) => {
  const raw = values?.[key];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' ? value : '';
};

export function renderReplyForm(view: ReplyFormView): string {
  const { task, request } = view.open;
  const errors = view.errors ?? [];
  const question = task.question;
  const asking = question ? TASK_KINDS[question.askedBy] : TASK_KINDS[task.kind];
  const team = TEAMS[asking.team];
  const title = `A question from the district's ${team} team`;
  const body = html`<h1>${title}</h1>
<p>About <strong>${request.resource.name}</strong> (${request.resource.vendorName}), request ${request.requestId}, SOP TS-PE-535 step ${asking.sopStep}. Answer before <strong>${formatDateTime(task.expiresAt)}</strong>.</p>
${errorSummary(errors, 'Nothing was sent yet.')}
<section class="card" aria-labelledby="question-title"><h2 id="question-title">The question</h2>
<p id="question-text" style="white-space:pre-wrap">${question?.question ?? ''}</p></section>
<form method="post" action="${encodeURIComponent(task.taskId)}">
<input type="hidden" name="t" value="${view.secret}">
<input type="hidden" name="decision" value="answered">
<label for="answer">Your answer</label>
<textarea id="answer" name="answer" rows="6" maxlength="2000" required${errors.some((e) => e.field === 'answer') ? html` aria-describedby="answer-error"` : ''}>${formValue(view.values, 'answer')}</textarea>${errorFor(errors, 'answer')}
<label for="decidedBy">Your name</label>
<input id="decidedBy" name="decidedBy" type="text" autocomplete="name" maxlength="120" required value="${formValue(view.values, 'decidedBy')}" aria-describedby="decidedBy-hint">
<p class="hint" id="decidedBy-hint">Your name and answer go to the ${team} team and into the request's audit trail.</p>${errorFor(errors, 'decidedBy')}
<button type="submit">Send the answer</button>
<p class="hint">The answer is sent once; this link cannot be used again afterwards.</p>
</form>`;
  return page({ title, body });
}

/** The outcome of a reply link or an answer POST: the task link's pages, in a replier's words. */
export function renderReplyOutcome(
  result: Exclude<DecideResult, { state: 'invalid' }>,
  options: { secret?: string } = {},
): TaskOutcome {
  if (result.state === 'recorded') {
    return outcome(200, 'Thank you: your answer was sent', [
      `The ${TEAMS[result.task.team]} team has your answer, and the review continues.`,
    ]);
  }
  if (result.state === 'decided') {
    return outcome(409, 'This question was already answered', [
      'A reply link can be used only once; nothing was changed.',
    ]);
  }
  if (result.state === 'delivery-pending') {
    return outcome(202, 'Thank you: your answer is kept', [
      `The service did not pass it on just now, so it is kept and reaches the ${TEAMS[result.task.team]} team within minutes. You do not need to send it again.`,
    ]);
  }
  if (result.state === 'expired' || result.state === 'too-late') {
    // No date: a reply link's wait can end before its expiry (the review went on without the answer).
    return outcome(410, 'This reply link has expired', [
      `The time to answer this question is over: the request no longer waits for an answer (the ${TEAMS[result.task.team]} team's review went on without one, or the request was closed). Nothing was recorded.`,
    ]);
  }
  return renderTaskOutcome(result, options);
}
