import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-eventbridge';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type PublishStatusDeps, publishStatus } from '#lambdas/publish-status.ts';
import { NotFoundError, TransientError, ValidationError } from '#shared/core/errors.ts';
import { resourceIdOf } from '#shared/registry/resource-identity.ts';
import { WorkflowStore } from '#shared/store.ts';
import type { RegistryEntry, RequestRecord } from '#shared/workflow/records.ts';
import approvedEvent from '../../events/publish-status-approved.json' with { type: 'json' };
import notApprovedEvent from '../../events/publish-status-not-approved.json' with { type: 'json' };
import requestFixture from '../../events/request-record.json' with { type: 'json' };

const NOW = new Date('2026-11-28T10:15:30.000Z');
const REQUEST_KEY = { PK: 'REQUEST#SR-20261128-TEST0001', SK: 'REQUEST' };
const RESOURCE_ID = resourceIdOf({ name: 'Math Blaster', vendorName: 'Blaster Learning' });
const RESOURCE_KEY = { PK: `RESOURCE#${RESOURCE_ID}`, SK: 'RESOURCE' };

const ddb = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
const deps: PublishStatusDeps = {
  store: new WorkflowStore({
    tableName: 'requests',
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    now: () => NOW,
  }),
  events: new EventBridgeClient({ region: 'us-east-1' }),
  eventBusName: 'software-requests',
  now: () => NOW,
  startDeletion: async (deletion) => {
    deletionsStarted.push(deletion);
  },
};
/** The deletions of student data publishStatus asked for (shared/stewardship starts them). */
const deletionsStarted: Parameters<PublishStatusDeps['startDeletion']>[0][] = [];

function givenRequest(change: (r: RequestRecord) => void = () => {}) {
  const request = structuredClone(requestFixture) as RequestRecord;
  change(request);
  ddb
    .on(GetCommand, { Key: REQUEST_KEY })
    .resolves({ Item: { ...REQUEST_KEY, entity: 'request', ...request } });
}

function givenRegistryEntry(entry: Partial<RegistryEntry>) {
  ddb
    .on(GetCommand, { Key: RESOURCE_KEY })
    .resolves({ Item: { ...RESOURCE_KEY, entity: 'registry', ...entry } });
}

const registryPut = () =>
  ddb.commandCalls(PutCommand).find((c) => c.args[0].input.Item?.entity === 'registry')?.args[0].input;
const auditPut = () =>
  ddb.commandCalls(PutCommand).find((c) => c.args[0].input.Item?.entity === 'audit')?.args[0].input;
const putEventsInput = () => eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input;

