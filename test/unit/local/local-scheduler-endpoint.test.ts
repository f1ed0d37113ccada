/**
 * The local EventBridge stand-ins, spoken to with the real SDK clients: the Scheduler's REST API,
 * one-time schedules fired by the local clock (SOP 17's renewal trigger), and the PutEvents sink.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventsSink } from '#local/events-sink.ts';
import { readBody, writeResponse } from '#local/http-server.ts';
import { LocalClock, parseAdvance } from '#local/scheduler/clock.ts';
import { SchedulerEndpoint } from '#local/scheduler/endpoint.ts';
import { type LocalSchedule, type ScheduleTarget, wallTimeToUtc } from '#local/scheduler/schedule.ts';

const DAY = 86_400_000;
const RENEWAL_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:annual-renewal';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let dataDir: string;
let server: Server;
let clock: LocalClock;
let scheduler: SchedulerEndpoint;
let events: EventsSink;
let started: { target: ScheduleTarget; name: string }[];
let schedulerClient: SchedulerClient;
let eventBridge: EventBridgeClient;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'scheduler-endpoint-'));
  clock = new LocalClock(join(dataDir, 'clock.json'));
  started = [];
  scheduler = new SchedulerEndpoint(dataDir, clock, async (target, schedule) => {
    started.push({ target, name: schedule.Name });
    if (target.Arn.startsWith('arn:aws:lambda:')) return { invoked: target.Arn };
    return `arn:aws:states:us-east-1:000000000000:execution:annual-renewal:${schedule.Name}`;
  });
  events = new EventsSink(dataDir);
  server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const request = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: await readBody(req),
        params: {},
      };
      writeResponse(res, scheduler.handle(request) ?? events.handle(request) ?? { status: 404 });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  schedulerClient = new SchedulerClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  eventBridge = new EventBridgeClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
});

afterEach(async () => {
  await scheduler.stop();
  schedulerClient.destroy();
  eventBridge.destroy();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  rmSync(dataDir, { recursive: true, force: true });
});

function renewalSchedule(name: string, dueInDays: number): CreateScheduleCommandInput {
  const due = new Date(Date.now() + dueInDays * DAY);
  return {
    Name: name,
    GroupName: 'software-request-renewals',
    ScheduleExpression: `at(${due.toISOString().slice(0, 19)})`,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: { Arn: RENEWAL_ARN, RoleArn: 'arn:aws:iam::000000000000:role/x', Input: '{"requestId":"SR-1"}' },
  };
}

describe('local EventBridge Scheduler', () => {
  it('creates, reads, lists and deletes schedules through the SDK', async () => {
    const input = renewalSchedule('renewal-SR-1-2027', 365);

    const created = await schedulerClient.send(new CreateScheduleCommand(input));
    const read = await schedulerClient.send(
      new GetScheduleCommand({ Name: input.Name, GroupName: input.GroupName }),
    );
    const listed = await schedulerClient.send(new ListSchedulesCommand({ GroupName: input.GroupName }));
    await schedulerClient.send(new DeleteScheduleCommand({ Name: input.Name, GroupName: input.GroupName }));

    expect(created.ScheduleArn).toBe(
      'arn:aws:scheduler:us-east-1:000000000000:schedule/software-request-renewals/renewal-SR-1-2027',
    );
    expect(read).toMatchObject({
      Name: input.Name,
      ScheduleExpression: input.ScheduleExpression,
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: RENEWAL_ARN, Input: '{"requestId":"SR-1"}' },
    });
    expect(read.CreationDate).toBeInstanceOf(Date);
    expect(listed.Schedules?.map((s) => s.Name)).toEqual([input.Name]);
    expect(scheduler.list()).toEqual([]);
  });

  it('answers a duplicate name with ConflictException and a missing one with ResourceNotFoundException', async () => {
    const input = renewalSchedule('renewal-SR-2-2027', 365);
    await schedulerClient.send(new CreateScheduleCommand(input));

    await expect(schedulerClient.send(new CreateScheduleCommand(input))).rejects.toMatchObject({
      name: 'ConflictException',
    });
    await expect(
      schedulerClient.send(new GetScheduleCommand({ Name: 'nope', GroupName: input.GroupName })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      schedulerClient.send(
        new CreateScheduleCommand({ ...input, Name: 'bad', ScheduleExpression: 'tomorrow' }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('SOP 17: a one-time schedule starts its target once the local clock passes it, with its input, then is deleted', async () => {
    await schedulerClient.send(new CreateScheduleCommand(renewalSchedule('renewal-SR-3-2027', 365)));

    const early = await scheduler.fireDue();
    clock.advance(364 * DAY);
    const stillEarly = await scheduler.fireDue();
    clock.advance(2 * DAY);
    const fired = await scheduler.fireDue();
    const again = await scheduler.fireDue();

    expect(early).toEqual([]);
    expect(stillEarly).toEqual([]);
    expect(fired).toEqual([
      expect.objectContaining({ name: 'renewal-SR-3-2027', executionArn: expect.any(String) }),
    ]);
    expect(again).toEqual([]);
    expect(started).toEqual([
      {
        name: 'renewal-SR-3-2027',
        target: expect.objectContaining({ Arn: RENEWAL_ARN, Input: '{"requestId":"SR-1"}' }),
      },
    ]);
    expect(scheduler.list()).toEqual([]);
  });

  it('a reminder schedule with a Lambda target invokes the function with its input and reports it', async () => {
    // Prepare
    const reminder = renewalSchedule('remind-TaskId0000000000000001-1', 7);
    const functionArn = 'arn:aws:lambda:us-east-1:000000000000:function:software-request-remind-task';
    reminder.Target = {
      Arn: functionArn,
      RoleArn: 'arn:aws:iam::000000000000:role/x',
      Input: '{"taskId":"TaskId0000000000000001","reminder":1}',
    };
    await schedulerClient.send(new CreateScheduleCommand(reminder));

    // Act
    clock.advance(8 * DAY);
    const fired = await scheduler.fireDue();

    // Assess
    expect(fired).toEqual([
      expect.objectContaining({ name: 'remind-TaskId0000000000000001-1', invoked: functionArn }),
    ]);
    expect(fired[0]?.executionArn).toBeUndefined();
    expect(started[0]?.target).toMatchObject({
      Arn: functionArn,
      Input: '{"taskId":"TaskId0000000000000001","reminder":1}',
    });
  });

  it('a schedule created after the clock moved is due that much later (handlers compute times in real time)', async () => {
    clock.advance(366 * DAY);
    await schedulerClient.send(new CreateScheduleCommand(renewalSchedule('renewal-SR-4-2028', 365)));

    const now = await scheduler.fireDue();
    clock.advance(366 * DAY);
    const nextYear = await scheduler.fireDue();

    expect(now).toEqual([]);
    expect(nextYear.map((f) => f.name)).toEqual(['renewal-SR-4-2028']);
  });

  it('keeps schedules and the clock on disk', async () => {
    await schedulerClient.send(new CreateScheduleCommand(renewalSchedule('renewal-SR-5-2027', 365)));
    clock.advance(DAY);

    const reopenedClock = new LocalClock(join(dataDir, 'clock.json'));
    const reopened = new SchedulerEndpoint(dataDir, reopenedClock, async () => 'arn');

    expect(reopenedClock.offsetSeconds).toBe(86_400);
    expect(reopened.pending().map((p) => p.name)).toEqual(['renewal-SR-5-2027']);
  });

  it('keeps each schedule in a file of its own: a deletion, a firing and a restart agree on disk', async () => {
    await schedulerClient.send(new CreateScheduleCommand(renewalSchedule('renewal-SR-6-2027', 365)));
    await schedulerClient.send(new CreateScheduleCommand(renewalSchedule('renewal-SR-7-2027', 1)));
    await schedulerClient.send(new CreateScheduleCommand(renewalSchedule('renewal-SR-8-2027', 365)));
    await schedulerClient.send(
      new DeleteScheduleCommand({ Name: 'renewal-SR-8-2027', GroupName: 'software-request-renewals' }),
    );
    clock.advance(2 * DAY);
    await scheduler.fireDue();

    const reopened = new SchedulerEndpoint(dataDir, clock, async () => 'arn');
    expect(reopened.pending().map((p) => p.name)).toEqual(['renewal-SR-6-2027']);
    expect(readdirSync(join(dataDir, 'schedules', 'software-request-renewals'))).toEqual([
      'renewal-SR-6-2027.json',
    ]);
  });

  it('moves the schedules of the single schedules.json that earlier versions kept', () => {
    const legacy = { ...toLocal(renewalSchedule('renewal-SR-9-2027', 30)) };
    writeFileSync(join(dataDir, 'schedules.json'), JSON.stringify([legacy]));

    const reopened = new SchedulerEndpoint(dataDir, clock, async () => 'arn');

    expect(reopened.pending().map((p) => p.name)).toEqual(['renewal-SR-9-2027']);
    expect(existsSync(join(dataDir, 'schedules.json'))).toBe(false);
    expect(new SchedulerEndpoint(dataDir, clock, async () => 'arn').pending()).toHaveLength(1);
  });

  it('the clock only moves forward: advanceDays/Hours/Seconds, nothing else', () => {
    expect(parseAdvance('{"advanceDays":1,"advanceHours":2,"advanceSeconds":3}')).toBe(DAY + 7_203_000);
    expect(() => parseAdvance('{"advanceDays":-1}')).toThrow(/non-negative/);
    expect(() => parseAdvance('{"days":1}')).toThrow(/Unknown field days/);
    expect(() => parseAdvance('not json')).toThrow(/JSON/);
  });

  it('reads at() times in the schedule timezone', () => {
    expect(wallTimeToUtc('2027-01-15T09:00:00', 'UTC')).toBe(Date.parse('2027-01-15T09:00:00Z'));
    expect(wallTimeToUtc('2027-01-15T09:00:00', 'America/Chicago')).toBe(Date.parse('2027-01-15T15:00:00Z'));
    expect(wallTimeToUtc('2027-07-15T09:00:00', 'America/Chicago')).toBe(Date.parse('2027-07-15T14:00:00Z'));
  });
});

describe('local EventBridge PutEvents sink', () => {
  it('records each event with its bus, source, detail type and detail', async () => {
    const out = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'software-requests',
            Source: 'district.software-requests',
            DetailType: 'PurchaseOrderRequested',
            Detail: '{"requestId":"SR-1"}',
          },
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(0);
    expect(events.list()).toEqual([
      expect.objectContaining({
        eventBusName: 'software-requests',
        source: 'district.software-requests',
        detailType: 'PurchaseOrderRequested',
        detail: { requestId: 'SR-1' },
      }),
    ]);
  });

  it('keeps events across a restart, appended one line each, and moves the events.json of earlier versions', async () => {
    const legacy = {
      id: 'e-0',
      at: '2026-01-01T00:00:00.000Z',
      eventBusName: 'b',
      source: 's',
      detailType: 'Old',
      detail: {},
      resources: [],
    };
    writeFileSync(join(dataDir, 'events.json'), JSON.stringify([legacy]));
    const sink = new EventsSink(dataDir);
    const put = (detailType: string) =>
      sink.handle({
        method: 'POST',
        path: '/',
        query: new URLSearchParams(),
        headers: { 'x-amz-target': 'AWSEvents.PutEvents' },
        body: JSON.stringify({ Entries: [{ Source: 's', DetailType: detailType, Detail: '{}' }] }),
        params: {},
      });
    put('First');
    put('Second');

    const reopened = new EventsSink(dataDir);

    expect(reopened.list().map((e) => e.detailType)).toEqual(['Old', 'First', 'Second']);
    expect(existsSync(join(dataDir, 'events.json'))).toBe(false);
    expect(readFileSync(join(dataDir, 'events.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
  });
});

/** A schedule as the endpoint keeps it on disk. */
function toLocal(input: CreateScheduleCommandInput): LocalSchedule {
  const now = Date.now();
  return {
    Name: input.Name as string,
    GroupName: input.GroupName as string,
    Arn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${input.GroupName}/${input.Name}`,
    ScheduleExpression: input.ScheduleExpression as string,
    ScheduleExpressionTimezone: 'UTC',
    State: 'ENABLED',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: input.Target as LocalSchedule['Target'],
    CreationDate: now,
    LastModificationDate: now,
    clockOffsetMs: 0,
  };
}
