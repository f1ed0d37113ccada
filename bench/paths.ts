/**
 * Each SOP path through the local runtime, counted from what it really did: state transitions and
 * history events (from the execution history), Lambda invocations (workflow tasks from the history,
 * API calls from the driver), DynamoDB requests (counted at the runtime's DynamoDB endpoint), emails
 * (the outbox), and priced with bench/prices.ts.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { type LocalRuntime, startLocalRuntime } from '../local/runtime.ts';
import { fieldOf, isRecord } from '../shared/core/guards.ts';
import { approveAll, Driver, type Policy, withOverrides } from './driver.ts';
import { PRICES_USD } from './prices.ts';

export interface PathFigure {
  name: string;
  outcome: string;
  transitions: number;
  historyEvents: number;
  lambdaInvocations: number;
  apiRequests: number;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
  emails: number;
  stepFunctionsUsd: number;
  variableUsd: number;
}

/** Assumptions where the local runtime cannot measure what AWS bills (stated in the README). */
export const ASSUMED = {
  /** Billed duration of an average invocation at the functions' 256 MB. */
  lambdaMsPerInvocation: 200,
  lambdaGb: 0.25,
  /** CloudWatch Logs bytes per invocation (START/END/REPORT lines and INFO logs). */
  logBytesPerInvocation: 2048,
};

/** A JSON object fixture, e.g. the request body the bench submits. */
export function fixtureObject(path: string): Record<string, unknown> {
  const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isRecord(value)) throw new Error(`${path} must hold a JSON object`);
  return value;
}

const BASE = fixtureObject(join(import.meta.dirname, '..', 'test', 'events', 'resource-request.json'));

interface Scenario {
  name: string;
  body: Record<string, unknown>;
  policy: Policy;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'approved-paid-software-with-dpa-and-ssl',
    body: { ...BASE, resourceKind: 'software', cost: 1200 },
    policy: approveAll,
  },
  {
    // The same resource again, once the first is Approved: steps 3-6 are satisfied by its vetting.
    name: 'approved-reusing-a-current-vetting',
    body: { ...BASE, resourceKind: 'software', cost: 1200, requesterName: 'Second Teacher' },
    policy: approveAll,
  },
  {
    name: 'free-website',
    body: {
      ...BASE,
      resourceName: 'Free Maps',
      cost: 0,
      studentDataShared: false,
      studentDataElements: undefined,
    },
    policy: withOverrides({
      'privacy-review': () => ({
        decision: 'acceptable',
        studentDataRequired: 'no',
        vendorContactEmail: 'p@v.example',
      }),
    }),
  },
  {
    name: 'denied-at-6-privacy-policy',
    body: { ...BASE, resourceName: 'Leaky App' },
    policy: withOverrides({
      'privacy-review': () => ({
        decision: 'unacceptable',
        comment: 'Sells data',
        studentDataRequired: 'yes',
        vendorContactEmail: 'p@v.example',
      }),
    }),
  },
  {
    name: 'denied-at-9-curriculum',
    body: { ...BASE, resourceName: 'Off Topic' },
    policy: withOverrides({ 'curriculum-review': () => ({ decision: 'deny', comment: 'Not aligned' }) }),
  },
  {
    name: 'one-replacement-round',
    body: { ...BASE, resourceName: 'Old Atlas', cost: 0 },
    policy: withOverrides({
      'technical-review': (nth) =>
        nth === 0 ? { decision: 'not-sound', comment: 'Blocked' } : { decision: 'sound', comment: '' },
      replacement: () => ({
        decision: 'replacement-found',
        resourceName: 'New Atlas',
        resourceUrl: 'https://newatlas.example.com',
        resourceKind: 'web-service',
        vendorName: 'Atlas Maps',
        cost: '0',
        studentDataShared: 'no',
      }),
    }),
  },
];

interface Counters {
  dynamoWrites: number;
  dynamoReads: number;
}
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

function price(f: Omit<PathFigure, 'stepFunctionsUsd' | 'variableUsd' | 'name' | 'outcome'>): {
  stepFunctionsUsd: number;
  variableUsd: number;
} {
  const stepFunctionsUsd = f.transitions * PRICES_USD.stepFunctionsTransition;
  const lambda =
    f.lambdaInvocations *
    (PRICES_USD.lambdaRequest +
      (ASSUMED.lambdaMsPerInvocation / 1000) * ASSUMED.lambdaGb * PRICES_USD.lambdaArmGbSecond +
      (ASSUMED.logBytesPerInvocation / 1e9) * PRICES_USD.logsIngestedGb);
  const variableUsd =
    stepFunctionsUsd +
    lambda +
    f.apiRequests * PRICES_USD.apiGatewayRestRequest +
    f.dynamoWriteUnits * PRICES_USD.dynamoWriteUnit +
    f.dynamoReadUnits * PRICES_USD.dynamoReadUnit +
    f.emails * PRICES_USD.sesEmail;
  return { stepFunctionsUsd, variableUsd };
}