beforeEach(() => {
  deletionsStarted.length = 0;
  ddb.reset();
  eventBridge.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  ddb.on(BatchWriteCommand).resolves({});
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('publish-status: the resource registry for staff transparency (SOP 6, 16, 17)', () => {
  it('SOP 16: publishes Active/Approved with DPA expiry and SSL grade, keeping the renewal date already due', async () => {
    // Prepare
    givenRequest();
    givenRegistryEntry({
      resourceId: RESOURCE_ID,
      resourceName: 'Math Blaster',
      renewalDueOn: '2027-06-01',
    });

    // Act
    const out = await publishStatus(structuredClone(approvedEvent), deps);

    // Assess
    expect(out).toEqual({ resourceId: RESOURCE_ID, status: 'APPROVED' });
    expect(registryPut()).toEqual({
      TableName: 'requests',
      Item: {
        PK: `RESOURCE#${RESOURCE_ID}`,
        SK: 'RESOURCE',
        GSI2PK: 'RENEWAL',
        GSI2SK: `2027-06-01#${RESOURCE_ID}`,
        entity: 'registry',
        resourceId: RESOURCE_ID,
        resourceName: 'Math Blaster',
        url: 'https://www.MathBlaster.example/app',
        hosts: ['www.mathblaster.example'],
        vendorName: 'Blaster Learning',
        status: 'APPROVED',
        statusDate: '2026-11-28T10:15:30.000Z',
        source: 'workflow',
        requestId: 'SR-20261128-TEST0001',
        requestIds: ['SR-20261128-TEST0001'],
        sopStep: 16,
        dpaExpiresOn: '2028-06-30',
        sslGrade: 'A',
        sslTestedAt: '2026-11-22T10:00:00.000Z',
        renewalDueOn: '2027-06-01',
      },
      // An older decision never overwrites a newer one about the same resource.
      ConditionExpression: 'attribute_not_exists(PK) OR (statusDate < :statusDate)',
      ExpressionAttributeValues: { ':statusDate': '2026-11-28T10:15:30.000Z' },
      ReturnValues: 'ALL_OLD',
    });
    // Then its search index items: one per word prefix of "Math Blaster" / "Blaster Learning", and ''.
    const indexed = ddb
      .commandCalls(BatchWriteCommand)
      .flatMap((c) => c.args[0].input.RequestItems?.requests ?? [])
      .map((r) => r.PutRequest?.Item?.PK);
    expect(indexed).toContain('RSEARCH#A#');
    expect(indexed).toContain('RSEARCH#A#mat');
    expect(indexed).toContain('RSEARCH#A#learn');
    expect(indexed).not.toContain('RSEARCH#N#mat');
    const input = putEventsInput();
    expect(input?.Entries).toHaveLength(1);
    expect(input?.Entries?.[0]).toEqual({
      EventBusName: 'software-requests',
      Source: 'district.software-requests',
      DetailType: 'ResourceStatusChanged',
      Detail: expect.any(String),
      Time: NOW,
    });
    expect(JSON.parse(input?.Entries?.[0]?.Detail ?? '{}')).toEqual({
      resourceId: RESOURCE_ID,
      resourceName: 'Math Blaster',
      url: 'https://www.MathBlaster.example/app',
      vendorName: 'Blaster Learning',
      status: 'APPROVED',
      statusDate: '2026-11-28T10:15:30.000Z',
      source: 'workflow',
      requestId: 'SR-20261128-TEST0001',
      sopStep: 16,
      dpaExpiresOn: '2028-06-30',
      sslGrade: 'A',
    });
    expect(auditPut()?.Item).toMatchObject({
      requestId: 'SR-20261128-TEST0001',
      sopStep: 16,
      type: 'STATUS_PUBLISHED',
      summary: 'Published in the resource registry as Active/Approved',
      actor: 'workflow',
      detail: { resourceId: RESOURCE_ID, status: 'APPROVED' },
    });
  });

  it('SOP 6: publishes Not Approved with "Denied at SOP step N: reason", and no renewal stays due', async () => {
    givenRequest((r) => {
      if (r.security?.ssl) r.security.ssl.grade = 'B';
    });
    givenRegistryEntry({ resourceId: RESOURCE_ID, renewalDueOn: '2027-06-01' });

    const out = await publishStatus(structuredClone(notApprovedEvent), deps);

    expect(out).toEqual({ resourceId: RESOURCE_ID, status: 'NOT_APPROVED' });
    const item = registryPut()?.Item;
    expect(item).toMatchObject({
      status: 'NOT_APPROVED',
      sopStep: 6,
      reason: 'Denied at SOP step 6: SSL Labs grade B is below A',
      // The decider's comment stays on the request.
      denial: { sopStep: 6, reason: 'SSL Labs grade B is below A' },
      sslGrade: 'B',
    });
    expect(item).not.toHaveProperty('renewalDueOn');
    expect(item).not.toHaveProperty('GSI2PK');
    const detail = JSON.parse(putEventsInput()?.Entries?.[0]?.Detail ?? '{}');
    expect(detail).toMatchObject({
      status: 'NOT_APPROVED',
      sopStep: 6,
      reason: 'Denied at SOP step 6: SSL Labs grade B is below A',
      sslGrade: 'B',
    });
    expect(detail).not.toHaveProperty('denial');
    expect(auditPut()?.Item).toMatchObject({
      type: 'STATUS_PUBLISHED',
      sopStep: 6,
      summary:
        'Published in the resource registry as Not Approved (Denied at SOP step 6: SSL Labs grade B is below A)',
    });
  });

  it('SOP 9: a curriculum denial leaves a resource another request got Approved as Approved, and says so in the audit trail', async () => {
    givenRequest();
    givenRegistryEntry({
      resourceId: RESOURCE_ID,
      resourceName: 'Math Blaster',
      status: 'APPROVED',
      requestId: 'SR-20250101-OTHER001',
    });
    const curriculumDenial = {
      ...structuredClone(notApprovedEvent),
      sopStep: 9,
      denial: { sopStep: 9, reason: 'Not aligned' },
    };

    const out = await publishStatus(curriculumDenial, deps);

    expect(out).toEqual({ resourceId: RESOURCE_ID, status: 'APPROVED' });
    expect(registryPut()).toBeUndefined();
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    // The resource's page lists this request too, if the entry is still the one read.
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: RESOURCE_KEY,
      UpdateExpression: 'SET requestIds = :ids',
      ConditionExpression: 'statusDate = :statusDate',
      ExpressionAttributeValues: { ':ids': ['SR-20261128-TEST0001', 'SR-20250101-OTHER001'] },
    });
    expect(auditPut()?.Item).toMatchObject({
      type: 'STATUS_KEPT',
      sopStep: 9,
      summary:
        'The registry keeps Math Blaster as Approved (request SR-20250101-OTHER001): this denial at SOP step 9 concerns this request only',
    });
  });

  it('SOP 6: a security denial publishes Not Approved even over an earlier approval', async () => {
    givenRequest();
    givenRegistryEntry({
      resourceId: RESOURCE_ID,
      status: 'APPROVED',
      requestId: 'SR-20250101-OTHER001',
    });

    const out = await publishStatus(structuredClone(notApprovedEvent), deps);

    expect(out.status).toBe('NOT_APPROVED');
    expect(registryPut()?.Item).toMatchObject({ status: 'NOT_APPROVED', sopStep: 6 });
  });

  it('a refused DPA has no expiry and a resource without a website has no SSL grade; the key is vendor + name', async () => {
    givenRequest((r) => {
      r.resource = { ...r.resource, name: '  Reading   Eggs ', url: undefined, usesWebsite: false };
      r.security = { dpa: { decision: 'refused' } };
    });

    await publishStatus(
      {
        requestId: 'SR-20261128-TEST0001',
        status: 'NOT_APPROVED',
        sopStep: 6,
        denial: { sopStep: 6, reason: 'DPA refused' },
      },
      deps,
    );

    const item = registryPut()?.Item;
    const id = resourceIdOf({ name: 'Reading Eggs', vendorName: 'Blaster Learning' });
    expect(item).toMatchObject({ PK: `RESOURCE#${id}`, resourceId: id });
    expect(id).toMatch(/^reading-eggs-[0-9a-f]{12}$/);
    expect(item).not.toHaveProperty('dpaExpiresOn');
    expect(item).not.toHaveProperty('sslGrade');
    expect(item).not.toHaveProperty('url');
  });

  it('a decision older than the one the registry has is not published: audited as superseded, no event', async () => {
    givenRequest();
    givenRegistryEntry({
      resourceId: RESOURCE_ID,
      resourceName: 'Math Blaster',
      status: 'APPROVED',
      statusDate: '2026-11-28T11:00:00.000Z',
      requestId: 'SR-20261128-NEWER001',
    });
    ddb
      .on(PutCommand, { Item: { entity: 'registry' } })
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    const out = await publishStatus(structuredClone(notApprovedEvent), deps);

    expect(out).toEqual({ resourceId: RESOURCE_ID, status: 'APPROVED' });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
    expect(auditPut()?.Item).toMatchObject({
      type: 'STATUS_SUPERSEDED',
      summary:
        'Not published as Not Approved: the registry already has a later decision about Math Blaster (request SR-20261128-NEWER001)',
    });
  });

  it('SOP 17: a renewal result is published with step 17', async () => {
    givenRequest((r) => {
      r.status = 'APPROVED';
    });

    await publishStatus({ requestId: 'SR-20261128-TEST0001', status: 'APPROVED', sopStep: 17 }, deps);

    expect(registryPut()?.Item).toMatchObject({ status: 'APPROVED', sopStep: 17 });
    expect(JSON.parse(putEventsInput()?.Entries?.[0]?.Detail ?? '{}')).toMatchObject({ sopStep: 17 });
  });

  it('an entry EventBridge rejects (FailedEntryCount > 0) is TransientError and is not audited as published', async () => {
    givenRequest();
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    const error = await publishStatus(structuredClone(approvedEvent), deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toContain('InternalFailure');
    expect(auditPut()).toBeUndefined();
  });

  it('EventBridge throttling is TransientError', async () => {
    givenRequest();
    eventBridge
      .on(PutEventsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));

    await expect(publishStatus(structuredClone(approvedEvent), deps)).rejects.toBeInstanceOf(TransientError);
    expect(auditPut()).toBeUndefined();
  });

  it('a missing event bus is not retried: the error keeps its name for the error path', async () => {
    givenRequest();
    eventBridge
      .on(PutEventsCommand)
      .rejects(new ResourceNotFoundException({ message: 'Event bus does not exist', $metadata: {} }));

    const error = await publishStatus(structuredClone(approvedEvent), deps).catch((e: unknown) => e);

    expect((error as Error).name).toBe('ResourceNotFoundException');
  });

  it('DynamoDB throttling on the registry write is TransientError and no event is put', async () => {
    givenRequest();
    ddb
      .on(PutCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    await expect(publishStatus(structuredClone(approvedEvent), deps)).rejects.toBeInstanceOf(TransientError);
    expect(eventBridge.calls()).toHaveLength(0);
  });

  it('a request that does not exist is NotFoundError: nothing is published', async () => {
    const error = await publishStatus(structuredClone(approvedEvent), deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NotFoundError);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(eventBridge.calls()).toHaveLength(0);
  });

  it('DynamoDB throttling while reading the request is TransientError: nothing is written or put', async () => {
    ddb
      .on(GetCommand, { Key: REQUEST_KEY })
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    await expect(publishStatus(structuredClone(approvedEvent), deps)).rejects.toBeInstanceOf(TransientError);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(eventBridge.calls()).toHaveLength(0);
  });

  it.each([
    ['an unknown status', { requestId: 'SR-1', status: 'ACTIVE', sopStep: 16 }, 'status'],
    ['Not Approved without the denial', { requestId: 'SR-1', status: 'NOT_APPROVED', sopStep: 6 }, 'denial'],
    [
      'Approved with a denial',
      { requestId: 'SR-1', status: 'APPROVED', sopStep: 16, denial: { sopStep: 6, reason: 'x' } },
      'denial',
    ],
    [
      'a denial without a reason',
      { requestId: 'SR-1', status: 'NOT_APPROVED', sopStep: 6, denial: { sopStep: 6 } },
      'denial.reason',
    ],
    ['no step', { requestId: 'SR-1', status: 'APPROVED' }, 'sopStep'],
  ])('%s is ValidationError and nothing is read or written', async (_label, payload, field) => {
    const error = await publishStatus(payload, deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.field)).toContain(field);
    expect(ddb.calls()).toHaveLength(0);
    expect(eventBridge.calls()).toHaveLength(0);
  });

  describe("ending an approval asks the vendor to delete the students' data (the one place it starts)", () => {
    const APPROVED_ON = '2026-01-10T09:00:00.000Z';

    it('Approved → Not Approved: the entry carries the deletion and the deletion starts once, named by the ended approval', async () => {
      givenRequest();
      givenRegistryEntry({
        resourceId: RESOURCE_ID,
        status: 'APPROVED',
        statusDate: APPROVED_ON,
        requestId: 'SR-20260110-APPROVE1',
      });

      await publishStatus(structuredClone(notApprovedEvent), deps);

      expect(registryPut()?.Item).toMatchObject({
        status: 'NOT_APPROVED',
        deletion: { approvedOn: APPROVED_ON, requestId: 'SR-20260110-APPROVE1' },
        GSI2PK: 'DELETION',
        GSI2SK: `${APPROVED_ON}#${RESOURCE_ID}`,
      });
      expect(deletionsStarted).toEqual([
        { resourceId: RESOURCE_ID, requestId: 'SR-20260110-APPROVE1', approvedOn: APPROVED_ON },
      ]);
    });

    it('Not Approved again after the deletion was asked: nothing new starts, the deletion stays on the entry', async () => {
      givenRequest();
      const deletion = {
        approvedOn: APPROVED_ON,
        requestId: 'SR-20260110-APPROVE1',
        requestedOn: '2026-02-01T00:00:00.000Z',
      };
      givenRegistryEntry({
        resourceId: RESOURCE_ID,
        status: 'NOT_APPROVED',
        statusDate: '2026-02-01T00:00:00.000Z',
        deletion,
      });

      await publishStatus(structuredClone(notApprovedEvent), deps);

      expect(registryPut()?.Item).toMatchObject({ status: 'NOT_APPROVED', deletion });
      expect(deletionsStarted).toEqual([]);
    });

    it('a deletion a crash left unasked is started by the next Not Approved publication (same approval, same execution)', async () => {
      givenRequest();
      givenRegistryEntry({
        resourceId: RESOURCE_ID,
        status: 'NOT_APPROVED',
        statusDate: '2026-02-01T00:00:00.000Z',
        deletion: { approvedOn: APPROVED_ON, requestId: 'SR-20260110-APPROVE1' },
      });

      await publishStatus(structuredClone(notApprovedEvent), deps);

      expect(deletionsStarted).toEqual([
        { resourceId: RESOURCE_ID, requestId: 'SR-20260110-APPROVE1', approvedOn: APPROVED_ON },
      ]);
    });

    it('never for a resource that was not Approved, nor when it turns Approved', async () => {
      givenRequest();
      await publishStatus(structuredClone(notApprovedEvent), deps);
      await publishStatus(structuredClone(approvedEvent), deps);

      expect(deletionsStarted).toEqual([]);
    });
  });
});
