/**
 * Issue 22: no renewal lost to a retry. A write can land while its answer is lost (a DynamoDB call
 * that timed out): the SDK sends it again, or Step Functions runs the whole step again. Either retry
 * must succeed with the same result and leave one audit line, on a real DynamoDB engine (dynalite).
 */
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { planRenewal } from '#shared/renewal/plan-renewal.ts';
import { recordRenewal } from '#shared/renewal/record-renewal.ts';
import { scheduleRenewal } from '#shared/renewal/schedule-renewal.ts';
import type { AuditEvent, RequestRecord } from '#shared/workflow/records.ts';
import requestFixture from '../../events/request-record.json' with { type: 'json' };
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';

let now = new Date('2027-11-28T10:00:00.000Z');
let table: DynaliteTable;
/** Audit event types whose next PutItem lands but whose answer is lost (the SDK then resends it). */
const loseAnswerOf = new Set<string>();
let answersLost = 0;

beforeAll(async () => {
  table = await startDynaliteTable(() => now);
  table.raw.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const item = (args.input as { Item?: { type?: { S?: string } } }).Item;
      const type = item?.type?.S;
      if (context.commandName === 'PutItemCommand' && type && loseAnswerOf.delete(type)) {
        answersLost += 1;
        // What the SDK sees when the response never came: a TimeoutError, which it retries.
        throw Object.assign(new Error('Connection timed out after the write'), {
          name: 'TimeoutError',
          $metadata: {},
        });
      }
      return result;
    },
    { step: 'deserialize', name: 'loseTheAnswer' },
  );
});
afterAll(() => table.stop());

let seq = 0;
async function givenApproved(change: (r: RequestRecord) => void = () => {}): Promise<string> {
  seq += 1;
  const request = structuredClone(requestFixture) as RequestRecord;
  request.requestId = `SR-20271128-RETRY${String(seq).padStart(3, '0')}`;
  request.status = 'APPROVED';
  change(request);
  await table.store.createRequest(request);
  return request.requestId;
}
const events = async (requestId: string, type: AuditEvent['type']) =>
  (await table.store.listAudit(requestId)).filter((e) => e.type === type);

beforeEach(() => {
  now = new Date('2027-11-28T10:00:00.000Z');
  loseAnswerOf.clear();
  answersLost = 0;
});

describe('plan-renewal after a write that landed', () => {
  const deps = () => ({ store: table.store, now: () => now });

  it('the audit append whose answer was lost, resent by the SDK: the step succeeds, one RENEWAL_STARTED', async () => {
    const requestId = await givenApproved();
    loseAnswerOf.add('RENEWAL_STARTED');

    const plan = await planRenewal({ requestId }, deps());

    expect(answersLost).toBe(1);
    expect(plan).toMatchObject({ requestId, dpaRenewalDue: true, sslRetestDue: true });
    expect(await events(requestId, 'RENEWAL_STARTED')).toHaveLength(1);
  });

  it('run again by Step Functions minutes later: the same plan, the same start time, one RENEWAL_STARTED', async () => {
    const requestId = await givenApproved();
    const first = await planRenewal({ requestId }, deps());
    now = new Date(now.getTime() + 5 * 60_000);

    const second = await planRenewal({ requestId }, deps());

    expect(second).toEqual(first);
    const started = await events(requestId, 'RENEWAL_STARTED');
    expect(started.map((e) => e.at)).toEqual(['2027-11-28T10:00:00.000Z']);
    expect((await table.store.getRequest(requestId))?.renewal).toMatchObject({
      status: 'IN_PROGRESS',
      startedAt: '2027-11-28T10:00:00.000Z',
    });
  });

  it('a renewal left IN_PROGRESS long ago (it never finished) is not this one: a new start is recorded', async () => {
    const requestId = await givenApproved((r) => {
      r.renewal = { status: 'IN_PROGRESS', startedAt: '2026-11-28T10:00:00.000Z' };
    });

    await planRenewal({ requestId }, deps());

    expect((await events(requestId, 'RENEWAL_STARTED')).map((e) => e.at)).toEqual([
      '2027-11-28T10:00:00.000Z',
    ]);
    expect((await table.store.getRequest(requestId))?.renewal?.startedAt).toBe('2027-11-28T10:00:00.000Z');
  });

  it('another event already under the key is still a conflict, never taken for this one', async () => {
    const requestId = await givenApproved();
    await table.store.appendAudit(
      {
        requestId,
        at: now.toISOString(),
        sopStep: 17,
        type: 'STEP',
        summary: 'something else',
        actor: 'workflow',
      },
      { key: 'renewal-started' },
    );

    await expect(planRenewal({ requestId }, deps())).rejects.toThrow(/already exists/);
  });
});

