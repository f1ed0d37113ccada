/**
 * When a reply link's wait is over although its own expiry has not passed. A question's reply link
 * (kind `answer`, /replies/{id}) is one wait of the workflow: once the workflow has moved on from it —
 * the wait timed out and the review that asked was assigned again without an answer — the link can
 * change nothing, so its page must not offer the form and its POST must not be claimed.
 *
 * In AWS the link's `expiresAt` and the wait's TimeoutSeconds end together. Locally the clock that
 * drives the wait (POST /_local/clock) runs ahead of the handlers' clock, so `expiresAt` alone would
 * still show the form; the audit trail says the workflow moved on in both places. The link checks of
 * task-service.ts (openTask, decide) ask this for every open link, so a reply link past its wait
 * answers `expired` (410) and its POST is never claimed.
 */

import type { RequestStore } from '../requests/index.ts';
import type { AuditEvent, TaskRecord } from '../workflow/index.ts';

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
  store: Pick<RequestStore, 'listAudit'>,
): Promise<boolean> {
  if (task.kind !== 'answer' || task.status !== 'PENDING') return false;
  return workflowMovedOn(task, await store.listAudit(task.requestId));
}
