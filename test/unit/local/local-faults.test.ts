/**
 * The fault-injecting proxy of the local runtime (LocalRuntimeOptions.faults): spoken to with the real
 * SDK clients, it answers a throttled call as AWS does and forwards every other call unchanged. Behind
 * it, the local outbox keeps every address an email was sent to (aws-ses-v2-local keeps the first).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_NAME } from '#local/config.ts';
import { DYNAMODB_FAULTS, SES_FAULTS, startFaultProxy } from '#local/faults.ts';
import type { Started } from '#local/net.ts';
import { Outbox } from '#local/outbox.ts';
import { createTable, startDynamo } from '#local/start/dynamo.ts';
import { startSes } from '#local/start/ses.ts';
import { asTransient } from '#shared/core/aws/transient.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const key = { PK: { S: 'REQ#1' }, SK: { S: 'META' } };
const dataDir = mkdtempSync(join(tmpdir(), 'faults-'));
const open: Started[] = [];
let dynamoUrl: string;
let sesUrl: string;

beforeAll(async () => {
  const dynamo = await startDynamo(dataDir, 0);
  open.push(dynamo);
  dynamoUrl = dynamo.url;
  await createTable(dynamoUrl);
  const ses = await startSes(0);
  open.push(ses);
  sesUrl = ses.url;
});

afterAll(async () => {
  for (const s of open.reverse()) await s.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the fault proxy', () => {
  it('DynamoDB: a call the predicate fails gets ThrottlingException; others reach dynalite unchanged', async () => {
    const seen: string[] = [];
    let failGets = true;
    const proxy = await startFaultProxy({
      target: dynamoUrl,
      protocol: DYNAMODB_FAULTS,
      fail: (operation) => {
        seen.push(operation);
        return operation === 'GetItem' && failGets;
      },
    });
    open.push(proxy);
    const client = new DynamoDBClient({
      endpoint: proxy.url,
      region: 'us-east-1',
      credentials,
      maxAttempts: 1,
    });

    await client.send(
      new PutItemCommand({ TableName: TABLE_NAME, Item: { ...key, title: { S: 'Fraction Lab' } } }),
    );
    const throttled = await client
      .send(new GetItemCommand({ TableName: TABLE_NAME, Key: key }))
      .catch((e) => e);
    failGets = false;
    const answered = await client.send(new GetItemCommand({ TableName: TABLE_NAME, Key: key }));

    expect(throttled).toBeInstanceOf(Error);
    expect(throttled.name).toBe('ThrottlingException');
    expect(throttled.message).toBe('Rate of requests exceeds the allowed throughput.');
    expect(throttled.$metadata.httpStatusCode).toBe(400);
    expect((asTransient(throttled, 'Get') as Error).name).toBe('TransientError');
    expect(answered.Item?.title).toEqual({ S: 'Fraction Lab' });
    expect(seen).toEqual(['PutItem', 'GetItem', 'GetItem']);
    client.destroy();
  });

  it('DynamoDB: the SDK retries a throttled call by itself, so one failure is not seen by the caller', async () => {
    let failures = 1;
    const proxy = await startFaultProxy({
      target: dynamoUrl,
      protocol: DYNAMODB_FAULTS,
      fail: () => failures-- > 0,
    });
    open.push(proxy);
    const client = new DynamoDBClient({ endpoint: proxy.url, region: 'us-east-1', credentials });

    const answered = await client.send(new GetItemCommand({ TableName: TABLE_NAME, Key: key }));

    expect(answered.$metadata.attempts).toBe(2);
    client.destroy();
  });

  it('SES v1 (as shared/core/mail/ses-mailer.ts sends): a failed SendEmail is Throttling; others are delivered', async () => {
    let fail = true;
    const seen: string[] = [];
    const proxy = await startFaultProxy({
      target: sesUrl,
      protocol: SES_FAULTS,
      fail: (operation) => {
        seen.push(operation);
        return fail;
      },
    });
    open.push(proxy);
    const client = new SESClient({ endpoint: proxy.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    const email = new SendEmailCommand({
      Source: 'software-requests@district.example',
      Destination: { ToAddresses: ['teacher@district.example'] },
      Message: { Subject: { Data: 'Fault test' }, Body: { Text: { Data: 'Hello' } } },
    });

    const throttled = await client.send(email).catch((e) => e);
    fail = false;
    const sent = await client.send(email);

    expect(throttled.name).toBe('Throttling');
    expect(throttled.$metadata.httpStatusCode).toBe(400);
    expect((asTransient(throttled, 'Send email') as Error).name).toBe('TransientError');
    expect(sent.MessageId).toBeTruthy();
    expect(seen).toEqual(['SendEmail', 'SendEmail']);
    const store = (await (await fetch(`${sesUrl}/store`)).json()) as { emails: { subject: string }[] };
    expect(store.emails.filter((e) => e.subject === 'Fault test')).toHaveLength(1);
    client.destroy();
  });

  it('SES v2 (REST-JSON): a failed outbound email is a 429 TooManyRequestsException', async () => {
    const proxy = await startFaultProxy({
      target: sesUrl,
      protocol: SES_FAULTS,
      fail: (op) => op === 'SendEmail',
    });
    open.push(proxy);

    const res = await fetch(`${proxy.url}/v2/email/outbound-emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ FromEmailAddress: 'a@district.example' }),
    });

    expect(res.status).toBe(429);
    expect(res.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
  });

  it('the outbox keeps every To, Cc and Reply-To address as sent, in order (the SES store keeps the first)', async () => {
    const outbox = new Outbox(dataDir, sesUrl);
    const proxy = await startFaultProxy({
      target: sesUrl,
      protocol: SES_FAULTS,
      fail: () => false,
      afterSuccess: async (op, call) => {
        if (op === 'SendEmail') await outbox.keep(call);
      },
    });
    open.push(proxy);
    const client = new SESClient({ endpoint: proxy.url, region: 'us-east-1', credentials });
    const to = ['vendor@vendor.example', 'ccs@district.example', 'a2@district.example'];
    const cc = Array.from({ length: 11 }, (_, i) => `cc${i + 1}@district.example`);

    const sent = await client.send(
      new SendEmailCommand({
        Source: 'software-requests@district.example',
        Destination: { ToAddresses: to, CcAddresses: cc },
        ReplyToAddresses: ['ccs@district.example', 'help@district.example'],
        Message: {
          Subject: { Data: 'Every recipient' },
          Body: { Text: { Data: 'Hi' }, Html: { Data: '<p>Hi</p>' } },
        },
      }),
    );

    const kept = (await outbox.list()).find((e) => e.messageId === sent.MessageId);
    expect(kept).toMatchObject({
      to,
      cc,
      replyTo: ['ccs@district.example', 'help@district.example'],
      from: 'software-requests@district.example',
      subject: 'Every recipient',
      text: 'Hi',
      html: '<p>Hi</p>',
    });
    // what aws-ses-v2-local itself stored: the first address of each list only
    const store = (await (await fetch(`${sesUrl}/store`)).json()) as {
      emails: { messageId: string; destination: { to: string[]; cc: string[] } }[];
    };
    expect(store.emails.find((e) => e.messageId === sent.MessageId)?.destination).toMatchObject({
      to: [to[0]],
      cc: [cc[0]],
    });
    // and on disk: a new outbox on the same folder reads the same addresses back
    expect(
      (await new Outbox(dataDir, sesUrl).list()).find((e) => e.messageId === sent.MessageId)?.to,
    ).toEqual(to);
    client.destroy();
  });
});
