import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  ConflictException,
  CreateScheduleCommand,
  SchedulerClient,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  readScheduleRenewalConfig,
  type ScheduleRenewalDeps,
  scheduleRenewal,
} from '#lambdas/schedule-renewal.ts';
import { ConfigError, NotFoundError, TransientError, ValidationError } from '#shared/core/errors.ts';
import { resourceIdOf } from '#shared/registry/resource-identity.ts';
import { WorkflowStore } from '#shared/store.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import requestFixture from '../../events/request-record.json' with { type: 'json' };
import scheduleEvent from '../../events/schedule-renewal.json' with { type: 'json' };

const NOW = new Date('2026-11-28T10:15:30.000Z');
const REQUEST_KEY = { PK: 'REQUEST#SR-20261128-TEST0001', SK: 'REQUEST' };
const RESOURCE_ID = resourceIdOf({ name: 'Math Blaster', vendorName: 'Blaster Learning' });
const RESOURCE_KEY = { PK: `RESOURCE#${RESOURCE_ID}`, SK: 'RESOURCE' };
const REGISTRY_ENTRY = {
  resourceId: RESOURCE_ID,
  resourceName: 'Math Blaster',
  url: 'https://www.MathBlaster.example/app',
  vendorName: 'Blaster Learning',
  status: 'APPROVED',
  statusDate: '2026-11-28T10:15:00.000Z',
  requestId: 'SR-20261128-TEST0001',
  sopStep: 16,
  dpaExpiresOn: '2028-06-30',
  sslGrade: 'A',
};
const STATE_MACHINE_ARN = 'arn:aws:states:us-west-2:123456789012:stateMachine:annual-renewal';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/renewal-scheduler';
const DLQ_ARN = 'arn:aws:sqs:us-west-2:123456789012:software-request-scheduler-dlq';

const ddb = mockClient(DynamoDBDocumentClient);
const schedulerMock = mockClient(SchedulerClient);
const deps: ScheduleRenewalDeps = {
  store: new WorkflowStore({
    tableName: 'requests',
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    now: () => NOW,
  }),
  scheduler: new SchedulerClient({ region: 'us-east-1' }),
  config: {
    renewalStateMachineArn: STATE_MACHINE_ARN,
    schedulerRoleArn: ROLE_ARN,
    scheduleGroupName: 'software-requests',
    leadDays: 30,
    deadLetterArn: DLQ_ARN,
  },
  now: () => NOW,
};

function givenRequest(change: (r: RequestRecord) => void = () => {}) {
  const request = structuredClone(requestFixture) as RequestRecord;
  request.status = 'IN_REVIEW';
  change(request);
  ddb
    .on(GetCommand, { Key: REQUEST_KEY })
    .resolves({ Item: { ...REQUEST_KEY, entity: 'request', ...request } });
}
const withDpaExpiring = (expiresOn: string) => (r: RequestRecord) => {
  if (r.security?.dpa) r.security.dpa.expiresOn = expiresOn;
};

const scheduleInput = () => schedulerMock.commandCalls(CreateScheduleCommand)[0]?.args[0].input;
const requestUpdate = () => ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
const registryUpdate = () =>
  ddb.commandCalls(UpdateCommand).find((c) => c.args[0].input.Key?.PK === RESOURCE_KEY.PK)?.args[0].input;
const auditItem = () =>
  ddb.commandCalls(PutCommand).find((c) => c.args[0].input.Item?.entity === 'audit')?.args[0].input.Item;

