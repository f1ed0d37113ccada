/**
 * Decision recovery (SOP 4, 7-15): a decision whose record-decision (or record-answer) died between
 * its claim and the end of its follow-up is finished by a sweep, run with the request recovery sweep
 * (recover-requests: every 15 minutes on AWS, at start and every few minutes locally).
 *
 * decide() claims the task with what is still to be done (`delivery`: the SendTaskSuccess output, the
 * decision without its licence key, where it came from) and puts it on the sparse UNDELIVERED index;
 * it marks `deliveredAt` after SendTaskSuccess and `followedUpAt` (leaving the index) after the facts,
 * the DECISION_RECORDED audit event and the requester's email. For each task on the index whose claim
 * is older than `minAgeSeconds` (longer than record-decision can run, so a live decision is never
 * raced), or was claimed before the local runtime restarted, the sweep resumes where the crash was:
 *   not delivered → SendTaskSuccess with the kept output
 *     accepted                → DECISION_DELIVERED_BY_RECOVERY, mark delivered
 *     TaskTimedOut / TaskDoesNotExist / InvalidToken (the wait is over): either the step timed out,
 *       or the earlier SendTaskSuccess landed and only its mark was lost. The store decides (waitEnded):
 *       the decision's DECISION_RECORDED is in the audit trail, or the step's deadline is still ahead
 *       (nothing but a decision ends the wait before it) → delivered earlier; otherwise → too late,
 *       as decide() handles it (task TIMED_OUT, DECISION_TOO_LATE), nothing delivered
 *     anything else (throttling, outage) → left for the next sweep
 *   delivered → the follow-up, skipping what the audit trail shows as done (facts, audit event), the
 *     requester's email behind its latch (sent again only when the latch was taken and never marked
 *     sent: the sender died around the send, so a duplicate is possible, a loss is not)
 *     → DECISION_FOLLOW_UP_BY_RECOVERY (once) when
 *     the sweep finished it for a decision delivered earlier → mark followed up (off the index).
 * Each recovery is logged at warn level; a failure at error level (the operators' alarm), and the
 * sweep goes on. A failing store is a TransientError: the sweep stops and the next one continues.
 */

import type { SFNClient } from '@aws-sdk/client-sfn';
import { errorName } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import type { RequestStore } from '../requests/index.ts';
import type { TaskStore } from '../tasks/index.ts';
import {
  afterDecision,
  decisionAudited,
  decisionLabel,
  deliverDecision,
  type FollowUpDeps,
  recordTooLate,
} from '../tasks/index.ts';
import type { AuditEvent, DecisionDelivery, RequestRecord, TaskRecord } from '../workflow/index.ts';
import { cutOff } from './request-recovery.ts';
import { sweepEach } from './sweep-each.ts';

/** Longer than record-decision can run (its Lambda timeout, 30 s), so a live decision is never raced. */
export const DEFAULT_DECISION_MIN_AGE_SECONDS = 60;
/** Decisions per sweep, the oldest first; the rest wait for the next sweep. */
export const DEFAULT_DECISION_SWEEP_LIMIT = 50;
/**
 * Step Functions' own timeout of a human step starts when the state is entered, a moment before
 * assign-task computes the task's expiresAt. Within this margin of expiresAt the wait may have timed
 * out already, so the deadline no longer proves that a decision ended it.
 */
export const DEADLINE_MARGIN_MS = 60 * 60_000;
export const DELIVERED_BY_RECOVERY = 'DECISION_DELIVERED_BY_RECOVERY';
export const FOLLOW_UP_BY_RECOVERY = 'DECISION_FOLLOW_UP_BY_RECOVERY';

export interface DecisionRecoveryDeps extends Omit<FollowUpDeps, 'store'> {
  store: FollowUpDeps['store'] &
    Pick<
      TaskStore,
      'listUndeliveredTasks' | 'getTask' | 'markTaskDelivered' | 'markTaskFollowedUp' | 'markTaskTimedOut'
    > &
    Pick<RequestStore, 'getRequest' | 'listAudit'>;
  sfn: Pick<SFNClient, 'send'>;
}

