/**
 * EventBridge stand-ins of the local runtime:
 * - an EventBridge Scheduler endpoint (the REST-JSON protocol of `@aws-sdk/client-scheduler`:
 *   CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules), schedules kept on disk
 *   and driven by a local clock that a test or the user can advance (`POST /_local/clock`); a due
 *   schedule starts its state machine or invokes its Lambda function (e.g. a task reminder);
 * - an EventBridge PutEvents sink that records every event (`GET /_local/events`).
 * The clock drives only the schedules: handlers keep real time.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './config.ts';
import type { SimpleRequest, SimpleResponse } from './http-server.ts';

function readJsonFile<T>(path: string, fallback: T): T {
  if (!existsSync(path)) return fallback;
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function writeJsonFile(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 1));
  renameSync(`${path}.tmp`, path);
}

// ---- the clock -----------------------------------------------------------------------------------

/** Real time plus an offset that only grows; the offset is kept on disk. */
export class LocalClock {
  private offsetMs: number;

  constructor(private readonly file: string) {
    this.offsetMs = readJsonFile<{ offsetMs: number }>(file, { offsetMs: 0 }).offsetMs;
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  get offsetSeconds(): number {
    return Math.round(this.offsetMs / 1000);
  }

  get offset(): number {
    return this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
    writeJsonFile(this.file, { offsetMs: this.offsetMs });
  }
}

/** `{ advanceDays?, advanceHours?, advanceSeconds? }` → milliseconds; throws a 400 on anything else. */
export function parseAdvance(body: string): number {
  let parsed: unknown;
  try {
    parsed = body.trim() ? JSON.parse(body) : {};
  } catch {
    throw httpError(400, 'Send JSON such as {"advanceDays": 365}');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw httpError(400, 'Send JSON such as {"advanceDays": 365}');
  }
  const units = { advanceDays: 86_400_000, advanceHours: 3_600_000, advanceSeconds: 1000 } as const;
  let ms = 0;
  for (const [key, value] of Object.entries(parsed)) {
    const unit = units[key as keyof typeof units];
    if (unit === undefined)
      throw httpError(400, `Unknown field ${key}: use advanceDays, advanceHours or advanceSeconds`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw httpError(400, `${key} must be a non-negative number (the local clock only moves forward)`);
    }
    ms += value * unit;
  }
  return Math.round(ms);
}

function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status });
}

// ---- the scheduler -------------------------------------------------------------------------------

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

/**
 * Runs the schedule's target: a state machine (returns the execution ARN it started) or a Lambda
 * function (returns `{ invoked: <function ARN> }` once the handler ran).
 */
export type ScheduleTargetStarter = (
  target: ScheduleTarget,
  schedule: LocalSchedule,
) => Promise<string | { invoked: string }>;

export interface FiredSchedule {
  name: string;
  groupName: string;
  at: string;
  executionArn?: string;
  /** The Lambda function a schedule invoked. */
  invoked?: string;
  error?: string;
}

const DEFAULT_GROUP = 'default';
const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;

export class SchedulerEndpoint {
  private readonly file: string;
  private schedules: LocalSchedule[];
  private timer: NodeJS.Timeout | undefined;
  private firing: Promise<FiredSchedule[]> = Promise.resolve([]);

  constructor(
    dataDir: string,
    private readonly clock: LocalClock,
    private readonly startTarget: ScheduleTargetStarter,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.file = join(dataDir, 'schedules.json');
    this.schedules = readJsonFile<LocalSchedule[]>(this.file, []);
  }

  /** Checks for due schedules every `intervalMs` of real time (the local clock moves with it). */
  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.fireDue(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.firing;
  }

  list(): LocalSchedule[] {
    return [...this.schedules];
  }

  /** Pending schedules with their next firing time on the local clock. */
  pending() {
    return this.schedules
      .filter((s) => s.State === 'ENABLED')
      .map((s) => {
        const due = nextFiring(s);
        return {
          name: s.Name,
          groupName: s.GroupName,
          expression: s.ScheduleExpression,
          dueAt: due === undefined ? null : new Date(due).toISOString(),
          ...(due === undefined ? { note: 'cron() schedules are not fired by the local runtime' } : {}),
          target: s.Target.Arn,
          input: s.Target.Input ?? null,
          lastRun: s.lastRun ?? null,
        };
      });
  }

  /** Fires every schedule due on the local clock (serialized: one pass at a time). */
  fireDue(): Promise<FiredSchedule[]> {
    this.firing = this.firing.then(() => this.firePass());
    return this.firing;
  }

