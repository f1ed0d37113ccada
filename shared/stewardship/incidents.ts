/**
 * A student data incident is reported (POST /incidents): checked, kept, written into the audit trail of
 * the resource's approving request, and handed to Cybersecurity as an `incident-review` task with the
 * state notice clocks (cdk.json incidentClocks) counted from the incident's date. The public list shows
 * it (date, data elements, students affected; never the description, which may name students).
 */
import { randomBytes } from 'node:crypto';
import type { FieldError } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import type { RegistryStore } from '../registry/index.ts';
import type { RequestStore } from '../requests/index.ts';
import type { IncidentRecord } from '../workflow/index.ts';
import { clockDates, type IncidentClock } from './clocks.ts';
import { type StewardshipStarter, startStewardship } from './executions.ts';
import { type IncidentInput, parseIncidentInput } from './incident-input.ts';
import type { IncidentStore } from './incident-store.ts';

/** Who reports: a signed-in person, or the vendor through the link its DPA email carried. */
export type IncidentReporter =
  | { via: 'sso'; name: string; email: string | null }
  | { via: 'vendor-link'; name: string; email: string; requestId: string };

export interface ReportIncidentDeps {
  store: Pick<RegistryStore, 'getRegistryEntry'> &
    Pick<IncidentStore, 'createIncident'> &
    Pick<RequestStore, 'appendAudit'>;
  stewardship: StewardshipStarter;
  clocks: readonly IncidentClock[];
  now: () => Date;
}

export type ReportIncidentResult =
  | { state: 'invalid'; errors: FieldError[] }
  | { state: 'reported'; incident: IncidentRecord };

export const newIncidentId = () => `inc-${randomBytes(9).toString('base64url').replace(/_/g, '-')}`;

/** SOP has no step for incidents: Cybersecurity's data-privacy step (4) is where they are recorded. */
const INCIDENT_SOP_STEP = 4;

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
  const incident: IncidentRecord = {
    incidentId: newIncidentId(),
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
  await deps.store.createIncident(incident);
  // Before the review starts: the review's email and page read the incident from this event.
  await deps.store.appendAudit({
    requestId: incident.requestId,
    at: reportedAt,
    sopStep: INCIDENT_SOP_STEP,
    type: 'INCIDENT_REPORTED',
    summary: `A student data incident on ${incident.resourceName} (${incident.reportedOn}) was reported by ${reporter.via === 'vendor-link' ? `its vendor (${reporter.email}) through the incident link of the DPA email` : reporter.name}`,
    actor: reporter.email ? `${reporter.name} (${reporter.email})` : reporter.name,
    detail: {
      // Who reported, as the audit record names an actor (a signed-in person, or the vendor's link).
      actor: { name: reporter.name, email: reporter.email, sub: null, via: reporter.via },
      incidentId: incident.incidentId,
      resourceId: incident.resourceId,
      reportedOn: incident.reportedOn,
      reportedBy: reporter.name,
      via: reporter.via,
      description: incident.description,
      studentsAffected: incident.studentsAffected,
      dataElements: incident.dataElements,
      clocks: incident.clocks,
    },
  });
  await startStewardship(
    {
      kind: 'incident-review',
      requestId: incident.requestId,
      resourceId: incident.resourceId,
      incidentId: incident.incidentId,
    },
    deps.stewardship,
  );
  logger.info('Data incident reported', { incidentId: incident.incidentId, resourceId: incident.resourceId });
  return { state: 'reported', incident };
}
