import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler, recordStep } from '#lambdas/record-step.ts';
import { NotFoundError, TransientError, ValidationError } from '#shared/errors.ts';
import { WorkflowStore } from '#shared/store/store.ts';
import stepEvent from '../events/record-step.json' with { type: 'json' };

const NOW = new Date('2026-11-28T10:15:30.000Z');
const ddb = mockClient(DynamoDBDocumentClient);
const store = new WorkflowStore({
  tableName: 'requests',
  client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  now: () => NOW,
});
const deps = { store };

beforeEach(() => {
  ddb.reset();
  ddb.on(UpdateCommand).resolves({});
  ddb.on(PutCommand).resolves({});
});

describe('record-step: workflow milestones on the request timeline', () => {
  it('SOP 3: the request is assigned to Cybersecurity: current step, activity and a STEP audit event', async () => {
    // Act
    const out = await recordStep(structuredClone(stepEvent), deps);

    // Assess
    expect(out).toEqual({});
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
      TableName: 'requests',
      Key: { PK: 'REQUEST#SR-20261128-TEST0001', SK: 'REQUEST' },
      UpdateExpression: 'SET #f0 = :v0, #f1 = :v1, #f2 = :v2',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#f0': 'currentStep', '#f1': 'currentActivity', '#f2': 'updatedAt' },
      ExpressionAttributeValues: {
        ':v0': 3,
        ':v1': 'Assigned to the Cybersecurity (CCS) team to begin security vetting',
        ':v2': NOW.toISOString(),
      },
    });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: 'requests',
      Item: {
        PK: 'REQUEST#SR-20261128-TEST0001',
        SK: expect.stringMatching(/^AUDIT#2026-11-28T10:15:30\.000Z#[0-9a-f]{8}$/),
        entity: 'audit',
        requestId: 'SR-20261128-TEST0001',
        at: NOW.toISOString(),
        sopStep: 3,
        type: 'STEP',
        summary: 'Assigned to the Cybersecurity (CCS) team to begin security vetting',
        actor: 'workflow',
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
  });

  it('SOP 17: the end of the annual renewal is recorded the same way', async () => {
    await recordStep(
      {
        requestId: 'SR-20261128-TEST0001',
        sopStep: 17,
        summary: 'Annual renewal complete: the resource stays Active/Approved',
      },
      deps,
    );

    const values = ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues;
    expect(values).toMatchObject({
      ':v0': 17,
      ':v1': 'Annual renewal complete: the resource stays Active/Approved',
    });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({ sopStep: 17, type: 'STEP' });
  });

  it('a request that does not exist is NotFoundError and nothing is audited', async () => {
    ddb
      .on(UpdateCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    await expect(recordStep(structuredClone(stepEvent), deps)).rejects.toBeInstanceOf(NotFoundError);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('DynamoDB throttling is TransientError, so the state machine retries the step', async () => {
    ddb
      .on(UpdateCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    const error = await recordStep(structuredClone(stepEvent), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).name).toBe('TransientError');
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it.each([
    ['no request id', { sopStep: 3, summary: 'x' }, 'requestId'],
    ['a step outside 1-17', { requestId: 'SR-1', sopStep: 18, summary: 'x' }, 'sopStep'],
    ['a step that is not a number', { requestId: 'SR-1', sopStep: 'three', summary: 'x' }, 'sopStep'],
    ['an empty summary', { requestId: 'SR-1', sopStep: 3, summary: '   ' }, 'summary'],
    ['a request id with spaces', { requestId: 'SR 1', sopStep: 3, summary: 'x' }, 'requestId'],
  ])('a payload with %s is ValidationError and writes nothing', async (_label, payload, field) => {
    const error = await recordStep(payload, deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.field)).toContain(field);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a payload that is not an object is ValidationError', async () => {
    await expect(recordStep(null, deps)).rejects.toBeInstanceOf(ValidationError);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('the deployed handler reads TABLE_NAME on first use and keeps the error name for the state machine', async () => {
    process.env.TABLE_NAME = 'requests-prod';
    const context = { functionName: 'record-step', awsRequestId: 'req-1' } as Context;

    await expect(handler(structuredClone(stepEvent), context)).resolves.toEqual({});
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.TableName).toBe('requests-prod');
    await expect(handler({ requestId: 'SR-1' } as never, context)).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});