  private async firePass(): Promise<FiredSchedule[]> {
    const fired: FiredSchedule[] = [];
    const now = this.clock.now().getTime();
    for (const schedule of [...this.schedules]) {
      if (schedule.State !== 'ENABLED') continue;
      const due = nextFiring(schedule);
      if (due === undefined || due > now) continue;
      if (schedule.EndDate !== undefined && due > schedule.EndDate) continue;
      const at = new Date(now).toISOString();
      const result: FiredSchedule = { name: schedule.Name, groupName: schedule.GroupName, at };
      try {
        const started = await this.startTarget(schedule.Target, schedule);
        if (typeof started === 'string') result.executionArn = started;
        else result.invoked = started.invoked;
        this.log(
          `schedule ${schedule.GroupName}/${schedule.Name} ${typeof started === 'string' ? `started ${started}` : `invoked ${started.invoked}`}`,
        );
      } catch (error) {
        result.error = `${(error as Error).name}: ${(error as Error).message}`;
        this.log(
          `schedule ${schedule.GroupName}/${schedule.Name} could not start its target: ${result.error}`,
        );
      }
      fired.push(result);
      schedule.lastFiredAt = now;
      schedule.lastRun = {
        at,
        ...(result.executionArn ? { executionArn: result.executionArn } : {}),
        ...(result.invoked ? { invoked: result.invoked } : {}),
        ...(result.error ? { error: result.error } : {}),
      };
      if (isOneTime(schedule) && schedule.ActionAfterCompletion === 'DELETE') {
        this.schedules = this.schedules.filter((s) => s !== schedule);
      }
    }
    if (fired.length > 0) this.save();
    return fired;
  }

  private save(): void {
    writeJsonFile(this.file, this.schedules);
  }

  /** Answers a Scheduler REST request, or returns undefined when the path is not the Scheduler's. */
  handle(request: SimpleRequest): SimpleResponse | undefined {
    const m = /^\/schedules(?:\/([^/]+))?$/.exec(request.path);
    if (!m) return undefined;
    const name = m[1] ? decodeURIComponent(m[1]) : undefined;
    try {
      if (!name && request.method === 'GET') return ok(this.listSchedules(request.query));
      if (!name) throw new SchedulerError(405, 'ValidationException', 'Unsupported method');
      const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
      const group = String(body.GroupName ?? request.query.get('groupName') ?? DEFAULT_GROUP);
      switch (request.method) {
        case 'POST':
          return ok({ ScheduleArn: this.put(name, group, body, false).Arn });
        case 'PUT':
          return ok({ ScheduleArn: this.put(name, group, body, true).Arn });
        case 'GET':
          return ok(toApi(this.require(name, group)));
        case 'DELETE':
          this.require(name, group);
          this.schedules = this.schedules.filter((s) => !(s.Name === name && s.GroupName === group));
          this.save();
          return ok({});
        default:
          throw new SchedulerError(405, 'ValidationException', 'Unsupported method');
      }
    } catch (error) {
      if (error instanceof SchedulerError) {
        return {
          status: error.status,
          headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': error.type },
          body: JSON.stringify({ Message: error.message }),
        };
      }
      if (error instanceof SyntaxError) {
        return {
          status: 400,
          headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ValidationException' },
          body: JSON.stringify({ Message: 'The request body is not valid JSON' }),
        };
      }
      throw error;
    }
  }

  private put(name: string, group: string, body: Record<string, unknown>, update: boolean): LocalSchedule {
    if (!NAME.test(name))
      throw new SchedulerError(400, 'ValidationException', `Invalid schedule name ${name}`);
    const existing = this.schedules.find((s) => s.Name === name && s.GroupName === group);
    if (update && !existing) throw notFound(name, group);
    if (!update && existing) {
      throw new SchedulerError(409, 'ConflictException', `Schedule ${name} already exists.`);
    }
    const expression = String(body.ScheduleExpression ?? '');
    if (!/^(at|rate|cron)\(.+\)$/.test(expression)) {
      throw new SchedulerError(400, 'ValidationException', `Invalid Schedule Expression ${expression}.`);
    }
    const target = body.Target as ScheduleTarget | undefined;
    if (!target?.Arn || !target.RoleArn) {
      throw new SchedulerError(400, 'ValidationException', 'Target.Arn and Target.RoleArn are required');
    }
    const timezone = body.ScheduleExpressionTimezone ? String(body.ScheduleExpressionTimezone) : undefined;
    if (timezone) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: timezone });
      } catch {
        throw new SchedulerError(
          400,
          'ValidationException',
          `Invalid ScheduleExpressionTimezone ${timezone}`,
        );
      }
    }
    const now = this.clock.now().getTime();
    const schedule: LocalSchedule = {
      Name: name,
      GroupName: group,
      Arn: `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/${group}/${name}`,
      ScheduleExpression: expression,
      ...(timezone ? { ScheduleExpressionTimezone: timezone } : {}),
      State: body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      ...(typeof body.Description === 'string' ? { Description: body.Description } : {}),
      FlexibleTimeWindow: (body.FlexibleTimeWindow as LocalSchedule['FlexibleTimeWindow']) ?? { Mode: 'OFF' },
      ActionAfterCompletion: body.ActionAfterCompletion === 'DELETE' ? 'DELETE' : 'NONE',
      Target: target,
      ...(typeof body.StartDate === 'number' ? { StartDate: body.StartDate * 1000 } : {}),
      ...(typeof body.EndDate === 'number' ? { EndDate: body.EndDate * 1000 } : {}),
      CreationDate: existing?.CreationDate ?? now,
      LastModificationDate: now,
      clockOffsetMs: this.clock.offset,
    };
    if (nextFiring(schedule) === undefined && !expression.startsWith('cron(')) {
      throw new SchedulerError(400, 'ValidationException', `Invalid Schedule Expression ${expression}.`);
    }
    this.schedules = [...this.schedules.filter((s) => s !== existing), schedule];
    this.save();
    return schedule;
  }

  private require(name: string, group: string): LocalSchedule {
    const found = this.schedules.find((s) => s.Name === name && s.GroupName === group);
    if (!found) throw notFound(name, group);
    return found;
  }

  private listSchedules(query: URLSearchParams) {
    const group = query.get('ScheduleGroup');
    const prefix = query.get('NamePrefix') ?? '';
    const state = query.get('State');
    const max = Number(query.get('MaxResults') ?? 100) || 100;
    const start = Number(query.get('NextToken') ?? 0) || 0;
    const all = this.schedules.filter(
      (s) => (!group || s.GroupName === group) && s.Name.startsWith(prefix) && (!state || s.State === state),
    );
    const page = all.slice(start, start + max);
    return {
      Schedules: page.map((s) => ({
        Arn: s.Arn,
        Name: s.Name,
        GroupName: s.GroupName,
        State: s.State,
        CreationDate: s.CreationDate / 1000,
        LastModificationDate: s.LastModificationDate / 1000,
        Target: { Arn: s.Target.Arn },
      })),
      ...(start + max < all.length ? { NextToken: String(start + max) } : {}),
    };
  }
}

