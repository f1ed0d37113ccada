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
  lost: number;
}

export async function measureWorkflows(
  runtime: LocalRuntime,
  body: Record<string, unknown>,
  count = 200,
): Promise<WorkflowFigure> {
  const driver = new Driver(runtime);
  const started = Date.now();
  const policies = new Map<string, Policy>();
  const submissions = Array.from({ length: count }, (_, i) =>
    driver.submit({ ...body, resourceName: `Throughput ${i}`, cost: 0 }),
  );
  for (const requestId of await Promise.all(submissions)) policies.set(requestId, approveAll);
  const result = await driver.driveToEnd(policies, 300_000);
  const seconds = (Date.now() - started) / 1000;
  const completed = [...result.statuses.values()].filter((s) => s === 'APPROVED').length;
  return { submitted: count, completed, seconds, perSecond: completed / seconds, lost: count - completed };
}
