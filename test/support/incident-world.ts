/**
 * The fakes a data-incident report runs against (shared/stewardship/incidents.ts): a registry of the
 * given entries, and the incidents stored, the audit events appended and the executions started,
 * for the test to read.
 */
import { parseIncidentClocks } from '#shared/stewardship/clocks.ts';
import type { ReportIncidentDeps } from '#shared/stewardship/incidents.ts';
import type { IncidentRecord, RegistryEntry } from '#shared/workflow/index.ts';

export function incidentWorld(entries: readonly RegistryEntry[], now: () => Date) {
  const stored: IncidentRecord[] = [];
  const audit: { actor: string; at?: string }[] = [];
  const started: unknown[] = [];
  const deps = {
    store: {
      getRegistryEntry: async (id: string) => entries.find((e) => e.resourceId === id),
      createIncident: async (i: IncidentRecord) => {
        stored.push(i);
      },
      appendAudit: async (e: { actor: string; at?: string }) => {
        audit.push(e);
        return { ...e, at: e.at ?? now().toISOString() };
      },
    },
    stewardship: {
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:resource-stewardship',
      sfn: {
        send: async (command: { input: unknown }) => {
          started.push(command.input);
          return {};
        },
      },
    },
    clocks: parseIncidentClocks(undefined),
    now,
  };
  // The SFN client's send is typed for every command; the fake records the one it gets.
  return { deps: deps as unknown as ReportIncidentDeps, stored, audit, started };
}
