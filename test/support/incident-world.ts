/**
 * The fakes a data-incident report runs against (shared/stewardship/incidents.ts): a registry of the
 * given entries, and the incidents stored (by id: the same id again returns the stored one, as
 * IncidentStore does), the audit events appended and the executions started, for the test to read;
 * and, for the tests of exactly once, the stewardship machine's executions by name and a report's deps
 * over a real table.
 */
import { ExecutionAlreadyExists, type StartExecutionCommand } from '@aws-sdk/client-sfn';
import { parseIncidentClocks } from '#shared/stewardship/clocks.ts';
import type { StewardshipStarter } from '#shared/stewardship/executions.ts';
import type { ReportIncidentDeps } from '#shared/stewardship/incidents.ts';
import type { WorkflowStore } from '#shared/store.ts';
import type { IncidentRecord, RegistryEntry } from '#shared/workflow/index.ts';

export function incidentWorld(entries: readonly RegistryEntry[], now: () => Date) {
  const stored: IncidentRecord[] = [];
  const audit: { actor: string; at?: string }[] = [];
  const started: unknown[] = [];
  const deps = {
    store: {
      getRegistryEntry: async (id: string) => entries.find((e) => e.resourceId === id),
      createIncident: async (i: IncidentRecord) => {
        const found = stored.find((s) => s.incidentId === i.incidentId);
        if (found) return { created: false, incident: found };
        stored.push(i);
        return { created: true, incident: i };
      },
      markIncidentReviewStarted: async (incidentId: string, at: string) => {
        const found = stored.find((s) => s.incidentId === incidentId);
        if (found) found.reviewStartedAt ??= at;
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

/**
 * The resource-stewardship machine as Step Functions keeps it: executions by name (the same name again
 * is ExecutionAlreadyExists), and StartExecution failing `failures` times (throttled) when told to.
 */
export function stewardshipMachine() {
  const executions = new Map<string, { kind: string; incidentId?: string }>();
  let failures = 0;
  const starter: StewardshipStarter = {
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:resource-stewardship',
    sfn: {
      send: (async (command: StartExecutionCommand) => {
        if (failures > 0) {
          failures -= 1;
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} });
        }
        const name = command.input.name ?? '';
        if (executions.has(name)) {
          throw new ExecutionAlreadyExists({ message: `Execution ${name} already exists`, $metadata: {} });
        }
        executions.set(name, JSON.parse(command.input.input ?? '{}'));
        return { executionArn: `${command.input.stateMachineArn}:${name}`, startDate: new Date() };
      }) as StewardshipStarter['sfn']['send'],
    },
  };
  return {
    starter,
    executions,
    /** The next `count` StartExecution calls fail (a throttled or unavailable Step Functions). */
    failNext(count = 1) {
      failures = count;
    },
  };
}

/** reportIncident's deps over a real table (dynalite): the registry of `entries`, incidents and audit stored. */
export function incidentTableDeps(
  store: WorkflowStore,
  entries: readonly RegistryEntry[],
  stewardship: StewardshipStarter,
  now: () => Date,
): ReportIncidentDeps {
  return {
    store: {
      getRegistryEntry: async (id: string) => entries.find((e) => e.resourceId === id),
      createIncident: (incident) => store.createIncident(incident),
      appendAudit: (event, options) => store.appendAudit(event, options),
      markIncidentReviewStarted: (incidentId, at) => store.markIncidentReviewStarted(incidentId, at),
    },
    stewardship,
    clocks: parseIncidentClocks(undefined),
    now,
  };
}
