/**
 * A mocked table holding one request (test/events/request-record.json), for the workflow steps that
 * read and update a request and append audit events (close-request, record-error): Get reads the
 * item, a conditional Update changes it (or fails like DynamoDB when its `ifStatus` condition does not
 * hold), Put appends an audit event (refused when its key is taken, as the condition does), Query
 * returns them; the request's outbox items (SK OUTBOX#…: an email recorded, then marked sent) are kept
 * apart, in `outbox`. Plus the store and mailer those steps use.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';
import { SesMailer } from '#shared/core/mail/ses-mailer.ts';
import { WorkflowStore } from '#shared/store.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import requestFixture from '../events/request-record.json' with { type: 'json' };

export const REQUEST_ID = 'SR-20261128-TEST0001';
export const REQUEST_KEY = { PK: `REQUEST#${REQUEST_ID}`, SK: 'REQUEST' };

/** A store and an SES mailer whose clients the suite's mockClient(Class) stubs answer. */
export function mockedStoreAndMailer(now: Date) {
  return {
    store: new WorkflowStore({
      tableName: 'requests',
      client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
      now: () => now,
    }),
    mailer: new SesMailer({
      from: 'software-requests@district.example',
      client: new SESClient({ region: 'us-east-1' }),
    }),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the stub's command types do not matter here.
type DocumentStub = AwsStub<any, any, any>;

export function givenStoredRequest(ddb: DocumentStub, change: (r: RequestRecord) => void = () => {}) {
  const item: Record<string, unknown> = {
    ...REQUEST_KEY,
    entity: 'request',
    ...structuredClone(requestFixture),
  };
  change(item as unknown as RequestRecord);
  const audit: Record<string, unknown>[] = [];
  const outbox = new Map<string, Record<string, unknown>>();
  const isOutbox = (sk: unknown) => typeof sk === 'string' && sk.startsWith('OUTBOX#');
  const failed = () =>
    new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  ddb.on(GetCommand, { Key: REQUEST_KEY }).callsFake(() => ({ Item: structuredClone(item) }));
  ddb.on(GetCommand).callsFake((input: { Key: Record<string, unknown> }) => {
    if (input.Key.SK === REQUEST_KEY.SK) return { Item: structuredClone(item) };
    const held = outbox.get(String(input.Key.SK)) ?? audit.find((a) => a.SK === input.Key.SK);
    return held ? { Item: structuredClone(held) } : {};
  });
  ddb.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    if (isOutbox(input.Key?.SK)) {
      const held = outbox.get(String(input.Key?.SK));
      if (!held || held.sentAt) throw failed();
      if (input.UpdateExpression?.includes('sentAt')) {
        held.sentAt = values[':sentAt'];
        held.messageId = values[':messageId'];
        delete held.email;
      } else if (input.UpdateExpression?.includes('released')) held.released = true;
      else if (input.UpdateExpression?.includes('claimedAt')) {
        if (held.released || String(held.recordedAt) >= String(values[':stale'])) throw failed();
        held.claimedAt = values[':now'];
      }
      return {};
    }
    if (input.ConditionExpression?.includes(':ifStatus') && item.status !== values[':ifStatus']) {
      throw failed();
    }
    for (const [, name, value] of (input.UpdateExpression ?? '').matchAll(/(#f\d+) = (:v\d+)/g)) {
      item[names[name as string] as string] = values[value as string];
    }
    return {};
  });
  ddb.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
    if (isOutbox(input.Item.SK)) {
      const held = outbox.get(String(input.Item.SK));
      if (held && !held.released) throw failed();
      outbox.set(String(input.Item.SK), structuredClone(input.Item));
      return {};
    }
    // An audit event's key is unique: the same key again is refused (the store reads it back).
    if (audit.some((a) => a.SK === input.Item.SK)) throw failed();
    audit.push(input.Item);
    return {};
  });
  ddb.on(QueryCommand).callsFake(() => ({ Items: structuredClone(audit) }));
  return { item: item as unknown as RequestRecord, audit, outbox };
}

/** The calls of a command that are not about the request's outbox items (the step's own writes). */
export const withoutOutbox = <T extends { args: [{ input: unknown }] }>(calls: T[]): T[] =>
  calls.filter((c) => {
    const input = c.args[0].input as { Item?: { SK?: unknown }; Key?: { SK?: unknown } };
    const sk = input.Item?.SK ?? input.Key?.SK;
    return !(typeof sk === 'string' && sk.startsWith('OUTBOX#'));
  });