describe('schedule-renewal and record-renewal after a write that landed', () => {
  const scheduler = mockClient(SchedulerClient);
  const scheduleDeps = () => ({
    store: table.store,
    scheduler: new SchedulerClient({ region: 'us-east-1' }),
    config: {
      renewalStateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:annual-renewal',
      schedulerRoleArn: 'arn:aws:iam::123456789012:role/scheduler',
      scheduleGroupName: 'software-requests',
      leadDays: 30,
    },
    now: () => now,
  });

  it('schedule-renewal: the RENEWAL_SCHEDULED append resent by the SDK succeeds, one line', async () => {
    scheduler.reset();
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
    const requestId = await givenApproved();
    loseAnswerOf.add('RENEWAL_SCHEDULED');

    const out = await scheduleRenewal({ requestId }, scheduleDeps());

    expect(answersLost).toBe(1);
    expect(out.scheduled).toBe(true);
    expect(await events(requestId, 'RENEWAL_SCHEDULED')).toHaveLength(1);
  });

  it('schedule-renewal run again by Step Functions minutes later: the same schedule, one RENEWAL_SCHEDULED', async () => {
    scheduler.reset();
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
    const requestId = await givenApproved();

    const first = await scheduleRenewal({ requestId }, scheduleDeps());
    now = new Date(now.getTime() + 5 * 60_000);
    const second = await scheduleRenewal({ requestId }, scheduleDeps());

    expect(second).toEqual(first);
    expect((await events(requestId, 'RENEWAL_SCHEDULED')).map((e) => e.at)).toEqual([
      '2027-11-28T10:00:00.000Z',
    ]);
  });

  const recordDeps = () => ({
    store: table.store,
    mailer: { send: async () => ({ messageId: 'never' }) },
    now: () => now,
    publicBaseUrl: 'https://requests.district.example',
    cybersecurityEmail: 'ccs@district.example',
  });

  it('record-renewal RENEWED: resent by the SDK, then run again by Step Functions: the same renewal, one RENEWED', async () => {
    const requestId = await givenApproved((r) => {
      r.renewal = { status: 'IN_PROGRESS', dueOn: '2028-11-28', startedAt: '2027-11-28T09:00:00.000Z' };
    });
    loseAnswerOf.add('RENEWED');

    const first = await recordRenewal({ requestId, outcome: 'RENEWED' }, recordDeps());
    now = new Date(now.getTime() + 60_000);
    const second = await recordRenewal({ requestId, outcome: 'RENEWED' }, recordDeps());

    expect(answersLost).toBe(1);
    expect(second).toEqual(first);
    expect(first.renewal).toMatchObject({ status: 'RENEWED', lastRenewedAt: '2027-11-28T10:00:00.000Z' });
    expect(await events(requestId, 'RENEWED')).toHaveLength(1);
  });

  it('record-renewal LAPSED: run again after its update landed and before its audit line: one RENEWAL_LAPSED, at the first time', async () => {
    const requestId = await givenApproved((r) => {
      r.renewal = { status: 'IN_PROGRESS', dueOn: '2028-11-28', startedAt: '2027-11-28T09:00:00.000Z' };
    });
    const denial = { sopStep: 17, reason: 'The vendor did not renew the student Data Privacy Agreement' };
    const sent: string[] = [];
    const failingAudit = {
      ...recordDeps(),
      mailer: { send: async (e: { subject: string }) => ({ messageId: String(sent.push(e.subject)) }) },
      // The first attempt dies after the request's update, before its audit line.
      store: new Proxy(table.store, {
        get: (target, prop, receiver) =>
          prop === 'appendAudit'
            ? () => Promise.reject(new Error('Lambda timed out'))
            : Reflect.get(target, prop, receiver),
      }),
    };

    await expect(recordRenewal({ requestId, outcome: 'LAPSED', denial }, failingAudit)).rejects.toThrow(
      'Lambda timed out',
    );
    now = new Date(now.getTime() + 60_000);
    await recordRenewal(
      { requestId, outcome: 'LAPSED', denial },
      { ...recordDeps(), mailer: failingAudit.mailer },
    );
    await recordRenewal(
      { requestId, outcome: 'LAPSED', denial },
      { ...recordDeps(), mailer: failingAudit.mailer },
    );

    expect((await events(requestId, 'RENEWAL_LAPSED')).map((e) => e.at)).toEqual([
      '2027-11-28T10:00:00.000Z',
    ]);
    expect(sent).toHaveLength(1);
  });
});