async function countExecution(runtime: LocalRuntime, name: string, stateMachine?: string) {
  const query = stateMachine ? `?stateMachine=${stateMachine}` : '';
  const res = await fetch(`${runtime.baseUrl}/_local/executions/${encodeURIComponent(name)}${query}`, {
    headers: { accept: 'application/json' },
  });
  const detail: unknown = await res.json();
  const listed = fieldOf(detail, 'history');
  const types = (Array.isArray(listed) ? listed : []).map((e) => String(fieldOf(e, 'type')));
  return {
    status: String(fieldOf(detail, 'status')),
    outcome: fieldOf(fieldOf(detail, 'output'), 'outcome'),
    transitions: types.filter((type) => type.endsWith('StateEntered')).length,
    historyEvents: types.length,
    lambdaTasks: types.filter((type) => type === 'TaskScheduled').length,
  };
}

export async function measurePaths(): Promise<PathFigure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-paths-'));
  const counters: Counters = { dynamoWrites: 0, dynamoReads: 0 };
  const runtime = await startLocalRuntime({
    port: 0,
    dataDir,
    waitTimeOverrides: { WaitForSslScan: 0, WaitForSslRetest: 0 },
    // A real SSL Labs scan of one endpoint takes a minute or two: a few polls.
    fakeSslPollsUntilReady: 4,
    faults: {
      dynamodb: (operation: string) => {
        if (WRITES.has(operation)) counters.dynamoWrites++;
        else counters.dynamoReads++;
        return false;
      },
    },
  });
  const figures: PathFigure[] = [];
  try {
    // One driver: it remembers every link it used, so a later path never re-opens an earlier one.
    const driver = new Driver(runtime);
    const run = async (
      name: string,
      act: (driver: Driver) => Promise<{ execution: string; stateMachine?: string }>,
    ) => {
      const before = { ...counters, emails: (await runtime.outbox()).length, httpCalls: driver.httpCalls };
      const { execution, stateMachine } = await act(driver);
      // Let the last task finish its writes before counting.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const counted = await countExecution(runtime, execution, stateMachine);
      const measured = {
        transitions: counted.transitions,
        historyEvents: counted.historyEvents,
        lambdaInvocations: counted.lambdaTasks + driver.httpCalls - before.httpCalls,
        apiRequests: driver.httpCalls - before.httpCalls,
        dynamoWriteUnits: counters.dynamoWrites - before.dynamoWrites,
        // GetItem and Query read eventually consistent: half a unit each (items under 4 KB).
        dynamoReadUnits: (counters.dynamoReads - before.dynamoReads) / 2,
        emails: (await runtime.outbox()).length - before.emails,
      };
      figures.push({
        name,
        outcome: typeof counted.outcome === 'string' ? counted.outcome : counted.status,
        ...measured,
        ...price(measured),
      });
    };

    const requestIds: string[] = [];
    for (const scenario of SCENARIOS) {
      await run(scenario.name, async (driver) => {
        const requestId = await driver.submit(scenario.body);
        requestIds.push(requestId);
        const result = await driver.driveToEnd(new Map([[requestId, scenario.policy]]));
        if (result.unfinished.length) throw new Error(`${scenario.name} did not finish`);
        return { execution: requestId };
      });
    }

    // SOP 17: the approved software's renewal, a year later (DPA renewed, SSL re-tested).
    const approved = requestIds[0];
    if (approved) {
      await run('renewal', async (driver) => {
        await fetch(`${runtime.baseUrl}/_local/clock`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ advanceDays: 366 }),
        });
        const name = await renewalExecution(runtime, driver, approved);
        return { execution: name, stateMachine: 'annual-renewal' };
      });
    }
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
}

/** What GET /_local/executions lists of each execution. */
const executionsSchema = z.array(
  z.object({ name: z.string(), stateMachine: z.string(), status: z.string() }),
);

/** Decides the renewal's tasks (the DPA renewal) until its execution has finished; returns its name. */
async function renewalExecution(runtime: LocalRuntime, driver: Driver, requestId: string): Promise<string> {
  const policies = new Map([[requestId, approveAll]]);
  for (let i = 0; i < 2000; i++) {
    await driver.decideNewTasks(policies, await runtime.outbox());
    const res = await fetch(`${runtime.baseUrl}/_local/executions`, {
      headers: { accept: 'application/json' },
    });
    const all = executionsSchema.parse(await res.json());
    const renewal = all.find((e) => e.stateMachine === 'annual-renewal' && e.status !== 'RUNNING');
    if (renewal) return renewal.name;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('No finished annual-renewal execution');
}
