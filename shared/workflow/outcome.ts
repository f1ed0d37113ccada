/**
 * How a request ends: its outcome (SOP 6, 9, 11 denials; SOP 16 approval) or a system error. Pure
 * functions: the handlers in lambdas/ do the I/O.
 */

import { isRecord } from '../core/guards.ts';
import { invalid } from '../core/validation.ts';
import type { Denial } from './fields.ts';
import type { RequestRecord } from './records.ts';
import type { Outcome } from './statuses.ts';

// ---- the outcome (close-request) ------------------------------------------------------------------

export const APPROVED_ACTIVITY = 'Approved: resource is Active/Approved';
export const APPROVED_STEP = 16;

/** The denial's reason with the decider's comment, when there is one. */
export function denialReason(denial: Denial): string {
  const comment = denial.comment?.trim();
  return comment ? `${denial.reason} (comment: ${comment})` : denial.reason;
}

export function deniedActivity(denial: Denial): string {
  return `Denied at SOP step ${denial.sopStep}: ${denialReason(denial)}`;
}

export type OutcomePatch = Pick<RequestRecord, 'status' | 'currentStep' | 'currentActivity'> &
  Partial<Pick<RequestRecord, 'deniedAtStep' | 'reason'>>;

/** What close-request writes on the request. DENIED needs the denial; APPROVED has none. */
export function outcomePatch(outcome: Outcome, denial?: Denial): OutcomePatch {
  if (outcome === 'APPROVED') {
    return { status: 'APPROVED', currentStep: APPROVED_STEP, currentActivity: APPROVED_ACTIVITY };
  }
  if (!denial) throw invalid('denial', 'A denied outcome needs the denial (SOP step and reason)');
  return {
    status: 'DENIED',
    currentStep: denial.sopStep,
    currentActivity: deniedActivity(denial),
    deniedAtStep: denial.sopStep,
    reason: denialReason(denial),
  };
}

// ---- system errors (record-error) -----------------------------------------------------------------

export const ERROR_ACTIVITY = 'Stopped by a system error; operators notified';
export const MAX_CAUSE_LENGTH = 1000;
const MAX_ERROR_NAME_LENGTH = 200;

export function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/**
 * Reads what a Catch put in `$.error` ({ Error, Cause }) without ever throwing: missing, non-string
 * or non-JSON values give a readable name and cause. A Lambda error's Cause is a JSON document
 * ({ errorType, errorMessage, trace }); its message is the readable part.
 */
export function describeSystemError(error: unknown): { error: string; cause: string } {
  if (typeof error === 'string') {
    return { error: 'UnknownError', cause: truncate(readableCause(error), MAX_CAUSE_LENGTH) };
  }
  const e = isRecord(error) ? error : {};
  const rawName = typeof e.Error === 'string' ? e.Error.trim() : '';
  const name = truncate(rawName || 'UnknownError', MAX_ERROR_NAME_LENGTH);
  return { error: name, cause: truncate(readableCause(e.Cause), MAX_CAUSE_LENGTH) };
}

function readableCause(cause: unknown): string {
  if (cause === undefined || cause === null) return '(no cause given)';
  if (typeof cause === 'string') {
    const text = cause.trim();
    if (text.startsWith('{')) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (isRecord(parsed)) {
          const message = parsed.errorMessage;
          if (typeof message === 'string' && message.trim()) return message.trim();
        }
      } catch {
        // not JSON after all: keep the text as it is
      }
    }
    return text || '(no cause given)';
  }
  try {
    return JSON.stringify(cause) ?? String(cause);
  } catch {
    return String(cause);
  }
}

/** The Step Functions console page of an execution, or undefined when the ARN is not one. */
export function executionConsoleUrl(executionArn: string | undefined): string | undefined {
  const match = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:execution:[^:\s]+:[^:\s]+$/.exec(
    executionArn ?? '',
  );
  if (!match) return undefined;
  const region = match[1];
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
