/**
 * HTTP latency through the local runtime, with autocannon on loopback (bounded in time or count):
 * submissions, decisions on pre-created tasks, and registry searches. Each load is its own function so
 * that bench/profile.ts can run one of them against a runtime in another process.
 */
import autocannon, { type Result } from 'autocannon';
import * as z from 'zod/mini';
import type { LocalRuntime } from '../local/runtime.ts';
import { Driver } from './driver.ts';

export interface LatencyFigure {
  connections: number;
  seconds: number;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** A privacy-review task as its email links it: one decision each (a link decides once). */
export interface TaskLink {
  taskId: string;
  secret: string;
}

type Runtime = Pick<LocalRuntime, 'baseUrl'>;

const CONNECTIONS = 10;

function figure(result: Result): LatencyFigure {
  return {
    connections: CONNECTIONS,
    seconds: result.duration,
    requests: result.requests.total,
    perSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

export async function measureHttp(
  runtime: Runtime,
  body: Record<string, unknown>,
  seconds = 10,
): Promise<{ postRequests: LatencyFigure; postDecision: LatencyFigure; getRegistry: LatencyFigure }> {
  const postRequests = await submissionsLoad(runtime, body, seconds);
  const postDecision = await decisionsLoad(runtime, await privacyReviewLinks(runtime, body, 200));
  const getRegistry = figure(
    await autocannon({
      url: `${runtime.baseUrl}/registry?q=bench`,
      connections: CONNECTIONS,
      duration: seconds,
      headers: { accept: 'application/json' },
    }),
  );
  return { postRequests, postDecision, getRegistry };
}

/** `POST /requests` from 10 connections for `seconds`, each with its own Idempotency-Key. */
export async function submissionsLoad(
  runtime: Runtime,
  body: Record<string, unknown>,
  seconds: number,
): Promise<LatencyFigure> {
  let n = 0;
  return figure(
    await autocannon({
      url: runtime.baseUrl,
      connections: CONNECTIONS,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          path: '/requests',
          setupRequest: (request) => {
            n++;
            return {
              ...request,
              headers: {
                'content-type': 'application/json',
                accept: 'application/json',
                'idempotency-key': `bench-${Date.now()}-${n}`,
              },
              body: JSON.stringify({ ...body, resourceName: `Bench Resource ${n}` }),
            };
          },
        },
      ],
    }),
  );
}

/** One `POST /tasks/{id}` decision per task, from 10 connections. */
export async function decisionsLoad(runtime: Runtime, tasks: readonly TaskLink[]): Promise<LatencyFigure> {
  let next = 0;
  return figure(
    await autocannon({
      url: runtime.baseUrl,
      connections: CONNECTIONS,
      amount: tasks.length,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const task = tasks[next++ % tasks.length];
            if (!task) throw new Error('No task to decide');
            return {
              ...request,
              path: `/tasks/${task.taskId}`,
              headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
              body: new URLSearchParams({
                t: task.secret,
                decidedBy: 'Bench Reviewer',
                decision: 'acceptable',
                studentDataRequired: 'no',
                vendorContactEmail: 'privacy@vendor.example',
              }).toString(),
            };
          },
        },
      ],
    }),
  );
}

const outboxSchema = z.array(z.object({ subject: z.string(), text: z.string() }));

/** Submits `count` requests and waits for their privacy-review task links (read from the local outbox). */
export async function privacyReviewLinks(
  runtime: Runtime,
  body: Record<string, unknown>,
  count: number,
): Promise<TaskLink[]> {
  const driver = new Driver(runtime);
  const ids = new Set<string>();
  for (let i = 0; i < count; i++)
    ids.add(await driver.submit({ ...body, resourceName: `Decision Bench ${i}` }));
  const link = /\/tasks\/([A-Za-z0-9_-]+)\?t=([A-Za-z0-9_-]+)/;
  const found = new Map<string, TaskLink>();
  let read = 0;
  for (let attempt = 0; attempt < 600; attempt++) {
    const res = await fetch(`${runtime.baseUrl}/_local/outbox?from=${read}`);
    const emails = outboxSchema.parse(await res.json());
    read += emails.length;
    for (const email of emails) {
      const id = [...ids].find((r) => email.subject.includes(r));
      const m = link.exec(email.text);
      if (id && m?.[1] && m[2] && !found.has(id)) found.set(id, { taskId: m[1], secret: m[2] });
    }
    if (found.size === ids.size) return [...found.values()];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('Not every pre-created request got its privacy-review email');
}
