/** What a task's email and page say beyond the request's facts. */
import type { TaskContext } from '../mail/task-email.ts';
import type { WorkflowStore } from '../store/store.ts';
import type { TaskKind } from './task-kinds.ts';

/** Why a replacement is sought (SOP 11): the technical review's comment, from the audit trail. */
export async function taskContext(
  kind: TaskKind,
  requestId: string,
  store: Pick<WorkflowStore, 'listAudit'>,
): Promise<TaskContext> {
  if (kind !== 'replacement') return {};
  const events = await store.listAudit(requestId);
  const review = events.findLast(
    (e) => e.type === 'DECISION_RECORDED' && e.detail?.kind === 'technical-review',
  );
  const comment = review?.detail?.comment;
  return typeof comment === 'string' && comment ? { replacementReason: comment } : {};
}
