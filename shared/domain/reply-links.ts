/**
 * When a reply link's wait is over although its own expiry has not passed. A question's reply link
 * (kind `answer`, /replies/{id}) is one wait of the workflow: once the workflow has moved on from it —
 * the wait timed out and the review that asked was assigned again without an answer — the link can
 * change nothing, so its page must not offer the form and its POST must not be claimed.
 *
 * In AWS the link's `expiresAt` and the wait's TimeoutSeconds end together. Locally the clock that
 * drives the wait (POST /_local/clock) runs ahead of the handlers' clock, so `expiresAt` alone would
 * still show the form; the audit trail says the workflow moved on in both places.
 */
import type { AuditEvent, TaskRecord } from '../store/records.ts';
import type { WorkflowStore } from '../store/store.ts';
import { isTaskId } from './task-links.ts';
import { checkLink, type LinkProblem } from './task-service.ts';

/** A later task or question of the request: the execution no longer waits for this reply. */
export function workflowMovedOn(task: TaskRecord, events: readonly AuditEvent[]): boolean {
  return events.some(
    (e) =>
      (e.type === 'TASK_ASSIGNED' || e.type === 'QUESTION_SENT') &&
      e.at >= task.createdAt &&
      e.detail?.taskId !== task.taskId,
  );
}

/** True for a pending reply task whose request has since been given another task or question. */
export async function replyWaitOver(
  task: TaskRecord,
  store: Pick<WorkflowStore, 'listAudit'>,
): Promise<boolean> {
  if (task.kind !== 'answer' || task.status !== 'PENDING') return false;
  return workflowMovedOn(task, await store.listAudit(task.requestId));
}

/**
 * Before an answer is claimed: an open reply link whose wait is over answers `expired` (410) and
 * writes nothing. Any other link is left to decide(), so a wrong secret still learns nothing.
 */
export async function expiredReply(
  replyId: string,
  secret: string | undefined,
  deps: { store: Pick<WorkflowStore, 'getTask' | 'listAudit'>; now: () => Date },
): Promise<Extract<LinkProblem, { state: 'expired' }> | undefined> {
  const task = isTaskId(replyId) ? await deps.store.getTask(replyId) : undefined;
  const link = checkLink(task, secret, deps.now(), 'reply');
  if (link.state !== 'open' || !(await replyWaitOver(link.task, deps.store))) return undefined;
  return { state: 'expired', task: link.task };
}
