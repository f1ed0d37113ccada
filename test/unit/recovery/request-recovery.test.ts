/**
 * SOP 2 → 3 recovery: a request that was stored but whose workflow never started (the submission
 * crashed between the request write and StartExecution, and nobody submitted again) is started by
 * the sweep once it is older than a minute, named by its id, exactly as the submission would have
 * started it; the requester is acknowledged once, whoever gets there first. The sweep is idempotent,
 * leaves younger requests to their submission, and one request that cannot start does not stop the
 * others.
 */
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { recoverRequests } from '#lambdas/recover-requests.ts';
import { dynamoDb } from '#shared/core/aws/clients.ts';
import { TransientError } from '#shared/core/errors.ts';
import { logger } from '#shared/core/logger.ts';
import { SesMailer } from '#shared/core/mail/ses-mailer.ts';
import { FUNCTIONS, lambdaTimeoutSeconds } from '#shared/functions.ts';
import { restartedAtOf } from '#shared/recovery/recovery-sweep.ts';
import {
  DEFAULT_MIN_AGE_SECONDS,
  RECOVERY_AUDIT_TYPE,
  type RecoveryDeps,
  startUnstartedRequests,
} from '#shared/recovery/request-recovery.ts';
import {
  executionArnFor,
  SUBMITTED_ACTIVITY,
  type SubmissionDeps,
  submitResourceRequest,
  workflowInput,
} from '#shared/requests/submission.ts';
import { WorkflowStore } from '#shared/store.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import { parseResourceRequest } from '#shared/workflow/request-schema.ts';
import validRequest from '../../events/resource-request.json' with { type: 'json' };
import { installMemoryTable } from '../../support/memory-table.ts';

const ddb = mockClient(dynamoDb);
const sfnClient = new SFNClient({ region: 'us-east-1' });
const sesClient = new SESClient({ region: 'us-east-1' });
const sfnMock = mockClient(sfnClient);
const sesMock = mockClient(sesClient);

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:software-request';
const STEWARDSHIP_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:resource-stewardship';
const BASE_URL = 'https://requests.district.example';
const SUBMITTED_AT = new Date('2026-09-01T14:30:00.000Z');
const LATER = new Date(SUBMITTED_AT.getTime() + 2 * 60_000);
const ORPHAN = 'SR-20260901-7K3M9QXA';
const OTHER = 'SR-20260901-8M4N0RYB';

let table: ReturnType<typeof installMemoryTable>;
let clock: Date;
let ids: string[];

const store = () => new WorkflowStore({ tableName: 'requests', client: dynamoDb, now: () => clock });
const mailer = () => new SesMailer({ from: 'no-reply@district.example', client: sesClient });

function recoveryDeps(): RecoveryDeps {
  return {
    store: store(),
    sfn: sfnClient,
    mailer: mailer(),
    stateMachineArn: STATE_MACHINE_ARN,
    publicBaseUrl: BASE_URL,
    now: () => clock,
  };
}

function submissionDeps(): SubmissionDeps {
  return {
    store: store(),
    sfn: sfnClient,
    mailer: mailer(),
    stateMachineArn: STATE_MACHINE_ARN,
    publicBaseUrl: BASE_URL,
    now: () => clock,
    newRequestId: () => ids.shift() ?? 'SR-20260901-ZZZZZZZZ',
  };
}

const denied = () =>
  Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: {} });
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

/**
 * A request as an interrupted submission leaves it: stored and audited, StartExecution failed (here:
 * denied) and the client never submitted again.
 */
async function orphanedSubmission(body: Record<string, unknown> = validRequest) {
  sfnMock.on(StartExecutionCommand).rejectsOnce(denied());
  const result = await submitResourceRequest({ body }, submissionDeps());
  expect(result.outcome).toBe('incomplete');
  sfnMock.reset();
  sesMock.reset();
  installClients();
}

/** A request exactly as createRequest stores it, with nothing after it (a crash right after the write). */
async function storedOnly(requestId: string, change: (r: RequestRecord) => void = () => {}) {
  const parsed = parseResourceRequest(validRequest);
  if (!parsed.ok) throw new Error('fixture is invalid');
  const record: RequestRecord = {
    requestId,
    createdAt: SUBMITTED_AT.toISOString(),
    updatedAt: SUBMITTED_AT.toISOString(),
    status: 'IN_REVIEW',
    currentStep: 2,
    currentActivity: SUBMITTED_ACTIVITY,
    submitted: parsed.value,
    resource: workflowInput(requestId, parsed.value).resource,
    replacementCount: 0,
  };
  change(record);
  await store().createRequest(record);
}

function installClients() {
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: executionArnFor(STATE_MACHINE_ARN, input.name),
    startDate: clock,
  }));
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'msg-1' });
}

