/**
 * Bounces and complaints (issue 24): what SES reports about emails after sending them, the
 * suppression list the mailer respects, and the audit events a request's task pages show.
 */
export {
  type MailEventOutcome,
  type RecordMailEventDeps,
  recordMailEvent,
  SES_EVENT_DETAIL_TYPES,
  type SesMailEvent,
  sesMailEventSchema,
} from './mail-events.ts';
export { BounceStore } from './store.ts';
export { type RecordSuppressedDeps, recordSuppressed } from './suppressed.ts';
