/**
 * What the workflow's steps tell the reports, as it happens. A count that cannot be written is logged
 * and skipped: the step it belongs to (a submission, a decision, an outcome) must not fail for a
 * figure. Each count is idempotent (store.ts), so a retried step counts once.
 */
import { errorName } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import type { TaskRecord } from '../workflow/index.ts';
import type { Outcome, ReportStore } from './store.ts';

export type ReportCounts = Pick<
  ReportStore,
  'countSubmitted' | 'countClosed' | 'countDecision' | 'countDenial' | 'countReuse'
>;

const DAY_MS = 86_400_000;

async function safely(what: string, count: () => Promise<unknown>): Promise<void> {
  try {
    await count();
  } catch (error) {
    logger.warn('Report figure not counted', { what, errorName: errorName(error) });
  }
}

export const reportSubmitted = (store: ReportCounts, requestId: string, submittedAt: string) =>
  safely('submission', () => store.countSubmitted(requestId, submittedAt));

/** A decided task: days from its assignment, within its service level or not. */
export const reportDecision = (store: ReportCounts, task: TaskRecord, decidedAt: string) =>
  safely('decision', () => {
    const days = (Date.parse(decidedAt) - Date.parse(task.createdAt)) / DAY_MS;
    const within = task.dueBy === undefined || decidedAt <= task.dueBy;
    return store.countDecision(task, decidedAt, days, within);
  });

/** A closed request: its outcome and lead time; a denial also by step and reason. */
export const reportOutcome = (
  store: ReportCounts,
  request: { requestId: string; createdAt: string },
  outcome: Outcome,
  closedAt: string,
  denial?: { sopStep: number; reason: string },
) =>
  safely('outcome', async () => {
    const lead =
      outcome === 'error' ? undefined : (Date.parse(closedAt) - Date.parse(request.createdAt)) / DAY_MS;
    await store.countClosed(request.requestId, outcome, closedAt, lead);
    if (denial) await store.countDenial(request.requestId, denial.sopStep, denial.reason, closedAt);
  });

export const reportReuse = (store: ReportCounts, requestId: string, at: string) =>
  safely('reused vetting', () => store.countReuse(requestId, at));
