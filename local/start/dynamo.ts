/** DynamoDB: dynalite, in-process, data on disk under <dataDir>/dynamodb, with the product's table. */

import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { errorName } from '#shared/core/errors.ts';
import { LOCAL_REGION, TABLE_NAME } from '../config.ts';
import { type Served, serve } from '../net.ts';

export async function startDynamo(dataDir: string, port: number): Promise<Served> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    path: join(dataDir, 'dynamodb'),
  });
  return serve(server, port);
}

/** Creates the product's single table (as the CDK stack does) unless it exists. */
export async function createTable(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const s = (AttributeName: string) => ({ AttributeName, AttributeType: 'S' as const });
  const index = (name: string) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: `${name}PK`, KeyType: 'HASH' as const },
      { AttributeName: `${name}SK`, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: TABLE_NAME,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [s('PK'), s('SK'), s('GSI1PK'), s('GSI1SK'), s('GSI2PK'), s('GSI2SK')],
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [index('GSI1'), index('GSI2')],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException) && errorName(error) !== 'ResourceInUseException')
      throw error;
  } finally {
    client.destroy();
  }
}
