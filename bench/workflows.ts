/**
 * Workflow throughput: many requests submitted at once, every task decided through the HTTP API as a
 * person would (following the emailed links), until each request has its outcome.
 */
import type { LocalRuntime } from '../local/runtime.ts';
import { approveAll, Driver, type Policy } from './driver.ts';

export interface WorkflowFigure {
  submitted: number;
  completed: number;
  seconds: number;
  perSecond: number;
  /** Still running when the driver's deadline came. */
  unfinished: number;
  /** Submitted requests the product no longer knows. */
  lost: number;
  /** Submissions answered 5xx and retried with the same Idempotency-Key. */
  submissionsRetried: number;
}

export async function measureWorkflows(
  runtime: Pick<LocalRuntime, 'baseUrl'>,
  body: Record<string, unknown>,
  count = Number(process.env.BENCH_WORKFLOWS ?? 200),
): Promise<WorkflowFigure> {
  const driver = new Driver(runtime);
  const started = Date.now();
  const policies = new Map<string, Policy>();
  // Ten clients at a time, as the HTTP part measures: 200 at once only measures the socket queue.
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from({ length: Math.min(10, count - i) }, (_, j) =>
      driver.submit({ ...body, resourceName: `Throughput ${i + j}`, cost: 0 }),
    );
    for (const requestId of await Promise.all(batch)) policies.set(requestId, approveAll);
  }
  const result = await driver.driveToEnd(policies, 300_000);
  const seconds = (Date.now() - started) / 1000;
  const completed = [...result.statuses.values()].filter((s) => s === 'APPROVED').length;
  // Unfinished at the deadline is not lost: lost is a request the product no longer knows.
  const known = await Promise.all(
    [...policies.keys()].map(async (id) => (await driver.status(id).catch(() => '')) !== ''),
  );
  return {
    submitted: count,
    completed,
    seconds,
    perSecond: completed / seconds,
    unfinished: count - completed,
    lost: known.filter((k) => !k).length,
    submissionsRetried: driver.retried,
  };
}
