/**
 * A student data incident is reported (POST /incidents): checked, kept, written into the audit trail of
 * the resource's approving request, and handed to Cybersecurity as an `incident-review` task with the
 * state notice clocks (cdk.json incidentClocks) counted from the incident's date. The public list shows
 * it (date, data elements, students affected; never the description, which may name students).
 *
 * Exactly once (docs/design.md "Outbox"): the incident's id is the report's (a hash of who reports and
 * what), so the same report sent again (the reporter saw an error and submits the form again) finds
 * the stored incident instead of filing a second one, and finishes what the first attempt left. The
 * incident is stored findable as unstarted (IncidentStore) until its review is started, so a report
 * whose function died before StartExecution, and that nobody sends again, is finished by the recovery
 * sweep (shared/recovery/incident-recovery.ts) with the same finishIncidentReport.
 */
import { createHash } from 'node:crypto';
import { ConflictError, type FieldError } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import type { RegistryStore } from '../registry/index.ts';
import type { RequestStore } from '../requests/index.ts';
import type { AuditEvent, IncidentRecord } from '../workflow/index.ts';
import { clockDates, type IncidentClock } from './clocks.ts';
import { type StewardshipStarter, startStewardship } from './executions.ts';
import { type IncidentInput, parseIncidentInput } from './incident-input.ts';
import type { IncidentStore } from './incident-store.ts';

/** Who reports: a signed-in person, or the vendor through the link its DPA email carried. */
export type IncidentReporter =
  | { via: 'sso'; name: string; email: string | null }
  | { via: 'vendor-link'; name: string; email: string; requestId: string };

/** What finishing a stored report needs: reportIncident, and the recovery sweep. */
export interface FinishIncidentDeps {
  store: Pick<IncidentStore, 'markIncidentReviewStarted'> & Pick<RequestStore, 'appendAudit'>;
  stewardship: StewardshipStarter;
  now: () => Date;
}

export interface ReportIncidentDeps extends FinishIncidentDeps {
  store: FinishIncidentDeps['store'] &
    Pick<RegistryStore, 'getRegistryEntry'> &
    Pick<IncidentStore, 'createIncident'>;
  clocks: readonly IncidentClock[];
}

export type ReportIncidentResult =
  | { state: 'invalid'; errors: FieldError[] }
  | { state: 'reported'; incident: IncidentRecord };

/** What makes two reports the same report: who reports, on what resource, and what they say. */
type ReportFacts = Pick<
  IncidentRecord,
  'reportedBy' | 'resourceId' | 'reportedOn' | 'description' | 'studentsAffected' | 'dataElements'
>;

/**
 * The facts in one canonical form: the reporter by address (by name when there is none), line ends
 * and the order of the data elements not counting (a form sends CRLF, JSON may send LF).
 */
function canonicalReport(report: ReportFacts): unknown[] {
  const { via, email, name } = report.reportedBy;
  return [
    via,
    email ? `email:${email.toLowerCase()}` : `name:${name}`,
    report.resourceId,
    report.reportedOn,
    report.description.replace(/\r\n?/g, '\n'),
    report.studentsAffected,
    [...report.dataElements].sort(),
  ];
}

/**
 * The incident's id: `inc-` and 12 characters of the sha256 (base64url, `_` as `-`) of the canonical
 * report and, for a vendor's link, the link's request. Shown only to the reporter (the answer, the
 * confirmation page), to Cybersecurity (task email and page) and in the request's audit record, all of
 * which show the description itself; never on the public list. So the hash of the description in it
 * tells no one anything they cannot read beside it, and it needs no key.
 */
export function incidentIdFor(report: Omit<ReportFacts, 'reportedBy'>, reporter: IncidentReporter): string {
  const { via, name, email } = reporter;
  const linkRequestId = reporter.via === 'vendor-link' ? reporter.requestId : null;
  const digest = createHash('sha256')
    .update(
      JSON.stringify([...canonicalReport({ ...report, reportedBy: { via, name, email } }), linkRequestId]),
    )
    .digest('base64url');
  return `inc-${digest.slice(0, 12).replace(/_/g, '-')}`;
}

/** The same reporter with the same facts (a stored incident met again under its id). */
export function sameReport(a: ReportFacts, b: ReportFacts): boolean {
  return JSON.stringify(canonicalReport(a)) === JSON.stringify(canonicalReport(b));
}

/** SOP has no step for incidents: Cybersecurity's data-privacy step (4) is where they are recorded. */
export const INCIDENT_SOP_STEP = 4;