class SchedulerError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function notFound(name: string, group: string): SchedulerError {
  return new SchedulerError(
    404,
    'ResourceNotFoundException',
    `Schedule ${name} does not exist in group ${group}.`,
  );
}

function ok(body: unknown): SimpleResponse {
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json', 'x-amzn-RequestId': randomUUID() },
    body: JSON.stringify(body),
  };
}

function toApi(s: LocalSchedule) {
  const {
    lastFiredAt: _f,
    lastRun: _r,
    clockOffsetMs: _o,
    CreationDate,
    LastModificationDate,
    StartDate,
    EndDate,
    ...rest
  } = s;
  return {
    ...rest,
    CreationDate: CreationDate / 1000,
    LastModificationDate: LastModificationDate / 1000,
    ...(StartDate !== undefined ? { StartDate: StartDate / 1000 } : {}),
    ...(EndDate !== undefined ? { EndDate: EndDate / 1000 } : {}),
  };
}

const isOneTime = (s: LocalSchedule) => s.ScheduleExpression.startsWith('at(');

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

// ---- EventBridge PutEvents sink ------------------------------------------------------------------

export interface RecordedEvent {
  id: string;
  at: string;
  eventBusName: string;
  source: string;
  detailType: string;
  detail: unknown;
  resources: string[];
}

export class EventsSink {
  private readonly file: string;
  private readonly events: RecordedEvent[];

  constructor(dataDir: string) {
    this.file = join(dataDir, 'events.json');
    this.events = readJsonFile<RecordedEvent[]>(this.file, []);
  }

  list(): RecordedEvent[] {
    return [...this.events];
  }

  /** Answers `AWSEvents.PutEvents` (AWS JSON 1.1), or undefined for any other request. */
  handle(request: SimpleRequest): SimpleResponse | undefined {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!target.startsWith('AWSEvents.')) return undefined;
    const reply = (status: number, body: unknown, type?: string): SimpleResponse => ({
      status,
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'x-amzn-RequestId': randomUUID(),
        ...(type ? { 'x-amzn-ErrorType': type } : {}),
      },
      body: JSON.stringify(body),
    });
    if (target !== 'AWSEvents.PutEvents') {
      return reply(
        400,
        { __type: 'UnknownOperationException', message: `${target} is not supported by the local Scheduler` },
        'UnknownOperationException',
      );
    }
    let entries: Record<string, unknown>[];
    try {
      entries = ((JSON.parse(request.body) as { Entries?: Record<string, unknown>[] }).Entries ?? []).slice();
    } catch {
      return reply(
        400,
        { __type: 'SerializationException', message: 'Invalid JSON' },
        'SerializationException',
      );
    }
    const results = entries.map((e) => {
      if (!e.Source || !e.DetailType || typeof e.Detail !== 'string') {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required' };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(e.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
      }
      const id = randomUUID();
      this.events.push({
        id,
        at: typeof e.Time === 'number' ? new Date(e.Time * 1000).toISOString() : new Date().toISOString(),
        eventBusName: String(e.EventBusName ?? 'default'),
        source: String(e.Source),
        detailType: String(e.DetailType),
        detail,
        resources: Array.isArray(e.Resources) ? e.Resources.map(String) : [],
      });
      return { EventId: id };
    });
    writeJsonFile(this.file, this.events);
    return reply(200, {
      FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length,
      Entries: results,
    });
  }
}
