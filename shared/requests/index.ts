/**
 * Requests (SOP 1-2, 6, 16): submission, the request store and audit trail, and the requester's emails.
 * What other features may use of it; handlers and tests import a file directly (lean bundles).
 */
export { oneLine } from './emails/outcome-email.ts';
export type { RequestStore } from './store.ts';
export {
  acknowledgeOnce,
  executionArnFor,
  hashRequest,
  type SubmissionDeps,
  startWorkflow,
  submittedAuditEvent,
} from './submission.ts';
