/**
 * The reports' counts are idempotent: the first count of an event puts its marker (conditionally),
 * then adds to the month's aggregate; a retried step finds the marker and adds nothing. The aggregate
 * items hold counters only (a report reads them, never the markers).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoDb } from '#shared/core/aws/clients.ts';
import { WorkflowStore } from '#shared/store.ts';
import { ddb, NOW, TABLE, TASK_ID } from '../../support/task-kit.ts';

const store = () => new WorkflowStore({ tableName: TABLE, client: dynamoDb, now: () => NOW });

beforeEach(() => {
  ddb.reset();
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
});

describe('report counts', () => {
  it("counts a decision in its month's step item: decided, its day bucket and within the service level", async () => {
    const counted = await store().countDecision(
      { taskId: TASK_ID, kind: 'privacy-review' },
      '2026-12-05T10:00:00.000Z',
      3.04,
      true,
    );

    expect(counted).toBe(true);
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      Item: { PK: `REPORT#SEEN#decided#${TASK_ID}`, SK: 'SEEN' },
      ConditionExpression: expect.stringContaining('attribute_not_exists'),
    });
    const update = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.Key).toEqual({ PK: 'REPORT#2026-12', SK: 'STEP#privacy-review' });
    expect(Object.values(update?.ExpressionAttributeNames ?? {}).sort()).toEqual([
      'decided',
      'h30',
      'withinSla',
    ]);
    expect(update?.ConditionExpression).toBeUndefined();
  });

  it('adds nothing for an event already counted (a retried step, a recovery replay)', async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));

    const counted = await store().countSubmitted('SR-20261205-AAAAAAAA', '2026-12-05T10:00:00.000Z');

    expect(counted).toBe(false);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
