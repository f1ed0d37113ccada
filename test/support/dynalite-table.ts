/**
 * The product's table on a real DynamoDB engine (dynalite, in-process, in memory), for tests whose
 * point is what the queries and conditions really do (the registry's search index).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { TABLE_NAME } from '#local/config.ts';
import { createTable } from '#local/start/dynamo.ts';
import { WorkflowStore } from '#shared/store.ts';

export interface DynaliteTable {
  store: WorkflowStore;
  client: DynamoDBDocumentClient;
  /** The low-level client under `client` (its middleware stack: faults inside the SDK's retries). */
  raw: DynamoDBClient;
  stop(): Promise<void>;
}

export async function startDynaliteTable(now?: () => Date): Promise<DynaliteTable> {
  const server = dynalite({ createTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await createTable(endpoint);
  const raw = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return {
    store: new WorkflowStore({ tableName: TABLE_NAME, client, ...(now ? { now } : {}) }),
    client,
    raw,
    async stop() {
      raw.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
