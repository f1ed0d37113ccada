/**
 * Human steps (SOP 3-15): the task store, decisions, their delivery to Step Functions and follow-up.
 * What other features may use of it; handlers and tests import a file directly (lean bundles).
 */
export { afterDecision, decisionAudited, type FollowUpDeps } from './decision-follow-up.ts';
export { decisionLabel } from './decisions/labels.ts';
export { deliverDecision, recordTooLate } from './delivery.ts';
export type { TaskStore } from './store.ts';
export { hashSecret, isTaskId, newTaskId, newTaskSecret, secretMatches } from './task-links.ts';
