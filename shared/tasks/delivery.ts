/**
 * The one place a decision reaches Step Functions (SendTaskSuccess), for decide() and the decision
 * recovery sweep alike, and what is recorded when the step no longer waits for it.
 */
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { errorName } from '../core/errors.ts';
import type { RequestStore } from '../requests/index.ts';
import type { DecisionOutput, TaskRecord } from '../workflow/index.ts';
import { bestEffort } from './decision-follow-up.ts';
import { decisionLabel } from './decisions/labels.ts';
import type { TaskStore } from './store.ts';
import type { DecisionOrigin, DecisionSubmission } from './types.ts';

/** SendTaskSuccess errors that mean the wait is over: retrying can never succeed. */
export const WAIT_OVER = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/**
 * Sends the decision's output to the step waiting on the task's token. Resolves undefined once Step
 * Functions accepted it, or the error's name when the wait is over (WAIT_OVER); throws anything else.
 */
export async function deliverDecision(
  task: Pick<TaskRecord, 'taskToken'>,
  output: DecisionOutput,
  sfn: Pick<SFNClient, 'send'>,
): Promise<{ waitOver?: string }> {
  try {
    await sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: JSON.stringify(output) }));
    return {};
  } catch (error) {
    const name = errorName(error);
    if (WAIT_OVER.has(name)) return { waitOver: name };
    throw error;
  }
}

/** Where a decision came from; `decidedBy` is the name a link's form gave (the actor in link mode). */
export const requestOrigin = (s: DecisionSubmission, decidedBy: string): DecisionOrigin => ({
  ...(s.sourceIp ? { sourceIp: s.sourceIp } : {}),
  ...(s.userAgent ? { userAgent: s.userAgent.slice(0, 300) } : {}),
  identityVerified: s.actor !== undefined,
  actor: s.actor ?? { sub: null, email: null, name: decidedBy, via: 'link' },
});

/**
 * A decision Step Functions no longer waits for (its step timed out, or the execution stopped):
 * the task is marked timed out (and leaves the UNDELIVERED index) and DECISION_TOO_LATE audited.
 * Shared by decide() and the decision sweep.
 */
export async function recordTooLate(
  task: TaskRecord,
  output: DecisionOutput,
  errorName: string,
  origin: DecisionOrigin,
  store: Pick<TaskStore, 'markTaskTimedOut'> & Pick<RequestStore, 'appendAudit'>,
  summary = `A decision (${decisionLabel(output.decision)}) arrived after this step had timed out; nothing was recorded`,
): Promise<void> {
  const deps = { store };
  await bestEffort('mark task timed out', () => deps.store.markTaskTimedOut(task.taskId));
  await bestEffort('audit late decision', () =>
    deps.store.appendAudit({
      requestId: task.requestId,
      sopStep: task.sopStep,
      type: 'DECISION_TOO_LATE',
      summary,
      actor: output.decidedBy,
      detail: {
        kind: task.kind,
        taskId: task.taskId,
        decision: output.decision,
        decidedBy: output.decidedBy,
        attemptedAt: output.decidedAt,
        stepFunctionsError: errorName,
        ...origin,
      },
    }),
  );
}
