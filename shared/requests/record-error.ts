/**
 * The error path every Catch leads to: marks the request ERROR with the error and its cause, audits
 * SYSTEM_ERROR, and emails the operators (request id, error, cause, Step Functions console link).
 * Robust by design: a malformed or missing cause never makes it throw; an unknown request still
 * notifies the operators; it throws only TransientError (a retryable AWS fault), and a retry neither
 * rewrites the error nor repeats the audit event. Other failures are logged and skipped.
 * The operators' email of a marked request goes through the outbox (docs/design.md "Outbox") under
 * `error#<time the error was recorded>`: a retry finds it; the same error recorded anew (after a
 * resume) is a new email. A request not found or not marked has no partition to record it in: its
 * email is sent directly.
 */

import { errorName, NotFoundError, TransientError } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import type { Mailer } from '../core/mail/mailer.ts';
import { type SendOnceDeps, sendOnce } from '../core/mail/send-once.ts';
import { type ReportCounts, reportOutcome } from '../reports/index.ts';
import type { RecordErrorInput, RequestRecord } from '../workflow/index.ts';
import { describeSystemError, ERROR_ACTIVITY, executionConsoleUrl } from '../workflow/index.ts';
import { type OperatorErrorEmailInput, renderOperatorErrorEmail } from './emails/operator-email.ts';
import type { RequestStore } from './store.ts';

export interface RecordErrorDeps {
  store: Pick<RequestStore, 'getRequest' | 'updateRequest' | 'listAudit' | 'appendAudit'> &
    SendOnceDeps['outbox'];
  mailer: Mailer;
  operatorEmail: string;
  now: () => Date;
  /** The reports' counts (shared/reports); none in tests that do not look at them. */
  reports?: ReportCounts;
}

export interface RecordErrorOutput {
  requestId: string;
  /** The request is marked ERROR (now or by an earlier attempt). */
  marked: boolean;
  /** The operators were emailed (now, by the attempt this one retries, or left to the outbox sweep). */
  notified: boolean;
}

/** Lenient on purpose: only the request id must be usable; `error` may be anything. */

export async function recordError(
  input: RecordErrorInput,
  deps: RecordErrorDeps,
): Promise<RecordErrorOutput> {
  const { requestId, error } = input;
  const failure = describeSystemError(error);
  logger.warn('Recording a system error', { errorName: failure.error });

  let request: RequestRecord | undefined;
  let state: OperatorErrorEmailInput['requestState'] = 'not-marked';
  let at = deps.now().toISOString();
  try {
    request = await deps.store.getRequest(requestId);
    if (!request) state = 'not-found';
    else {
      at = await markError(deps, request, failure, at);
      state = 'marked';
      if (deps.reports) await reportOutcome(deps.reports, request, 'error', at);
    }
  } catch (cause) {
    if (cause instanceof TransientError) throw cause;
    if (cause instanceof NotFoundError) state = 'not-found';
    else logger.error('Could not mark the request ERROR', { errorName: errorName(cause) });
  }

  let notified = false;
  try {
    const email = renderOperatorErrorEmail({
      to: deps.operatorEmail,
      requestId,
      requestState: state,
      error: failure.error,
      cause: failure.cause,
      at,
      ...(request?.currentStep !== undefined ? { currentStep: request.currentStep } : {}),
      ...(executionConsoleUrl(request?.executionArn)
        ? { consoleUrl: executionConsoleUrl(request?.executionArn) }
        : {}),
    });
    if (state === 'marked') {
      await sendOnce(
        { outbox: deps.store, mailer: deps.mailer, now: deps.now },
        requestId,
        `error#${at}`,
        email,
      );
    } else {
      await deps.mailer.send(email);
    }
    notified = true;
  } catch (cause) {
    if (cause instanceof TransientError) throw cause;
    logger.error('Could not notify the operators', { errorName: errorName(cause) });
  }
  return { requestId, marked: state === 'marked', notified };
}

/**
 * Writes status ERROR and the SYSTEM_ERROR audit event; returns when the error was recorded. A retry
 * (the same error already recorded) writes nothing but a missing audit event. A request that already
 * has its outcome (APPROVED or DENIED, e.g. an annual renewal that failed, or an outcome email SES
 * refused) keeps it: the error is recorded beside the outcome, because the decisions still stand.
 */
async function markError(
  deps: RecordErrorDeps,
  request: RequestRecord,
  failure: { error: string; cause: string },
  now: string,
): Promise<string> {
  const { store } = deps;
  const requestId = request.requestId;
  const previous = request.error;
  const hasOutcome = request.status === 'APPROVED' || request.status === 'DENIED';
  const retry =
    (request.status === 'ERROR' || hasOutcome) &&
    previous?.error === failure.error &&
    previous.cause === failure.cause;
  const at = retry && previous ? previous.at : now;
  if (!retry) {
    await store.updateRequest(
      requestId,
      hasOutcome
        ? {
            error: { ...failure, at },
            currentActivity: `${ERROR_ACTIVITY}; the ${request.status} outcome stands`,
          }
        : { status: 'ERROR', error: { ...failure, at }, currentActivity: ERROR_ACTIVITY },
    );
  } else if ((await store.listAudit(requestId)).some((e) => e.type === 'SYSTEM_ERROR' && e.at === at)) {
    return at;
  }
  await store.appendAudit({
    requestId,
    at,
    sopStep: request.currentStep ?? 0,
    type: 'SYSTEM_ERROR',
    summary: `${ERROR_ACTIVITY} (${failure.error})`,
    actor: 'workflow',
    detail: { error: failure.error },
  });
  return at;
}
