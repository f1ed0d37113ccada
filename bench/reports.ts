/**
 * The reports at size (issue 21): the aggregates of a year at 100,000 requests (12 months of
 * counters, as the steps would have left them) and the tasks pending at such a volume
 * (BENCH_REPORT_PENDING, default 4,000: about two weeks of work), then GET /reports/summary.json and
 * GET /reports p50/p99 (one client, loopback), and the DynamoDB items one report reads (from the same
 * code the handler runs). The aggregates are seeded as items, not by running 100,000 workflows.
 * `npm run bench -- reports` runs it alone.
 */
import '#shared/core/runtime/promise-with-resolvers.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalRuntime } from '../local/runtime.ts';
import { keysOf } from '../shared/core/guards.ts';
import { reportSummary } from '../shared/reports/summary.ts';
import { WorkflowStore } from '../shared/store.ts';
import { DEFAULT_SERVICE_LEVEL_DAYS } from '../shared/workflow/service-levels.ts';
import { TASK_KINDS } from '../shared/workflow/task-kinds.ts';

const _ROOT = join(import.meta.dirname, '..');
const REQUESTS_PER_YEAR = 100_000;

export interface ReportFigures {
  requestsPerYear: number;
  pendingTasks: number;
  itemsRead: number;
  summary: { p50Ms: number; p99Ms: number };
  page: { p50Ms: number; p99Ms: number; bytes: number };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** A month's aggregate items for `perMonth` requests: the counters a month of steps would leave. */
function monthItems(month: string, perMonth: number): Record<string, unknown>[] {
  const hist = (prefix: string, center: number) =>
    Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`${prefix}h${center * 10 - 20 + i}`, Math.ceil(perMonth / 40)]),
    );
  const steps = Object.keys(DEFAULT_SERVICE_LEVEL_DAYS).map((kind) => ({
    PK: `REPORT#${month}`,
    SK: `STEP#${kind}`,
    decided: perMonth,
    withinSla: Math.round(perMonth * 0.8),
    ...hist('', 5),
  }));
  const denials = [4, 6, 8, 9, 10].map((sopStep) => ({
    PK: `REPORT#${month}`,
    SK: `DENIAL#${String(sopStep).padStart(2, '0')}#${sopStep}aaaaaaaaaaa`,
    sopStep: String(sopStep),
    reason: `A reason at step ${sopStep}`,
    count: Math.round(perMonth * 0.02),
  }));
  return [
    {
      PK: `REPORT#${month}`,
      SK: 'REQUESTS',
      submitted: perMonth,
      approved: Math.round(perMonth * 0.9),
      denied: Math.round(perMonth * 0.1),
      reused: Math.round(perMonth * 0.3),
      ...hist('lead_', 20),
    },
    ...steps,
    ...denials,
  ];
}

/** A year of aggregates at REQUESTS_PER_YEAR and `pending` tasks waiting, as table items. */
function seedItems(now: Date, pending: number): Record<string, unknown>[] {
  const months = Array.from({ length: 12 }, (_, i) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11 + i, 1)).toISOString().slice(0, 7),
  );
  const items = months.flatMap((m) => monthItems(m, Math.round(REQUESTS_PER_YEAR / 12)));
  const kinds = keysOf(DEFAULT_SERVICE_LEVEL_DAYS);
  for (let i = 0; i < pending; i++) {
    const kind = kinds[i % kinds.length] ?? 'privacy-review';
    const created = new Date(now.getTime() - (i % 20) * 86_400_000).toISOString();
    items.push({
      PK: `TASK#bench${String(i).padStart(18, '0')}`,
      SK: 'TASK',
      GSI1PK: `TEAM#${TASK_KINDS[kind].team}`,
      GSI1SK: created,
      entity: 'task',
      taskId: `bench${String(i).padStart(17, '0')}`,
      requestId: `SR-20260101-${String(i).padStart(8, '0')}`,
      kind,
      team: TASK_KINDS[kind].team,
      sopStep: TASK_KINDS[kind].sopStep,
      status: 'PENDING',
      createdAt: created,
      expiresAt: new Date(Date.parse(created) + 14 * 86_400_000).toISOString(),
      dueBy: new Date(Date.parse(created) + 10 * 86_400_000).toISOString(),
      taskToken: 'bench',
      secretHash: 'bench',
    });
  }
  return items;
}

/** 30 GETs of `path`, one at a time: p50, p99 and the answer's size. */
async function timeRoute(base: string, path: string, accept: string) {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 30; i++) {
    const started = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { accept } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    times.push(performance.now() - started);
    bytes = Buffer.byteLength(body);
  }
  times.sort((a, b) => a - b);
  return {
    p50Ms: Number(percentile(times, 50).toFixed(1)),
    p99Ms: Number(percentile(times, 99).toFixed(1)),
    bytes,
  };
}

export async function measureReports(
  pending = Number(process.env.BENCH_REPORT_PENDING ?? 4000),
): Promise<ReportFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-reports-'));
  const runtime = await startLocalRuntime({ port: 0, dataDir });
  const table = runtime.env.TABLE_NAME ?? '';
  try {
    const now = new Date();
    const items = seedItems(now, pending);
    const endpoint = runtime.env.AWS_ENDPOINT_URL_DYNAMODB;
    const writer = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      }),
    );
    for (let i = 0; i < items.length; i += 25) {
      await writer.send(
        new BatchWriteCommand({
          RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    }
    // Items one report reads, from the handler's own code over a counting store.
    let itemsRead = 0;
    const store = new WorkflowStore({ tableName: table, client: writer });
    await reportSummary(
      {},
      {
        store: {
          reportMonth: async (month) => {
            const got = await store.reportMonth(month);
            itemsRead += got.length;
            return got;
          },
          listPendingTasks: async (team) => {
            const got = await store.listPendingTasks(team);
            itemsRead += got.length;
            return got;
          },
        },
        now: () => now,
        serviceLevels: DEFAULT_SERVICE_LEVEL_DAYS,
      },
    );
    const summary = await timeRoute(runtime.baseUrl, '/reports/summary.json', 'application/json');
    const page = await timeRoute(runtime.baseUrl, '/reports', 'text/html');
    writer.destroy();
    return {
      requestsPerYear: REQUESTS_PER_YEAR,
      pendingTasks: pending,
      itemsRead,
      summary: { p50Ms: summary.p50Ms, p99Ms: summary.p99Ms },
      page,
    };
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The figures' targets: a report reads a bounded number of items; it answers within a second. */
export function reportTargets(f: ReportFigures) {
  return [
    {
      target: `reports read the aggregates (<= 24 months x 20 items) and the pending tasks (${f.pendingTasks}) only`,
      value: f.itemsRead,
      pass: f.itemsRead <= 24 * 20 + f.pendingTasks,
    },
    {
      target: 'GET /reports p99 <= 1,000 ms at 100,000 requests a year',
      value: f.page.p99Ms,
      pass: f.page.p99Ms <= 1000,
    },
  ];
}
