/**
 * An EventBridge Scheduler stand-in (the REST-JSON protocol of `@aws-sdk/client-scheduler`:
 * CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules), schedules kept on disk
 * and driven by the local clock (local/scheduler/clock.ts); a due schedule starts its state machine or
 * invokes its Lambda function (e.g. a task reminder).
 */

import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { asError, errorName } from '#shared/core/errors.ts';
import { isRecord } from '#shared/core/guards.ts';
import { AwsApiError, pageAt, restJson, restJsonError } from '../aws/protocol.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../config.ts';
import type { SimpleRequest, SimpleResponse } from '../http-types.ts';
import { readJsonFile, writeJsonFile } from '../json-file.ts';
import type { LocalClock } from './clock.ts';
import {
  flexibleTimeWindowSchema,
  isOneTime,
  type LocalSchedule,
  localScheduleSchema,
  nextFiring,
  type ScheduleTarget,
  scheduleTargetSchema,
} from './schedule.ts';

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
  /** One file per schedule (`<group>/<name>.json`): a change rewrites its own schedule, not all of them. */
  private readonly folder: string;
  /** By group and name (scheduleKey), in creation order: a lookup does not scan every schedule. */
  private readonly schedules = new Map<string, LocalSchedule>();
  private timer: NodeJS.Timeout | undefined;
  private firing: Promise<FiredSchedule[]> = Promise.resolve([]);

  constructor(
    dataDir: string,
    private readonly clock: LocalClock,
    private readonly startTarget: ScheduleTargetStarter,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.folder = join(dataDir, 'schedules');
    for (const schedule of this.load(join(dataDir, 'schedules.json'))) {
      this.schedules.set(scheduleKey(schedule.Name, schedule.GroupName), schedule);
    }
  }

  /** The schedules on disk, and those of the single `schedules.json` earlier versions kept (moved). */
  private load(legacyFile: string): LocalSchedule[] {
    const byArn = new Map<string, LocalSchedule>();
    if (existsSync(this.folder)) {
      for (const group of readdirSync(this.folder)) {
        for (const file of readdirSync(join(this.folder, group)).filter((f) => f.endsWith('.json'))) {
          const schedule = readJsonFile(join(this.folder, group, file), localScheduleSchema, undefined);
          if (schedule) byArn.set(schedule.Arn, schedule);
        }
      }
    }
    if (existsSync(legacyFile)) {
      for (const schedule of readJsonFile(legacyFile, z.array(localScheduleSchema), [])) {
        if (byArn.has(schedule.Arn)) continue;
        byArn.set(schedule.Arn, schedule);
        this.save(schedule);
      }
      rmSync(legacyFile);
    }
    return [...byArn.values()];
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
    return [...this.schedules.values()];
  }

  /** Pending schedules with their next firing time on the local clock. */
  pending() {
    return [...this.schedules.values()]
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
    for (const schedule of [...this.schedules.values()]) {
      if (schedule.State !== 'ENABLED') continue;
      const due = nextFiring(schedule);
      if (due === undefined || due > now) continue;
      if (schedule.EndDate !== undefined && due > schedule.EndDate) continue;
      const at = new Date(now).toISOString();
      const result: FiredSchedule = { name: schedule.Name, groupName: schedule.GroupName, at };
      try {
        const started = await this.startTarget(withContext(schedule.Target, due), schedule);
        if (typeof started === 'string') result.executionArn = started;
        else result.invoked = started.invoked;
        this.log(
          `schedule ${schedule.GroupName}/${schedule.Name} ${typeof started === 'string' ? `started ${started}` : `invoked ${started.invoked}`}`,
        );
      } catch (error) {
        result.error = `${errorName(error)}: ${asError(error).message}`;
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
      // Its target may have deleted or replaced it meanwhile: then there is nothing to keep.
      if (this.schedules.get(scheduleKey(schedule.Name, schedule.GroupName)) !== schedule) continue;
      if (isOneTime(schedule) && schedule.ActionAfterCompletion === 'DELETE') this.remove(schedule);
      else this.save(schedule);
    }
    return fired;
  }

  /**
   * Creates the schedule unless one of that name has the same expression and target (then it keeps
   * its last firing): what CloudFormation does for the schedules the stack defines.
   */
  ensure(name: string, group: string, body: Record<string, unknown>): LocalSchedule {
    const existing = this.schedules.get(scheduleKey(name, group));
    const same =
      existing &&
      existing.ScheduleExpression === body.ScheduleExpression &&
      JSON.stringify(existing.Target) === JSON.stringify(body.Target);
    return same ? existing : this.put(name, group, body, existing !== undefined);
  }

  private path(schedule: Pick<LocalSchedule, 'GroupName' | 'Name'>): string {
    return join(this.folder, encodeURIComponent(schedule.GroupName), `${schedule.Name}.json`);
  }

  private save(schedule: LocalSchedule): void {
    writeJsonFile(this.path(schedule), schedule);
  }

  private remove(schedule: LocalSchedule): void {
    const k = scheduleKey(schedule.Name, schedule.GroupName);
    if (this.schedules.get(k) === schedule) this.schedules.delete(k);
    rmSync(this.path(schedule), { force: true });
  }

  /** Answers a Scheduler REST request, or returns undefined when the path is not the Scheduler's. */
  handle(request: SimpleRequest): SimpleResponse | undefined {
    const m = /^\/schedules(?:\/([^/]+))?$/.exec(request.path);
    if (!m) return undefined;
    const name = m[1] ? decodeURIComponent(m[1]) : undefined;
    try {
      if (!name && request.method === 'GET') return restJson(this.listSchedules(request.query));
      if (!name) throw new AwsApiError('ValidationException', 'Unsupported method', 405);
      const parsed: unknown = request.body ? JSON.parse(request.body) : {};
      const body = isRecord(parsed) ? parsed : {};
      const group = String(body.GroupName ?? request.query.get('groupName') ?? DEFAULT_GROUP);
      switch (request.method) {
        case 'POST':
          return restJson({ ScheduleArn: this.put(name, group, body, false).Arn });
        case 'PUT':
          return restJson({ ScheduleArn: this.put(name, group, body, true).Arn });
        case 'GET':
          return restJson(toApi(this.require(name, group)));
        case 'DELETE':
          this.remove(this.require(name, group));
          return restJson({});
        default:
          throw new AwsApiError('ValidationException', 'Unsupported method', 405);
      }
    } catch (error) {
      if (error instanceof AwsApiError) return restJsonError(error);
      if (error instanceof SyntaxError) {
        return restJsonError(new AwsApiError('ValidationException', 'The request body is not valid JSON'));
      }
      throw error;
    }
  }

  private put(name: string, group: string, body: Record<string, unknown>, update: boolean): LocalSchedule {
    if (!NAME.test(name)) throw new AwsApiError('ValidationException', `Invalid schedule name ${name}`);
    const existing = this.schedules.get(scheduleKey(name, group));
    if (update && !existing) throw notFound(name, group);
    if (!update && existing) {
      throw new AwsApiError('ConflictException', `Schedule ${name} already exists.`, 409);
    }
    const expression = String(body.ScheduleExpression ?? '');
    if (!/^(at|rate|cron)\(.+\)$/.test(expression)) {
      throw new AwsApiError('ValidationException', `Invalid Schedule Expression ${expression}.`);
    }
    const target = scheduleTargetSchema.safeParse(body.Target);
    if (!target.success) {
      throw new AwsApiError(
        'ValidationException',
        'Target.Arn and Target.RoleArn are required (Target.Input is text)',
      );
    }
    const timezone = body.ScheduleExpressionTimezone ? String(body.ScheduleExpressionTimezone) : undefined;
    if (timezone) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: timezone });
      } catch {
        throw new AwsApiError('ValidationException', `Invalid ScheduleExpressionTimezone ${timezone}`);
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
      FlexibleTimeWindow: flexibleWindowOf(body.FlexibleTimeWindow),
      ActionAfterCompletion: body.ActionAfterCompletion === 'DELETE' ? 'DELETE' : 'NONE',
      Target: target.data,
      ...(typeof body.StartDate === 'number' ? { StartDate: body.StartDate * 1000 } : {}),
      ...(typeof body.EndDate === 'number' ? { EndDate: body.EndDate * 1000 } : {}),
      CreationDate: existing?.CreationDate ?? now,
      LastModificationDate: now,
      clockOffsetMs: this.clock.offset,
    };
    if (nextFiring(schedule) === undefined && !expression.startsWith('cron(')) {
      throw new AwsApiError('ValidationException', `Invalid Schedule Expression ${expression}.`);
    }
    // A replaced schedule goes to the end, as it did when the list was rebuilt on every change.
    this.schedules.delete(scheduleKey(name, group));
    this.schedules.set(scheduleKey(name, group), schedule);
    this.save(schedule);
    return schedule;
  }

  private require(name: string, group: string): LocalSchedule {
    const found = this.schedules.get(scheduleKey(name, group));
    if (!found) throw notFound(name, group);
    return found;
  }

  private listSchedules(query: URLSearchParams) {
    const group = query.get('ScheduleGroup');
    const prefix = query.get('NamePrefix') ?? '';
    const state = query.get('State');
    const max = Number(query.get('MaxResults') ?? 100) || 100;
    const start = Number(query.get('NextToken') ?? 0) || 0;
    const all = [...this.schedules.values()].filter(
      (s) => (!group || s.GroupName === group) && s.Name.startsWith(prefix) && (!state || s.State === state),
    );
    const { page, next } = pageAt(all, start, max);
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
      ...(next !== undefined ? { NextToken: String(next) } : {}),
    };
  }
}