const starts = () => sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
const mails = () => sesMock.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
const unstarted = () => store().listUnstartedRequests('9999', 100);

beforeEach(() => {
  ddb.reset();
  sfnMock.reset();
  sesMock.reset();
  table = installMemoryTable(ddb);
  installClients();
  clock = SUBMITTED_AT;
  ids = [ORPHAN, OTHER];
});
afterEach(() => vi.restoreAllMocks());

describe('the store: a request is "unstarted" from its creation until its workflow is recorded', () => {
  it('createRequest puts the request in the UNSTARTED partition of GSI2, keyed by its creation time', async () => {
    await storedOnly(ORPHAN);

    expect(table.request(ORPHAN)).toMatchObject({ GSI2PK: 'UNSTARTED', GSI2SK: SUBMITTED_AT.toISOString() });
    expect((await unstarted()).map((r) => r.requestId)).toEqual([ORPHAN]);
  });

  it('markRequestStarted records the execution and takes the request out of the partition', async () => {
    await storedOnly(ORPHAN);

    await store().markRequestStarted(ORPHAN, executionArnFor(STATE_MACHINE_ARN, ORPHAN));

    expect(table.request(ORPHAN)?.executionArn).toBe(executionArnFor(STATE_MACHINE_ARN, ORPHAN));
    expect(table.request(ORPHAN)).not.toHaveProperty('GSI2PK');
    expect(table.request(ORPHAN)).not.toHaveProperty('GSI2SK');
    expect(await unstarted()).toEqual([]);
  });

  it('listUnstartedRequests asks GSI2 for one page of the oldest requests created before the given time', async () => {
    await store().listUnstartedRequests('2026-09-01T14:29:00.000Z', 25);

    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :before',
      ExpressionAttributeValues: { ':pk': 'UNSTARTED', ':before': '2026-09-01T14:29:00.000Z' },
      Limit: 25,
    });
  });

  it('a completed submission records its execution with markRequestStarted, so nothing is left to sweep', async () => {
    await submitResourceRequest({ body: validRequest }, submissionDeps());

    expect(await unstarted()).toEqual([]);
    expect(table.request(ORPHAN)?.executionArn).toBe(executionArnFor(STATE_MACHINE_ARN, ORPHAN));
  });
});

