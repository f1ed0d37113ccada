/**
 * Functions that run on a schedule (shared/functions.ts `everyMinutes`; on AWS an EventBridge rule):
 * locally they run once when the runtime starts, after the handlers are loaded, and then every few
 * minutes of real time, invoked like every other handler (from source or bundles alike) with the
 * event an EventBridge schedule sends. Runs never overlap; stop() waits for the one in progress.
 */

import { randomUUID } from 'node:crypto';
import { asError, errorName } from '#shared/core/errors.ts';
import { FUNCTIONS } from '#shared/functions.ts';
import { everyDaysExpression, WATCH_SCHEDULE_INPUT, type WatchCheckDays } from '#shared/watch/checks.ts';
import {
  functionArn,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  LOCAL_WATCH_CHECK_DAYS,
  SCHEDULE_GROUP_NAME,
} from '../config.ts';
import type { SchedulerEndpoint } from '../scheduler/endpoint.ts';

/** Locally more often than on AWS: a request a kill -9 orphaned just before a restart starts within minutes. */
export const LOCAL_SCHEDULED_INTERVAL_MS = 5 * 60_000;

export interface ScheduledFunctions {
  /** Runs every scheduled function now (after the run in progress, if any); outputs by name. */
  runNow(): Promise<Record<string, unknown>>;
  /** Runs them now, then every `intervalMs` (an unref'd timer: it never keeps the process alive). */
  start(): void;
  stop(): Promise<void>;
}

export function scheduledFunctions(options: {
  invoke: (name: string, payload: unknown) => Promise<unknown>;
  log: (message: string) => void;
  intervalMs?: number;
  /**
   * When this runtime's handlers became ready: whatever was written before belongs to a process that
   * is gone (a kill -9, a stop), so the recovery sweep need not wait its cut-off for it.
   */
  startedAt?: Date;
}): ScheduledFunctions {
  const names = FUNCTIONS.filter((fn) => fn.everyMinutes).map((fn) => fn.name);
  let running: Promise<Record<string, unknown>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const runAll = async (): Promise<Record<string, unknown>> => {
    const outputs: Record<string, unknown> = {};
    for (const name of names) {
      if (stopped) break;
      try {
        outputs[name] = await options.invoke(name, scheduledEvent(name, options.startedAt));
      } catch (error) {
        options.log(`Scheduled function ${name} failed: ${asError(error).message}`);
        outputs[name] = { error: errorName(error), message: asError(error).message };
      }
    }
    return outputs;
  };
  const runNow = (): Promise<Record<string, unknown>> => {
    const next = (running ?? Promise.resolve({})).then(runAll);
    running = next;
    void next.finally(() => {
      if (running === next) running = undefined;
    });
    return next;
  };

  return {
    runNow,
    start() {
      if (names.length === 0) return;
      void runNow();
      timer = setInterval(() => {
        if (!running) void runNow();
      }, options.intervalMs ?? LOCAL_SCHEDULED_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

/**
 * The watch's schedules between renewals (shared/functions.ts `everyDays`), as the stack defines them:
 * `rate(n days)` on the local clock, each invoking its function with the scheduled time.
 */
export function watchSchedules(
  days: WatchCheckDays,
  roleArn: string,
): { name: string; body: Record<string, unknown> }[] {
  return FUNCTIONS.flatMap((fn) =>
    fn.everyDays
      ? [
          {
            name: `watch-${fn.name}`,
            body: {
              ScheduleExpression: everyDaysExpression(days[fn.everyDays]),
              FlexibleTimeWindow: { Mode: 'OFF' },
              Description: `Issue 22: ${fn.sop}`,
              Target: { Arn: functionArn(fn.name), RoleArn: roleArn, Input: WATCH_SCHEDULE_INPUT },
            },
          },
        ]
      : [],
  );
}

/** The watch's schedules in the local Scheduler, as a deploy creates them (cdk.json's days). */
export function ensureWatchSchedules(scheduler: Pick<SchedulerEndpoint, 'ensure'>): void {
  const role = `arn:aws:iam::${LOCAL_ACCOUNT}:role/software-request-scheduler`;
  for (const { name, body } of watchSchedules(LOCAL_WATCH_CHECK_DAYS, role)) {
    scheduler.ensure(name, SCHEDULE_GROUP_NAME, body);
  }
}

/**
 * The event an EventBridge schedule rule sends its Lambda target; locally its detail says when the
 * runtime restarted (`restartedAt`, read by recover-requests: shared/recovery/recovery-sweep.ts).
 */
function scheduledEvent(name: string, startedAt?: Date) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: new Date().toISOString(),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/software-request-${name}`],
    detail: startedAt ? { restartedAt: startedAt.toISOString() } : {},
  };
}