function scheduleKey(name: string, group: string): string {
  return `${group}\u0000${name}`;
}

/**
 * The target with Scheduler's context attributes in its Input filled in, as on AWS: the scheduled time
 * (on the local clock) and an id of this firing.
 */
function withContext(target: ScheduleTarget, due: number): ScheduleTarget {
  if (!target.Input?.includes('<aws.scheduler.')) return target;
  const Input = target.Input.replaceAll('<aws.scheduler.scheduled-time>', new Date(due).toISOString())
    .replaceAll('<aws.scheduler.execution-id>', randomUUID())
    .replaceAll('<aws.scheduler.attempt-number>', '1');
  return { ...target, Input };
}

/** The FlexibleTimeWindow given, OFF when none is. */
function flexibleWindowOf(given: unknown): LocalSchedule['FlexibleTimeWindow'] {
  if (given === undefined || given === null) return { Mode: 'OFF' };
  const window = flexibleTimeWindowSchema.safeParse(given);
  if (!window.success) throw new AwsApiError('ValidationException', 'FlexibleTimeWindow.Mode is required');
  return window.data;
}

function notFound(name: string, group: string): AwsApiError {
  return new AwsApiError(
    'ResourceNotFoundException',
    `Schedule ${name} does not exist in group ${group}.`,
    404,
  );
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
