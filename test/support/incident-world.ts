/**
 * The fakes a data-incident report runs against (shared/stewardship/incidents.ts): a registry of the
 * given entries, and the incidents stored (by id: the same id again returns the stored one, as
 * IncidentStore does), the audit events appended and the executions started, for the test to read;
 * and, for the tests of exactly once, the stewardship machine's executions by name and a report's deps
 * over a real table. Also the resources reported on and a staff member's report.
 */
import { ExecutionAlreadyExists, type StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach } from 'vitest';
import { parseIncidentClocks } from '#shared/stewardship/clocks.ts';
import type { StewardshipStarter } from '#shared/stewardship/executions.ts';
import type { IncidentStore } from '#shared/stewardship/incident-store.ts';
import type { IncidentReporter, ReportIncidentDeps } from '#shared/stewardship/incidents.ts';
import type { WorkflowStore } from '#shared/store.ts';
import type { IncidentRecord, RegistryEntry } from '#shared/workflow/index.ts';
import { type DynaliteTable, startDynaliteTable } from './dynalite-table.ts';

/** A resource the registry lists as approved in June by its request (the request an incident is audited on). */
function approvedResource(
  resourceId: string,
  resourceName: string,
  vendorName: string,
  requestId: string,
): RegistryEntry & { requestId: string } {
  return {
    resourceId,
    resourceName,
    vendorName,
    status: 'APPROVED',
    statusDate: '2026-06-01T00:00:00.000Z',
    source: 'workflow',
    requestId,
    requestIds: [requestId],
  };
}

/** The resource staff report on. */
export const LEDGER_QUEST = approvedResource(
  'ledgerly#ledger quest',
  'Ledger Quest',
  'Ledgerly',
  'SR-20260601-LEDGER01',
);
/** The resource whose vendor reports (through its incident link). */
export const ABACUS_TUTOR = approvedResource(
  'abacus-tutor-0123456789ab',
  'Abacus Tutor',
  'Numeracy Co',
  'SR-20260601-ABACUS01',
);

/** A complete, valid report on Ledger Quest, as a staff member sends it. */
export const LEDGER_QUEST_REPORT = {
  resourceId: LEDGER_QUEST.resourceId,
  reportedOn: '2026-11-20',
  description: 'Rosters exported by a compromised account',
  studentsAffected: 42,
  dataElements: ['Student name', 'Grade level'],
};
/** The staff member who reports, signed in. */
export const STAFF_REPORTER: IncidentReporter = {
  via: 'sso',
  name: 'Pat Teacher',
  email: 'pat@district.example.org',
};

export function incidentWorld(entries: readonly RegistryEntry[], now: () => Date) {
  const stored: IncidentRecord[] = [];
  const audit: { actor: string; at?: string }[] = [];
  const started: unknown[] = [];
  const deps = {
    store: {
      getRegistryEntry: async (id: string) => entries.find((e) => e.resourceId === id),
      getIncident: async (id: string) => stored.find((s) => s.incidentId === id),
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
  return {
    deps: deps as unknown as ReportIncidentDeps & { store: Pick<IncidentStore, 'getIncident'> },
    stored,
    audit,
    started,
  };
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
    /** No execution and no failure to come, as a new machine. */
    reset() {
      executions.clear();
      failures = 0;
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

/**
 * For the tests of a report's review started exactly once: a real table (dynalite) started for each
 * test and stopped after it, the stewardship machine (as new for each test), reports on `entry`, and a
 * clock the test moves (`now`). What a test reads: the incidents whose review has not started, and the
 * INCIDENT_REPORTED events on the entry's request.
 */
export function useIncidentTable(entry: RegistryEntry, now: () => Date) {
  const machine = stewardshipMachine();
  let started: DynaliteTable | undefined;
  beforeEach(async () => {
    started = await startDynaliteTable(now);
    machine.reset();
  });
  afterEach(async () => started?.stop());

  /** This test's table. */
  const table = {
    get store(): WorkflowStore {
      if (!started) throw new Error('the table starts before each test: read it inside a test or hook');
      return started.store;
    },
  };
  return {
    table,
    machine,
    /** reportIncident's deps over this table, its registry holding `entry`. */
    reportDeps: () => incidentTableDeps(table.store, [entry], machine.starter, now),
    unstarted: async () =>
      (await table.store.listUnstartedIncidentReviews('9999', 100)).map((i) => i.incidentId),
    reportedEvents: async () =>
      (await table.store.listAudit(entry.requestId ?? '')).filter((e) => e.type === 'INCIDENT_REPORTED'),
  };
}
