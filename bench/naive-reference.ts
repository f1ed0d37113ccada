/**
 * The naive handler the bundles are compared with (bench/bundles.ts): what a Lambda looks like when
 * it imports every client and library the product uses at module scope, whether it needs them or not.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import { z } from 'zod';

const logger = new Logger();
const clients = [new DynamoDBClient({}), new SESClient({}), new SFNClient({})];
const schema = z.object({ requestId: z.string() });

export const handler = middy(async (event: unknown) => {
  logger.info('event', { clients: clients.length });
  return schema.parse(event);
});
