import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoDb } from '#shared/core/aws/clients.ts';
import { ConflictError, NotFoundError, TransientError } from '#shared/core/errors.ts';
import { requestKey, taskKey } from '#shared/core/store/keys.ts';
import { WorkflowStore } from '#shared/store.ts';
import { ddb, NOW, REQUEST_ID, requestRecord, TABLE, TASK_ID } from '../../support/task-kit.ts';

const store = new WorkflowStore({ tableName: TABLE, client: dynamoDb, now: () => NOW });
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const review = {
  decision: 'acceptable',
  studentDataRequired: true,
  vendorContactEmail: 'p@v.example',
  at: 'now',
};

beforeEach(() => {
  ddb.reset();
  ddb.on(UpdateCommand).resolves({});
  ddb.on(PutCommand).resolves({});
});

describe('setRequestSecurity: one security fact without overwriting the others', () => {
  it('sets the entry inside an existing security map', async () => {
    await store.setRequestSecurity(REQUEST_ID, 'privacyReview', review);

    const calls = ddb.commandCalls(UpdateCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({
      Key: requestKey(REQUEST_ID),
      UpdateExpression: 'SET #security.#key = :value, updatedAt = :now',
      ExpressionAttributeNames: { '#security': 'security', '#key': 'privacyReview' },
      ExpressionAttributeValues: { ':value': review, ':now': NOW.toISOString() },
    });
  });

  it('creates the map when the request has none yet', async () => {
    ddb
      .on(UpdateCommand, { UpdateExpression: 'SET #security.#key = :value, updatedAt = :now' })
      .rejects(conditionFailed());

    await store.setRequestSecurity(REQUEST_ID, 'privacyReview', review);

    const [, create] = ddb.commandCalls(UpdateCommand);
    expect(create?.args[0].input).toMatchObject({
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#security)',
      ExpressionAttributeValues: { ':security': { privacyReview: review } },
    });
  });

  it('an unknown request is NotFoundError', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});

    await expect(store.setRequestSecurity(REQUEST_ID, 'dpa', { decision: 'signed' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('when another step created the map in between, the entry is set inside it', async () => {
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).rejectsOnce(conditionFailed()).resolves({});
    ddb.on(GetCommand).resolves({ Item: { ...requestKey(REQUEST_ID), ...requestRecord() } });

    await store.setRequestSecurity(REQUEST_ID, 'dpa', { decision: 'signed' });

    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.UpdateExpression);
    expect(updates).toEqual([
      'SET #security.#key = :value, updatedAt = :now',
      'SET #security = :security, updatedAt = :now',
      'SET #security.#key = :value, updatedAt = :now',
    ]);
  });

  it('throttling is a TransientError', async () => {
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException' }));

    await expect(store.setRequestSecurity(REQUEST_ID, 'privacyReview', review)).rejects.toBeInstanceOf(
      TransientError,
    );
  });
});

describe('releaseTask: a claim that Step Functions did not accept is undone, only by its owner', () => {
  it('puts the task back to PENDING and into the team queue while it holds this claim', async () => {
    await store.releaseTask(TASK_ID, { decidedAt: NOW.toISOString(), team: 'aas' });

    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: taskKey(TASK_ID),
      ConditionExpression: '#status = :decided AND decidedAt = :at',
      ExpressionAttributeValues: { ':pending': 'PENDING', ':at': NOW.toISOString(), ':teamPk': 'TEAM#aas' },
    });
  });

  it('a task no longer holding this claim is a ConflictError', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.releaseTask(TASK_ID, { decidedAt: 'other', team: 'aas' })).rejects.toBeInstanceOf(
      ConflictError,
    );
  });
});

describe('claimTask records the decision time it is given', () => {
  it('uses decidedAt for the record and the expiry condition', async () => {
    await store.claimTask(TASK_ID, {
      secretHash: 'h',
      decision: 'po-issued',
      decidedBy: 'Alex',
      decidedAt: '2026-11-28T09:00:00.000Z',
    });

    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':at': '2026-11-28T09:00:00.000Z',
    });
  });
});

describe('storeLicenseKey: SOP 14 keys live in their own item', () => {
  it('puts LICENSE#id / LICENSE (a partition of its own, out of reach of request readers) with the key and who stored it', async () => {
    await store.storeLicenseKey(REQUEST_ID, {
      licenseKey: 'K-1234-5678',
      taskId: TASK_ID,
      storedAt: 'now',
      storedBy: 'Alex',
    });

    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toEqual({
      PK: `LICENSE#${REQUEST_ID}`,
      SK: 'LICENSE',
      entity: 'license-key',
      requestId: REQUEST_ID,
      licenseKey: 'K-1234-5678',
      taskId: TASK_ID,
      storedAt: 'now',
      storedBy: 'Alex',
    });
  });
});

describe('rotateTaskSecret / restoreTaskSecret: a reminder gives a pending task a new link', () => {
  const rotation = { fromHash: 'old-hash', toHash: 'new-hash', reminder: 1, at: NOW.toISOString() };

  it('sets the new hash and keeps the old one, only while pending, unexpired, holding the old hash', async () => {
    await store.rotateTaskSecret(TASK_ID, rotation);

    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: taskKey(TASK_ID),
      UpdateExpression:
        'SET secretHash = :to, previousSecretHashes = list_append(if_not_exists(previousSecretHashes, :none), :from), lastReminder = :n, remindedAt = :at',
      ConditionExpression:
        '#status = :pending AND secretHash = :fromHash AND expiresAt > :at AND (attribute_not_exists(lastReminder) OR lastReminder < :n)',
      ExpressionAttributeValues: {
        ':to': 'new-hash',
        ':fromHash': 'old-hash',
        ':from': ['old-hash'],
        ':none': [],
        ':n': 1,
        ':at': NOW.toISOString(),
        ':pending': 'PENDING',
      },
    });
  });

  it('a decided, expired, already reminded or already rotated task is a ConflictError', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.rotateTaskSecret(TASK_ID, rotation)).rejects.toBeInstanceOf(ConflictError);
  });

  it('throttling is a TransientError', async () => {
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException' }));

    await expect(store.rotateTaskSecret(TASK_ID, rotation)).rejects.toBeInstanceOf(TransientError);
  });

  it('restore puts the previous hash and reminder number back and drops the kept hash', async () => {
    await store.restoreTaskSecret(TASK_ID, {
      currentHash: 'new-hash',
      previousHash: 'old-hash',
      previousReminder: 1,
      previousCount: 1,
    });

    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: taskKey(TASK_ID),
      UpdateExpression: 'SET secretHash = :previous, lastReminder = :n REMOVE previousSecretHashes[1]',
      ConditionExpression: 'secretHash = :current',
      ExpressionAttributeValues: { ':current': 'new-hash', ':previous': 'old-hash', ':n': 1 },
    });
  });

  it('restore of a first reminder removes the reminder marks', async () => {
    await store.restoreTaskSecret(TASK_ID, {
      currentHash: 'new-hash',
      previousHash: 'old-hash',
      previousCount: 0,
    });

    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.UpdateExpression).toBe(
      'SET secretHash = :previous REMOVE lastReminder, remindedAt, previousSecretHashes[0]',
    );
  });
});