export interface DecisionRecoveryOptions {
  minAgeSeconds?: number;
  limit?: number;
  /**
   * The local runtime restarted then: a decision claimed before it was a dead process's, so it is
   * finished at once instead of after the minute's cut-off (as the request and outbox sweeps do).
   */
  restartedAt?: Date;
}

/** Task ids by what the sweep did with them. */
export interface DecisionRecoveryResult {
  /** Delivered to Step Functions now, and followed up. */
  delivered: string[];
  /** Delivered before (by the decision itself); the sweep finished the follow-up. */
  followedUp: string[];
  /** Step Functions had stopped waiting before the decision reached it: DECISION_TOO_LATE. */
  tooLate: string[];
  /** Not finished now (logged at error level); the next sweep tries again. */
  failed: string[];
}

export async function finishUndeliveredDecisions(
  deps: DecisionRecoveryDeps,
  {
    minAgeSeconds = DEFAULT_DECISION_MIN_AGE_SECONDS,
    limit = DEFAULT_DECISION_SWEEP_LIMIT,
    restartedAt,
  }: DecisionRecoveryOptions = {},
): Promise<DecisionRecoveryResult> {
  const decidedBefore = cutOff(deps.now(), minAgeSeconds, restartedAt);
  const listed = await deps.store.listUndeliveredTasks(decidedBefore, limit);
  return sweepEach(listed, {
    outcomes: ['delivered', 'followedUp', 'tooLate'],
    limit,
    identify: ({ taskId }) => ({ id: taskId, logFields: { taskId } }),
    recover: ({ taskId }) => recoverDecision(deps, taskId, decidedBefore),
    failureMessage: 'Could not finish a claimed decision; the next sweep tries again',
    summaryMessage: 'Undelivered decisions swept',
  });
}

type Claimed = TaskRecord & { status: 'DECIDED'; decidedAt: string; delivery: DecisionDelivery };

/** One claimed decision: what its decide() left undone. Undefined when nothing is left. */
async function recoverDecision(
  deps: DecisionRecoveryDeps,
  taskId: string,
  staleBefore: string,
): Promise<keyof DecisionRecoveryResult | undefined> {
  // Read again: the index is eventually consistent, and the decision may have finished meanwhile.
  const task = await deps.store.getTask(taskId);
  if (!isClaimed(task) || task.followedUpAt) return undefined;
  const request = await deps.store.getRequest(task.requestId);
  if (!request) throw new Error(`Request ${task.requestId} of task ${taskId} does not exist`);
  const { decision, origin } = task.delivery;
  const label = decisionLabel(decision.output.decision);
  const audit = await deps.store.listAudit(task.requestId);
  const claim = { decidedAt: task.decidedAt, at: deps.now().toISOString() };

  let deliveredNow = false;
  if (!task.deliveredAt) {
    const delivery = await deliverInterrupted(task, request, audit, deps);
    if (delivery === 'failed' || delivery === 'tooLate') return delivery;
    deliveredNow = delivery === 'delivered';
    if (deliveredNow) {
      await auditRecovery(task, audit, deps, {
        type: DELIVERED_BY_RECOVERY,
        summary: `A decision (${label}) interrupted before it reached the workflow was delivered by the recovery sweep`,
      });
    }
    // A lost mark is harmless: the next sweep meets "wait over" and finds the decision delivered.
    await deps.store.markTaskDelivered(taskId, claim);
  }

  // What the trail already shows is not written twice (the facts, the DECISION_RECORDED event).
  const { incomplete, emailPending } = await afterDecision(task, request, decision, origin, deps, {
    audit,
    // A latch as old as the claims the sweep takes, never marked sent, is a dead sender's (a kill
    // between the latch and SES): the email is sent now rather than lost. A younger one may be another
    // sweep's, sending now.
    staleLatchBefore: staleBefore,
  });
  const log = { taskId, requestId: task.requestId, kind: task.kind };
  if (incomplete.length || emailPending) {
    logger.error('Decision follow-up still incomplete after the recovery sweep; the next sweep tries again', {
      ...log,
      incomplete,
      emailPending,
    });
    return 'failed';
  }
  if (!deliveredNow) {
    await auditRecovery(task, await deps.store.listAudit(task.requestId), deps, {
      type: FOLLOW_UP_BY_RECOVERY,
      summary: `The follow-up of a decision (${label}) that was interrupted after it reached the workflow was finished by the recovery sweep`,
    });
    logger.warn('Decision followed up by the recovery sweep', log);
  }
  await deps.store.markTaskFollowedUp(taskId, claim);
  return deliveredNow ? 'delivered' : 'followedUp';
}