export async function reportIncident(
  body: Record<string, unknown>,
  reporter: IncidentReporter,
  deps: ReportIncidentDeps,
): Promise<ReportIncidentResult> {
  const parsed = parseIncidentInput(body, deps.now());
  if (!parsed.ok) return { state: 'invalid', errors: parsed.errors };
  const input: IncidentInput = parsed.value;
  const entry = await deps.store.getRegistryEntry(input.resourceId);
  const invalid = (message: string): ReportIncidentResult => ({
    state: 'invalid',
    errors: [{ field: 'resourceId', message }],
  });
  if (!entry) return invalid('No resource with this id is in the registry');
  // The review task belongs to a request (its page shows the request's facts): an imported entry has none.
  if (!entry.requestId) {
    return invalid(
      'This resource was imported without a request on file: email the Cybersecurity team instead',
    );
  }
  // A vendor's link names its request: it reports on that request's resource only.
  const known = entry.requestIds ?? [entry.requestId];
  if (reporter.via === 'vendor-link' && !known.includes(reporter.requestId)) {
    return invalid('This link is for another resource');
  }
  const reportedAt = deps.now().toISOString();
  const reported: Omit<IncidentRecord, 'incidentId'> = {
    resourceId: entry.resourceId,
    resourceName: entry.resourceName,
    vendorName: entry.vendorName,
    requestId: entry.requestId,
    reportedOn: input.reportedOn,
    description: input.description,
    studentsAffected: input.studentsAffected,
    dataElements: input.dataElements,
    clocks: clockDates(input.reportedOn, deps.clocks),
    reportedAt,
    reportedBy: { name: reporter.name, email: reporter.email, via: reporter.via },
  };
  const incidentId = incidentIdFor(reported, reporter);
  const { created, incident } = await deps.store.createIncident({ incidentId, ...reported });
  // Two different reports with one id would need a sha256 collision in 72 bits: refused, not merged.
  if (!created && !sameReport(incident, reported)) {
    throw new ConflictError(`Incident ${incidentId} is stored with another report`);
  }
  if (!created) logger.warn('Data incident reported again: the stored one is finished', { incidentId });
  await finishIncidentReport(incident, deps);
  logger.info('Data incident reported', { incidentId, resourceId: incident.resourceId });
  return { state: 'reported', incident };
}

/**
 * What follows the stored incident, each step safe to repeat: the INCIDENT_REPORTED audit event (at the
 * incident's reportedAt under a key of its id, so a repeat finds the same item: Table.putOnce), the
 * incident-review execution (named by the incident: ExecutionAlreadyExists = started), then the mark
 * that takes the incident off the unstarted index (last: a failure before it leaves the incident for
 * the recovery sweep). An incident marked started is left alone: Step Functions forgets an execution's
 * name 90 days after it ends, and a late repeat must not start a second review.
 */
export async function finishIncidentReport(
  incident: IncidentRecord,
  deps: FinishIncidentDeps,
): Promise<'started' | 'already-started'> {
  if (incident.reviewStartedAt) return 'already-started';
  // Before the review starts: the review's email and page read the incident from this event.
  await deps.store.appendAudit(incidentReportedEvent(incident), { key: `incident-${incident.incidentId}` });
  await startStewardship(
    {
      kind: 'incident-review',
      requestId: incident.requestId,
      resourceId: incident.resourceId,
      incidentId: incident.incidentId,
    },
    deps.stewardship,
  );
  await deps.store.markIncidentReviewStarted(incident.incidentId, deps.now().toISOString());
  return 'started';
}

/** The audit event of a reported incident, from the stored incident alone (a repeat writes it equal). */
function incidentReportedEvent(incident: IncidentRecord): AuditEvent {
  const { name, email, via } = incident.reportedBy;
  return {
    requestId: incident.requestId,
    at: incident.reportedAt,
    sopStep: INCIDENT_SOP_STEP,
    type: 'INCIDENT_REPORTED',
    summary: `A student data incident on ${incident.resourceName} (${incident.reportedOn}) was reported by ${via === 'vendor-link' ? `its vendor (${email}) through the incident link of the DPA email` : name}`,
    actor: email ? `${name} (${email})` : name,
    detail: {
      // Who reported, as the audit record names an actor (a signed-in person, or the vendor's link).
      actor: { name, email, sub: null, via },
      incidentId: incident.incidentId,
      resourceId: incident.resourceId,
      reportedOn: incident.reportedOn,
      reportedBy: name,
      via,
      description: incident.description,
      studentsAffected: incident.studentsAffected,
      dataElements: incident.dataElements,
      clocks: incident.clocks,
    },
  };
}