beforeEach(() => {
  ddb.reset();
  schedulerMock.reset();
  ddb.on(GetCommand).resolves({});
  ddb
    .on(GetCommand, { Key: RESOURCE_KEY })
    .resolves({ Item: { ...RESOURCE_KEY, entity: 'registry', ...REGISTRY_ENTRY } });
  ddb.on(UpdateCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
});

describe('schedule-renewal: SOP 17 "DPA and SSL grade will be renewed annually if applicable"', () => {
  it('a signed DPA and a website: a one-time schedule a year from now starts the annual-renewal state machine', async () => {
    // Prepare
    givenRequest();

    // Act
    const out = await scheduleRenewal(structuredClone(scheduleEvent), deps);

    // Assess
    expect(out).toEqual({
      scheduled: true,
      renewalDueOn: '2027-11-28',
      reason: 'Annual renewal (DPA renewal and SSL re-test) scheduled for 2027-11-28',
    });
    expect(scheduleInput()).toEqual({
      Name: 'renewal-SR-20261128-TEST0001-2027',
      GroupName: 'software-requests',
      Description: 'TS-PE-535 step 17: annual renewal (DPA, SSL grade) of request SR-20261128-TEST0001',
      ScheduleExpression: 'at(2027-11-28T10:15:30)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: STATE_MACHINE_ARN,
        RoleArn: ROLE_ARN,
        Input: '{"requestId":"SR-20261128-TEST0001"}',
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: DLQ_ARN },
      },
    });
    expect(requestUpdate()).toMatchObject({
      Key: REQUEST_KEY,
      ExpressionAttributeNames: { '#f0': 'renewal', '#f1': 'updatedAt' },
      ExpressionAttributeValues: {
        ':v0': { dueOn: '2027-11-28', scheduleName: 'renewal-SR-20261128-TEST0001-2027' },
      },
    });
    // Only while the entry is still this request's approval (a later decision owns it otherwise).
    expect(registryUpdate()).toEqual({
      TableName: 'requests',
      Key: RESOURCE_KEY,
      UpdateExpression: 'SET renewalDueOn = :due, GSI2PK = :renewal, GSI2SK = :sk',
      ConditionExpression: 'requestId = :requestId AND #status = :approved',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':due': '2027-11-28',
        ':renewal': 'RENEWAL',
        ':sk': `2027-11-28#${RESOURCE_ID}`,
        ':requestId': 'SR-20261128-TEST0001',
        ':approved': 'APPROVED',
      },
    });
    expect(auditItem()).toMatchObject({
      sopStep: 17,
      type: 'RENEWAL_SCHEDULED',
      summary: 'Annual renewal (DPA renewal and SSL re-test) scheduled for 2027-11-28',
      detail: {
        dueOn: '2027-11-28',
        scheduleName: 'renewal-SR-20261128-TEST0001-2027',
        dpa: true,
        ssl: true,
        basis: 'anniversary',
      },
    });
  });

  it('a DPA that expires sooner than a year: the renewal is due RENEWAL_LEAD_DAYS before the expiry', async () => {
    givenRequest(withDpaExpiring('2027-03-15'));

    const out = await scheduleRenewal(structuredClone(scheduleEvent), deps);

    expect(out).toEqual({
      scheduled: true,
      renewalDueOn: '2027-02-13',
      reason:
        'Annual renewal (DPA renewal and SSL re-test) scheduled for 2027-02-13, ahead of the DPA expiry on 2027-03-15',
    });
    expect(scheduleInput()).toMatchObject({
      Name: 'renewal-SR-20261128-TEST0001-2027',
      ScheduleExpression: 'at(2027-02-13T10:15:30)',
    });
  });

  it('the lead time is configurable', async () => {
    givenRequest(withDpaExpiring('2027-03-15'));

    await scheduleRenewal(structuredClone(scheduleEvent), {
      ...deps,
      config: { ...deps.config, leadDays: 60 },
    });

    expect(scheduleInput()?.ScheduleExpression).toBe('at(2027-01-14T10:15:30)');
  });

  it('a DPA already inside the lead time: the renewal starts tomorrow, never in the past', async () => {
    givenRequest(withDpaExpiring('2026-12-10'));

    const out = await scheduleRenewal(structuredClone(scheduleEvent), deps);

    expect(out.renewalDueOn).toBe('2026-11-29');
    expect(scheduleInput()).toMatchObject({
      Name: 'renewal-SR-20261128-TEST0001-2026',
      ScheduleExpression: 'at(2026-11-29T10:15:30)',
    });
  });

  it('a website without a DPA: only the SSL grade is renewed, a year from now', async () => {
    givenRequest((r) => {
      r.security = {
        ssl: { grade: 'A+', endpoints: [], passed: true, reason: 'ok', testedAt: NOW.toISOString() },
      };
    });

    const out = await scheduleRenewal(structuredClone(scheduleEvent), deps);

    expect(out).toMatchObject({
      scheduled: true,
      reason: 'Annual renewal (SSL re-test) scheduled for 2027-11-28',
    });
    expect(scheduleInput()?.ScheduleExpression).toBe('at(2027-11-28T10:15:30)');
  });

  it('no DPA and no website: nothing to renew, no schedule, and the timeline says why', async () => {
    givenRequest((r) => {
      r.resource = { ...r.resource, url: undefined, usesWebsite: false };
      r.security = { dpa: { decision: 'refused' } };
    });

    const out = await scheduleRenewal(structuredClone(scheduleEvent), deps);

    expect(out).toEqual({ scheduled: false, reason: 'No DPA and no website: nothing to renew annually' });
    expect(schedulerMock.calls()).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(auditItem()).toMatchObject({
      sopStep: 17,
      type: 'RENEWAL_NOT_APPLICABLE',
      summary: 'No DPA and no website: nothing to renew annually',
    });
  });

  it('a schedule that already exists (a retried Lambda) counts as scheduled: idempotent', async () => {
    givenRequest();
    schedulerMock.on(CreateScheduleCommand).rejects(
      new ConflictException({
        message: 'Schedule already exists',
        Message: 'Schedule already exists',
        $metadata: { httpStatusCode: 409 },
      }),
    );

    const out = await scheduleRenewal(structuredClone(scheduleEvent), deps);

    expect(out).toMatchObject({ scheduled: true, renewalDueOn: '2027-11-28' });
    expect(requestUpdate()?.ExpressionAttributeValues?.[':v0']).toEqual({
      dueOn: '2027-11-28',
      scheduleName: 'renewal-SR-20261128-TEST0001-2027',
      scheduledAt: NOW.toISOString(),
      status: 'DUE',
    });
    expect(registryUpdate()?.ExpressionAttributeValues).toMatchObject({ ':due': '2027-11-28' });
  });

  it('Scheduler throttling is TransientError and the request is not updated', async () => {
    givenRequest();
    schedulerMock.on(CreateScheduleCommand).rejects(
      new ThrottlingException({
        message: 'Rate exceeded',
        Message: 'Rate exceeded',
        $metadata: { httpStatusCode: 429 },
      }),
    );

    await expect(scheduleRenewal(structuredClone(scheduleEvent), deps)).rejects.toBeInstanceOf(
      TransientError,
    );
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('a schedule Scheduler rejects as invalid goes to the error path with its own name', async () => {
    givenRequest();
    schedulerMock.on(CreateScheduleCommand).rejects(
      new ValidationException({
        message: 'bad role',
        Message: 'bad role',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    const error = await scheduleRenewal(structuredClone(scheduleEvent), deps).catch((e: unknown) => e);

    expect((error as Error).name).toBe('ValidationException');
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('no registry entry of this approval (never published, or a later decision since): the request still gets its renewal date', async () => {
    givenRequest();
    ddb
      .on(UpdateCommand, { Key: RESOURCE_KEY })
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    const out = await scheduleRenewal(structuredClone(scheduleEvent), deps);

    expect(out.scheduled).toBe(true);
    expect(requestUpdate()?.Key).toEqual(REQUEST_KEY);
    expect(
      ddb.commandCalls(PutCommand).filter((c) => c.args[0].input.Item?.entity === 'registry'),
    ).toHaveLength(0);
  });

  it('DynamoDB throttling is TransientError and no schedule is created', async () => {
    ddb
      .on(GetCommand, { Key: REQUEST_KEY })
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    await expect(scheduleRenewal(structuredClone(scheduleEvent), deps)).rejects.toBeInstanceOf(
      TransientError,
    );
    expect(schedulerMock.calls()).toHaveLength(0);
  });

  it('a request that does not exist is NotFoundError and no schedule is created', async () => {
    await expect(scheduleRenewal({ requestId: 'SR-MISSING' }, deps)).rejects.toBeInstanceOf(NotFoundError);
    expect(schedulerMock.calls()).toHaveLength(0);
  });

  it.each([[{}], [{ requestId: '' }], [{ requestId: 'SR 1; DROP' }], ['SR-1']])(
    'payload %j is ValidationError and nothing is read or scheduled',
    async (payload) => {
      await expect(scheduleRenewal(payload, deps)).rejects.toBeInstanceOf(ValidationError);
      expect(ddb.calls()).toHaveLength(0);
      expect(schedulerMock.calls()).toHaveLength(0);
    },
  );
});

describe('schedule-renewal configuration', () => {
  const env = {
    RENEWAL_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
    SCHEDULER_ROLE_ARN: ROLE_ARN,
    SCHEDULE_GROUP_NAME: 'software-requests',
  };

  it('RENEWAL_LEAD_DAYS defaults to 30 days', () => {
    expect(readScheduleRenewalConfig({ ...env, SCHEDULER_DLQ_ARN: DLQ_ARN })).toEqual({
      renewalStateMachineArn: STATE_MACHINE_ARN,
      schedulerRoleArn: ROLE_ARN,
      scheduleGroupName: 'software-requests',
      leadDays: 30,
      deadLetterArn: DLQ_ARN,
    });
  });

  it('SCHEDULER_DLQ_ARN is required: no renewal schedule without a dead-letter queue', () => {
    expect(() => readScheduleRenewalConfig(env)).toThrow('SCHEDULER_DLQ_ARN');
  });

  it('SCHEDULER_DLQ_ARN becomes the dead-letter queue of every renewal schedule; a malformed one fails with its name', () => {
    expect(readScheduleRenewalConfig({ ...env, SCHEDULER_DLQ_ARN: DLQ_ARN }).deadLetterArn).toBe(DLQ_ARN);
    expect(() => readScheduleRenewalConfig({ ...env, SCHEDULER_DLQ_ARN: 'my-queue' })).toThrow(
      /SCHEDULER_DLQ_ARN/,
    );
  });

  it('a missing or malformed variable fails with its name', () => {
    expect(() => readScheduleRenewalConfig({ ...env, SCHEDULER_ROLE_ARN: '' })).toThrow(
      new ConfigError('Missing required environment variable SCHEDULER_ROLE_ARN'),
    );
    expect(() => readScheduleRenewalConfig({ ...env, RENEWAL_LEAD_DAYS: 'soon' })).toThrow(
      /RENEWAL_LEAD_DAYS/,
    );
  });
});