/**
 * Delivers a claimed decision that never reached Step Functions: 'delivered' now, 'delivered-before'
 * (the wait is over because this very decision ended it), 'tooLate' (the step timed out first) or
 * 'failed' (the next sweep tries again).
 */
async function deliverInterrupted(
  task: Claimed,
  request: RequestRecord,
  audit: readonly AuditEvent[],
  deps: DecisionRecoveryDeps,
): Promise<'delivered' | 'delivered-before' | 'tooLate' | 'failed'> {
  const log = { taskId: task.taskId, requestId: task.requestId, kind: task.kind };
  const { decision, origin } = task.delivery;
  let waitOver: string | undefined;
  try {
    ({ waitOver } = await deliverDecision(task, decision.output, deps.sfn));
  } catch (error) {
    logger.error('Decision not delivered by the recovery sweep; the next sweep tries again', {
      ...log,
      errorName: errorName(error),
    });
    return 'failed';
  }
  if (!waitOver) {
    logger.warn('Decision delivered by the recovery sweep', log);
    return 'delivered';
  }
  if (waitEnded(task, request, audit, deps.now()) === 'timed-out') {
    logger.warn('Decision recovered too late: its step had stopped waiting', { ...log, errorName: waitOver });
    await recordTooLate(
      task,
      decision.output,
      waitOver,
      origin,
      deps.store,
      `A decision (${decisionLabel(decision.output.decision)}) was interrupted before it reached the workflow, and the step had stopped waiting when the recovery sweep delivered it; nothing was recorded`,
    );
    return 'tooLate';
  }
  logger.warn('Decision had been delivered before the crash; the sweep follows it up', {
    ...log,
    errorName: waitOver,
  });
  return 'delivered-before';
}

/** Audits what the sweep did for a decision, once (a later sweep finds the event and writes none). */
async function auditRecovery(
  task: Claimed,
  audit: readonly AuditEvent[],
  deps: Pick<DecisionRecoveryDeps, 'store'>,
  event: { type: string; summary: string },
): Promise<void> {
  if (audit.some((e) => e.type === event.type && e.detail?.taskId === task.taskId)) return;
  const { decision } = task.delivery.decision.output;
  await deps.store.appendAudit({
    requestId: task.requestId,
    sopStep: task.sopStep,
    ...event,
    actor: 'workflow',
    detail: { kind: task.kind, taskId: task.taskId, decision, decidedAt: task.decidedAt },
  });
}

function isClaimed(task: TaskRecord | undefined): task is Claimed {
  return task?.status === 'DECIDED' && task.decidedAt !== undefined && task.delivery !== undefined;
}

/**
 * Step Functions says the wait is over: did this decision end it (its SendTaskSuccess landed, only
 * the "delivered" mark was lost), or did the step time out (or the execution stop) first? AWS
 * answers an already-answered token like a timed-out one, so the store decides:
 *   - this task's DECISION_RECORDED is in the audit trail → delivered;
 *   - the step's deadline is still ahead (with a margin) and the workflow did not stop with an error
 *     → delivered: before its deadline nothing but a decision ends a human step's wait;
 *   - otherwise → timed out. Past the deadline, a delivered decision whose audit event and marks were
 *     all lost is indistinguishable from a timeout in what the store keeps; the sweep runs every 15
 *     minutes and steps wait 7-21 days, so that needs the sweep to fail for the whole wait.
 */
export function waitEnded(
  task: TaskRecord,
  request: RequestRecord,
  audit: readonly AuditEvent[],
  now: Date,
): 'delivered' | 'timed-out' {
  if (decisionAudited(audit, task.taskId)) return 'delivered';
  const deadlineAhead = now.getTime() + DEADLINE_MARGIN_MS < Date.parse(task.expiresAt);
  if (deadlineAhead && request.status !== 'ERROR') return 'delivered';
  return 'timed-out';
}