describe('the sweep starts a request whose submission was interrupted', () => {
  it('older than a minute: starts it with the submission input, audits it, acknowledges it once and records it', async () => {
    // Prepare
    await orphanedSubmission();
    clock = LATER;

    // Act
    const result = await startUnstartedRequests(recoveryDeps());

    // Assess: started as the submission would have, named by the request id
    expect(result).toEqual({ started: [ORPHAN], alreadyRunning: [], failed: [] });
    expect(starts()).toEqual([
      {
        stateMachineArn: STATE_MACHINE_ARN,
        name: ORPHAN,
        input: JSON.stringify(
          workflowInput(ORPHAN, (table.request(ORPHAN) as unknown as RequestRecord).submitted),
        ),
      },
    ]);
    expect(JSON.parse(starts()[0]?.input ?? '')).toMatchObject({ requestId: ORPHAN, replacementCount: 0 });
    // recorded: out of the unstarted partition
    expect(table.request(ORPHAN)?.executionArn).toBe(executionArnFor(STATE_MACHINE_ARN, ORPHAN));
    expect(await unstarted()).toEqual([]);
    // the audit trail says what happened
    expect(table.audit(ORPHAN).map((e) => e.type)).toEqual(['SUBMITTED', RECOVERY_AUDIT_TYPE]);
    expect(table.audit(ORPHAN)[1]).toMatchObject({ sopStep: 2, actor: 'workflow' });
    // the requester hears about it once
    expect(mails()).toHaveLength(1);
    expect(mails()[0]?.Destination?.ToAddresses).toEqual(['maria.lopez@district.example']);
    expect(mails()[0]?.Message?.Body?.Text?.Data).toContain(`${BASE_URL}/requests/${ORPHAN}`);
  });

  it('younger than a minute: left alone, its submission may still be running', async () => {
    await orphanedSubmission();
    clock = new Date(SUBMITTED_AT.getTime() + (DEFAULT_MIN_AGE_SECONDS - 1) * 1000);

    const result = await startUnstartedRequests(recoveryDeps());

    expect(result).toEqual({ started: [], alreadyRunning: [], failed: [] });
    expect(starts()).toEqual([]);
    expect(mails()).toEqual([]);
  });

  it('younger than a minute but stored before the local runtime restarted: started at once (its submission died)', async () => {
    await orphanedSubmission();
    clock = new Date(SUBMITTED_AT.getTime() + 5_000);
    const restartedAt = new Date(SUBMITTED_AT.getTime() + 1_000);

    const result = await startUnstartedRequests(recoveryDeps(), { restartedAt });

    expect(result).toEqual({ started: [ORPHAN], alreadyRunning: [], failed: [] });
    expect(mails()).toHaveLength(1);
  });

  it('stored after the restart and younger than a minute: left alone, its submission may be running now', async () => {
    await orphanedSubmission();
    clock = new Date(SUBMITTED_AT.getTime() + 5_000);

    const result = await startUnstartedRequests(recoveryDeps(), {
      restartedAt: new Date(SUBMITTED_AT.getTime() - 1_000),
    });

    expect(result.started).toEqual([]);
    expect(starts()).toEqual([]);
  });

  it("the restart time comes only from the local runtime's scheduled event, and never from the future", () => {
    const now = new Date('2026-11-28T12:00:00.000Z');
    const event = (detail: unknown) => ({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail });

    expect(restartedAtOf(event({ restartedAt: '2026-11-28T11:59:00.000Z' }), now)).toEqual(
      new Date('2026-11-28T11:59:00.000Z'),
    );
    // AWS's schedule: no detail; anything else is ignored.
    expect(restartedAtOf(event({}), now)).toBeUndefined();
    expect(restartedAtOf(event({ restartedAt: 'yesterday' }), now)).toBeUndefined();
    expect(restartedAtOf(event({ restartedAt: '2026-11-28T12:05:00.000Z' }), now)).toBeUndefined();
    expect(restartedAtOf(null, now)).toBeUndefined();
  });

  it('waits longer than a submission can run (the submit-request Lambda timeout)', () => {
    const submit = FUNCTIONS.find((f) => f.name === 'submit-request');

    expect(submit).toBeDefined();
    expect(DEFAULT_MIN_AGE_SECONDS).toBeGreaterThan(
      lambdaTimeoutSeconds(submit as (typeof FUNCTIONS)[number]),
    );
  });

  it('a crash right after the request write (no audit yet): the sweep adds the SUBMITTED event first', async () => {
    await storedOnly(ORPHAN);
    clock = LATER;

    await startUnstartedRequests(recoveryDeps());

    expect(table.audit(ORPHAN)).toEqual([
      expect.objectContaining({ type: 'SUBMITTED', sopStep: 2, actor: 'maria.lopez@district.example' }),
      expect.objectContaining({ type: RECOVERY_AUDIT_TYPE }),
    ]);
    expect(starts()).toHaveLength(1);
    expect(mails()).toHaveLength(1);
  });

  it('ExecutionAlreadyExists counts as started (the submission started it, then died before recording it)', async () => {
    await orphanedSubmission();
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    clock = LATER;

    const result = await startUnstartedRequests(recoveryDeps());

    expect(result.started).toEqual([ORPHAN]);
    expect(table.request(ORPHAN)?.executionArn).toBe(executionArnFor(STATE_MACHINE_ARN, ORPHAN));
    expect(await unstarted()).toEqual([]);
  });

  it('a requester already acknowledged (the outbox entry is marked sent) gets no second email', async () => {
    await orphanedSubmission();
    await store().recordEffect(ORPHAN, 'ack', { to: ['t@x.example'], subject: 's', text: 't', html: 'h' });
    await store().markEffectSent(ORPHAN, 'ack', 'msg-0');
    clock = LATER;

    await startUnstartedRequests(recoveryDeps());

    expect(starts()).toHaveLength(1);
    expect(mails()).toEqual([]);
  });

  it('an acknowledgement recorded by a submission that died before SES is sent once it is a minute old, once', async () => {
    await orphanedSubmission();
    await store().recordEffect(ORPHAN, 'ack', {
      to: ['t@x.example'],
      subject: 'recorded',
      text: 't',
      html: 'h',
    });
    clock = LATER;

    await startUnstartedRequests(recoveryDeps());
    await startUnstartedRequests(recoveryDeps());

    // The email the dead submission recorded, as it recorded it.
    expect(mails().map((m) => m.Message?.Subject?.Data)).toEqual(['recorded']);
    expect((await store().getEffect(ORPHAN, 'ack'))?.messageId).toBeDefined();
  });

  it('a request whose execution is recorded already (a stale index entry) is taken out of the partition, never started again', async () => {
    await storedOnly(ORPHAN, (r) => {
      r.executionArn = executionArnFor(STATE_MACHINE_ARN, ORPHAN);
    });
    clock = LATER;

    const result = await startUnstartedRequests(recoveryDeps());

    expect(result).toEqual({ started: [], alreadyRunning: [ORPHAN], failed: [] });
    expect(starts()).toEqual([]);
    // (the acknowledgement, which this request never had, goes out on the way)
    expect(mails()).toHaveLength(1);
    expect(await unstarted()).toEqual([]);
  });

  it('a request the workflow has visibly moved on (step 7, or decided) is never started again', async () => {
    await storedOnly(ORPHAN, (r) => {
      r.currentStep = 7;
    });
    await storedOnly(OTHER, (r) => {
      r.status = 'DENIED';
    });
    clock = LATER;

    const result = await startUnstartedRequests(recoveryDeps());

    expect(result.alreadyRunning.sort()).toEqual([ORPHAN, OTHER].sort());
    expect(starts()).toEqual([]);
    expect(table.request(OTHER)?.executionArn).toBe(executionArnFor(STATE_MACHINE_ARN, OTHER));
  });
});

