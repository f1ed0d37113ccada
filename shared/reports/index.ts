/**
 * Technology Services sees the process (issue 21): the aggregates the steps keep as they happen, and
 * the figures read from them. What other features may use.
 */

export { type DigestDeps, type DigestResult, isoWeek, sendWeeklyDigest } from './digest.ts';
export { type ReportCounts, reportDecision, reportOutcome, reportReuse, reportSubmitted } from './record.ts';
export { type Outcome, ReportStore } from './store.ts';
export { type ReportDeps, type ReportSummary, reportSummary } from './summary.ts';
