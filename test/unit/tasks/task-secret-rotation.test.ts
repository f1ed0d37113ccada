/**
 * The reminder's secret rotation against a real DynamoDB engine (dynalite, in-process): the update
 * and condition expressions do what the store promises, not only what the mocks expect.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '#shared/core/errors.ts';
import { WorkflowStore } from '#shared/store.ts';
import type { TaskRecord } from '#shared/workflow/records.ts';

const NOW = new Date('2026-11-28T10:00:00.000Z');
let server: Server;
let raw: DynamoDBClient;
let store: WorkflowStore;

const task = (taskId: string, overrides: Partial<TaskRecord> = {}): TaskRecord => ({
  taskId,
  requestId: 'SR-20261128-ROTATE01',
  kind: 'technical-review',
  team: 'dii',
  sopStep: 10,
  taskToken: 'token',
  secretHash: 'hash-0',
  status: 'PENDING',
  createdAt: '2026-11-27T10:00:00.000Z',
  expiresAt: '2026-12-11T10:00:00.000Z',
  ...overrides,
});

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const s = (AttributeName: string) => ({ AttributeName, AttributeType: 'S' as const });
  await raw.send(
    new CreateTableCommand({
      TableName: 'rotation',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [s('PK'), s('SK'), s('GSI1PK'), s('GSI1SK')],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'GSI1',
          KeySchema: [
            { AttributeName: 'GSI1PK', KeyType: 'HASH' },
            { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  store = new WorkflowStore({
    tableName: 'rotation',
    client: DynamoDBDocumentClient.from(raw),
    now: () => NOW,
  });
});

afterAll(async () => {
  raw?.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('a pending task rotated by two reminders', () => {
  it('keeps every earlier hash, refuses a repeated reminder number, and restore undoes only the last', async () => {
    // Prepare
    await store.createTask(task('RotateTask000000000001'));
    const at = NOW.toISOString();

    // Act
    await store.rotateTaskSecret('RotateTask000000000001', {
      fromHash: 'hash-0',
      toHash: 'hash-1',
      reminder: 1,
      at,
    });
    const repeated = await store
      .rotateTaskSecret('RotateTask000000000001', { fromHash: 'hash-1', toHash: 'hash-x', reminder: 1, at })
      .catch((e: unknown) => e);
    await store.rotateTaskSecret('RotateTask000000000001', {
      fromHash: 'hash-1',
      toHash: 'hash-2',
      reminder: 2,
      at,
    });
    const afterTwo = await store.getTask('RotateTask000000000001');
    await store.restoreTaskSecret('RotateTask000000000001', {
      currentHash: 'hash-2',
      previousHash: 'hash-1',
      previousReminder: 1,
      previousCount: 1,
    });
    const restored = await store.getTask('RotateTask000000000001');

    // Assess
    expect(repeated).toBeInstanceOf(ConflictError);
    expect(afterTwo).toMatchObject({
      secretHash: 'hash-2',
      previousSecretHashes: ['hash-0', 'hash-1'],
      lastReminder: 2,
    });
    expect(restored).toMatchObject({
      secretHash: 'hash-1',
      previousSecretHashes: ['hash-0'],
      lastReminder: 1,
    });
  });

  it('a first reminder undone leaves the task as assigned', async () => {
    await store.createTask(task('RotateTask000000000002'));
    await store.rotateTaskSecret('RotateTask000000000002', {
      fromHash: 'hash-0',
      toHash: 'hash-1',
      reminder: 1,
      at: NOW.toISOString(),
    });

    await store.restoreTaskSecret('RotateTask000000000002', {
      currentHash: 'hash-1',
      previousHash: 'hash-0',
      previousCount: 0,
    });

    const restored = await store.getTask('RotateTask000000000002');
    expect(restored).toMatchObject({ secretHash: 'hash-0', previousSecretHashes: [] });
    expect(restored?.lastReminder).toBeUndefined();
    expect(restored?.remindedAt).toBeUndefined();
  });

  it('a decided or expired task cannot be rotated', async () => {
    await store.createTask(task('RotateTask000000000003', { status: 'DECIDED' }));
    await store.createTask(task('RotateTask000000000004', { expiresAt: '2026-11-28T09:00:00.000Z' }));
    const rotate = (taskId: string) =>
      store.rotateTaskSecret(taskId, {
        fromHash: 'hash-0',
        toHash: 'hash-1',
        reminder: 1,
        at: NOW.toISOString(),
      });

    await expect(rotate('RotateTask000000000003')).rejects.toBeInstanceOf(ConflictError);
    await expect(rotate('RotateTask000000000004')).rejects.toBeInstanceOf(ConflictError);
  });
});