describe('the sweep is idempotent and keeps going', () => {
  it('a second sweep (or a resubmission after the sweep) starts nothing and emails nobody again', async () => {
    await orphanedSubmission();
    clock = LATER;
    await startUnstartedRequests(recoveryDeps());

    const again = await startUnstartedRequests(recoveryDeps());
    const resubmitted = await submitResourceRequest({ body: validRequest }, submissionDeps());

    expect(again).toEqual({ started: [], alreadyRunning: [], failed: [] });
    expect(resubmitted).toMatchObject({ outcome: 'accepted', requestId: ORPHAN, replay: true });
    expect(starts()).toHaveLength(1);
    expect(mails()).toHaveLength(1);
    expect(table.audit(ORPHAN).map((e) => e.type)).toEqual(['SUBMITTED', RECOVERY_AUDIT_TYPE]);
  });

  it('one request that cannot start is logged at error level and stays; the others are started; the next sweep starts it', async () => {
    // Prepare: two orphans, the first (oldest) cannot be started now
    await orphanedSubmission();
    clock = new Date(SUBMITTED_AT.getTime() + 1000);
    await orphanedSubmission({ ...validRequest, resourceName: 'Fraction Lab Pro' });
    sfnMock.on(StartExecutionCommand, { name: ORPHAN }).rejects(denied());
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    clock = LATER;

    // Act
    const first = await startUnstartedRequests(recoveryDeps());

    // Assess
    expect(first).toEqual({ started: [OTHER], alreadyRunning: [], failed: [ORPHAN] });
    expect(errors).toHaveBeenCalledWith(
      expect.stringContaining('Could not start the workflow'),
      expect.objectContaining({ requestId: ORPHAN, errorName: 'AccessDeniedException' }),
    );
    expect((await unstarted()).map((r) => r.requestId)).toEqual([ORPHAN]);
    expect(mails().map((m) => m.Message?.Subject?.Data)).toEqual([expect.stringContaining(OTHER)]);

    // Act again: Step Functions lets it start now
    sfnMock.reset();
    installClients();
    const second = await startUnstartedRequests(recoveryDeps());

    expect(second).toEqual({ started: [ORPHAN], alreadyRunning: [], failed: [] });
    expect(await unstarted()).toEqual([]);
  });

  it('sweeps at most `limit` requests, the oldest first; the next sweep takes the rest', async () => {
    await storedOnly(ORPHAN);
    await storedOnly(OTHER, (r) => {
      r.createdAt = new Date(SUBMITTED_AT.getTime() + 1000).toISOString();
    });
    clock = LATER;

    const first = await startUnstartedRequests(recoveryDeps(), { limit: 1 });
    const second = await startUnstartedRequests(recoveryDeps(), { limit: 1 });

    expect([first.started, second.started]).toEqual([[ORPHAN], [OTHER]]);
  });

  it('a throttled table stops the sweep with TransientError (retried by the next sweep); nothing is started', async () => {
    await orphanedSubmission();
    ddb.on(QueryCommand).rejects(throttled());
    clock = LATER;

    await expect(startUnstartedRequests(recoveryDeps())).rejects.toBeInstanceOf(TransientError);
    expect(starts()).toEqual([]);
  });
});

describe('the recover-requests Lambda', () => {
  it('ignores its scheduled event and returns the request ids by outcome', async () => {
    await orphanedSubmission();
    clock = LATER;
    const scheduledEvent = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };

    const result = await recoverRequests(scheduledEvent, {
      ...recoveryDeps(),
      store: store(),
      now: () => clock,
      stewardship: { sfn: sfnClient, stateMachineArn: STEWARDSHIP_ARN },
    });

    expect(result).toEqual({
      started: [ORPHAN],
      alreadyRunning: [],
      failed: [],
      decisions: { delivered: [], followedUp: [], tooLate: [], failed: [] },
      incidents: { started: [], failed: [] },
      outbox: { sent: [], failed: [] },
    });
  });
});
