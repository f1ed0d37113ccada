/**
 * A schedule of the local EventBridge Scheduler stand-in: what it holds, how it is kept on disk (the
 * schemas its files are read back with) and when it fires on the local clock.
 */

import * as z from 'zod/mini';

export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  [more: string]: unknown;
}

export interface LocalSchedule {
  Name: string;
  GroupName: string;
  Arn: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  State: 'ENABLED' | 'DISABLED';
  Description?: string;
  FlexibleTimeWindow: { Mode: string; MaximumWindowInMinutes?: number };
  ActionAfterCompletion?: 'NONE' | 'DELETE';
  Target: ScheduleTarget;
  StartDate?: number;
  EndDate?: number;
  /** Epoch ms (API answers carry epoch seconds). */
  CreationDate: number;
  LastModificationDate: number;
  /**
   * The local clock's offset when the schedule was created. Handlers live in real time, so an
   * `at(...)` they compute ("a year from now") is a real time: it is due when the local clock has
   * moved that far beyond the offset it had then (a renewal's next renewal is not due at once).
   */
  clockOffsetMs?: number;
  /** Local clock time of the last firing, and what it started. */
  lastFiredAt?: number;
  lastRun?: { at: string; executionArn?: string; invoked?: string; error?: string };
}

const text = z.string().check(z.minLength(1));
const optionalText = z.optional(z.string());
const optionalNumber = z.optional(z.number());

/** A target as CreateSchedule takes it and as it is kept: more fields than these are kept as given. */
export const scheduleTargetSchema: z.ZodMiniType<ScheduleTarget> = z.looseObject({
  Arn: text,
  RoleArn: text,
  Input: optionalText,
});
export const flexibleTimeWindowSchema: z.ZodMiniType<LocalSchedule['FlexibleTimeWindow']> = z.looseObject({
  Mode: z.string(),
  MaximumWindowInMinutes: optionalNumber,
});
/** A schedule's file (`<group>/<name>.json`, or an entry of the `schedules.json` of earlier versions). */
export const localScheduleSchema: z.ZodMiniType<LocalSchedule> = z.looseObject({
  Name: z.string(),
  GroupName: z.string(),
  Arn: z.string(),
  ScheduleExpression: z.string(),
  ScheduleExpressionTimezone: optionalText,
  State: z.enum(['ENABLED', 'DISABLED']),
  Description: optionalText,
  FlexibleTimeWindow: flexibleTimeWindowSchema,
  ActionAfterCompletion: z.optional(z.enum(['NONE', 'DELETE'])),
  Target: scheduleTargetSchema,
  StartDate: optionalNumber,
  EndDate: optionalNumber,
  CreationDate: z.number(),
  LastModificationDate: z.number(),
  clockOffsetMs: optionalNumber,
  lastFiredAt: optionalNumber,
  lastRun: z.optional(
    z.looseObject({ at: z.string(), executionArn: optionalText, invoked: optionalText, error: optionalText }),
  ),
});

export const isOneTime = (s: LocalSchedule) => s.ScheduleExpression.startsWith('at(');

const RATE_UNITS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

/**
 * When the schedule fires next on the local clock: `at(...)` once (in its timezone, UTC by default),
 * `rate(n unit)` every interval from its creation; `cron(...)` is not evaluated locally (undefined).
 */
export function nextFiring(s: LocalSchedule): number | undefined {
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(s.ScheduleExpression);
  if (at?.[1]) {
    if (s.lastFiredAt !== undefined) return undefined;
    return wallTimeToUtc(at[1], s.ScheduleExpressionTimezone ?? 'UTC') + (s.clockOffsetMs ?? 0);
  }
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(s.ScheduleExpression);
  if (rate?.[1] && rate[2]) {
    const interval = Number(rate[1]) * (RATE_UNITS[rate[2]] ?? 0);
    if (interval <= 0) return undefined;
    const from = s.lastFiredAt ?? s.StartDate ?? s.CreationDate;
    return from + interval;
  }
  return undefined;
}

/** `2027-11-28T10:00:00` in `timeZone` → epoch ms. */
export function wallTimeToUtc(wall: string, timeZone: string): number {
  const asUtc = Date.parse(`${wall}Z`);
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return asUtc;
  const offset = (t: number) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(new Date(t));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - t;
  };
  const first = asUtc - offset(asUtc);
  return asUtc - offset(first);
}
