/**
 * Incident recovery (SOP 4, student data incidents): an incident that was stored but whose review
 * never started (report-incident died, or DynamoDB or Step Functions failed, between the incident write
 * and StartExecution, and the reporter did not send the report again) gets its review started by a
 * sweep, run with the request recovery sweep (recover-requests: every 15 minutes on AWS, at start and
 * every few minutes locally).
 *
 * The incident sits in GSI1's INCIDENT_UNSTARTED partition from createIncident until
 * markIncidentReviewStarted (shared/stewardship/incidents.ts finishIncidentReport marks it last), so
 * the sweep reads exactly the incidents to finish. For each one reported before the cut-off (older
 * than `minAgeSeconds`, longer than report-incident can run, so a live report is never raced; or before
 * the local runtime restarted) it reads the incident again (the index is eventually consistent) and
 * does what the report would have done next, with the same function: the INCIDENT_REPORTED audit event
 * (once), StartExecution of the incident-review (named by the incident), the mark.
 *
 * An incident whose review cannot be started now is logged at error level (the operators' alarm) and
 * stays for the next sweep; the others go on. A failing store is a TransientError: the sweep stops and
 * the next one continues.
 */
import { errorName } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import {
  type FinishIncidentDeps,
  finishIncidentReport,
  INCIDENT_SOP_STEP,
  type IncidentStore,
} from '../stewardship/index.ts';
import type { IncidentRecord } from '../workflow/index.ts';
import { cutOff } from './request-recovery.ts';
import { sweepEach } from './sweep-each.ts';

export const INCIDENT_RECOVERY_AUDIT_TYPE = 'INCIDENT_REVIEW_STARTED_BY_RECOVERY';

/** Longer than report-incident can run (its Lambda timeout), so the sweep never races a live report. */
export const DEFAULT_INCIDENT_MIN_AGE_SECONDS = 60;
/** Incidents per sweep, the oldest first; the rest wait for the next sweep. */
export const DEFAULT_INCIDENT_SWEEP_LIMIT = 50;

export interface IncidentRecoveryDeps extends FinishIncidentDeps {
  store: FinishIncidentDeps['store'] & Pick<IncidentStore, 'listUnstartedIncidentReviews' | 'getIncident'>;
}

export interface IncidentRecoveryOptions {
  minAgeSeconds?: number;
  limit?: number;
  /** The local runtime restarted then: an incident stored before it is a dead report's, whatever its age. */
  restartedAt?: Date;
}

/** Incident ids by what the sweep did with them. */
export interface IncidentRecoveryResult {
  /** Their review was started now (or had been, unrecorded, by the interrupted report). */
  started: string[];
  /** Not started now (logged at error level); the next sweep tries again. */
  failed: string[];
}

export async function startUnstartedIncidentReviews(
  deps: IncidentRecoveryDeps,
  {
    minAgeSeconds = DEFAULT_INCIDENT_MIN_AGE_SECONDS,
    limit = DEFAULT_INCIDENT_SWEEP_LIMIT,
    restartedAt,
  }: IncidentRecoveryOptions = {},
): Promise<IncidentRecoveryResult> {
  const reportedBefore = cutOff(deps.now(), minAgeSeconds, restartedAt);
  const listed = await deps.store.listUnstartedIncidentReviews(reportedBefore, limit);
  return sweepEach(listed, {
    outcomes: ['started'],
    limit,
    identify: ({ incidentId }) => ({ id: incidentId, logFields: { incidentId } }),
    recover: ({ incidentId }) => recoverIncident(deps, incidentId),
    failureMessage: 'Could not start the review of a stored data incident; the next sweep tries again',
    summaryMessage: 'Unstarted incident reviews swept',
  });
}

/** One incident: the report's remaining steps. Undefined when nothing is left to do. */
async function recoverIncident(
  deps: IncidentRecoveryDeps,
  incidentId: string,
): Promise<'started' | undefined> {
  // Read again: the index is eventually consistent, and the report may have finished meanwhile.
  const incident = await deps.store.getIncident(incidentId);
  if (!incident || (await finishIncidentReport(incident, deps)) === 'already-started') return undefined;
  await auditRecoveredStart(incident, deps);
  logger.warn('Review of a data incident started by the recovery sweep', {
    incidentId,
    requestId: incident.requestId,
    reportedAt: incident.reportedAt,
  });
  return 'started';
}

/**
 * The request's audit trail says the review started late, and why. Written once: the incident is
 * marked started before, so no later sweep comes back to it. Best effort: a failure is logged, the
 * review runs.
 */
async function auditRecoveredStart(incident: IncidentRecord, deps: IncidentRecoveryDeps): Promise<void> {
  try {
    await deps.store.appendAudit({
      requestId: incident.requestId,
      sopStep: INCIDENT_SOP_STEP,
      type: INCIDENT_RECOVERY_AUDIT_TYPE,
      summary: `The review of the data incident reported on ${incident.reportedAt} was started by the recovery sweep (its report was interrupted before the review started)`,
      actor: 'workflow',
      detail: { incidentId: incident.incidentId },
    });
  } catch (error) {
    logger.error('Could not audit the recovered start of an incident review', {
      incidentId: incident.incidentId,
      errorName: errorName(error),
    });
  }
}
