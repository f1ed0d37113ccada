/**
 * Stewardship of approved resources (docs/design.md "Monitoring"): data incidents and their notice
 * clocks, and the deletion of students' data when a resource is no longer approved. What other
 * features, handlers and the local runtime may use; handlers import a file directly (lean bundles).
 */
export {
  clockDates,
  DEFAULT_INCIDENT_CLOCKS,
  type IncidentClock,
  parseIncidentClocks,
  readIncidentClocks,
} from './clocks.ts';
export {
  type StewardshipInput,
  type StewardshipStarter,
  startStewardship,
  stewardshipExecutionName,
} from './executions.ts';
export {
  INCIDENT_LINK_DAYS,
  type IncidentLinkRecord,
  IncidentLinkStore,
  incidentLinkUrl,
  MAX_REPORTS_PER_INCIDENT_LINK,
} from './incident-links.ts';
export { IncidentStore, MAX_LISTED_INCIDENTS } from './incident-store.ts';
export { type FinishIncidentDeps, finishIncidentReport, INCIDENT_SOP_STEP } from './incidents.ts';
