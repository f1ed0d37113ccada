import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { MessageRejected, SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type RecordErrorDeps, recordError } from '#lambdas/record-error.ts';
import { TransientError, ValidationError } from '#shared/core/errors.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import errorEvent from '../../events/record-error.json' with { type: 'json' };
import {
  givenStoredRequest as givenRequestIn,
  mockedStoreAndMailer,
  REQUEST_ID,
  REQUEST_KEY,
  withoutOutbox,
} from '../../support/request-table.ts';

const NOW = new Date('2026-11-28T10:15:30.000Z');
const EXECUTION_ARN = `arn:aws:states:us-west-2:123456789012:execution:software-request:${REQUEST_ID}`;
const CONSOLE_URL = `https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/${EXECUTION_ARN}`;

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESClient);
const deps: RecordErrorDeps = {
  ...mockedStoreAndMailer(NOW),
  operatorEmail: 'ops@district.example',
  now: () => NOW,
};

const givenStoredRequest = (change?: (r: RequestRecord) => void) => givenRequestIn(ddb, change);

const sentEmails = () => ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);

beforeEach(() => {
  ddb.reset();
  ses.reset();
  ddb.on(GetCommand).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});

describe('record-error: the error path every Catch leads to', () => {
  it('marks the request ERROR with the readable cause, audits SYSTEM_ERROR and emails operators the console link', async () => {
    // Prepare
    const { item, audit } = givenStoredRequest();

    // Act
    const out = await recordError(structuredClone(errorEvent), deps);

    // Assess
    expect(out).toEqual({ requestId: REQUEST_ID, marked: true, notified: true });
    expect(withoutOutbox(ddb.commandCalls(UpdateCommand))[0]?.args[0].input).toEqual({
      TableName: 'requests',
      Key: REQUEST_KEY,
      UpdateExpression: 'SET #f0 = :v0, #f1 = :v1, #f2 = :v2, #f3 = :v3',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: {
        '#f0': 'status',
        '#f1': 'error',
        '#f2': 'currentActivity',
        '#f3': 'updatedAt',
      },
      ExpressionAttributeValues: {
        ':v0': 'ERROR',
        ':v1': {
          error: 'ConfigError',
          cause: 'Missing required environment variable TEAM_EMAILS',
          at: NOW.toISOString(),
        },
        ':v2': 'Stopped by a system error; operators notified',
        ':v3': NOW.toISOString(),
      },
    });
    expect(item.status).toBe('ERROR');
    expect(audit).toEqual([
      expect.objectContaining({
        requestId: REQUEST_ID,
        at: NOW.toISOString(),
        sopStep: 15,
        type: 'SYSTEM_ERROR',
        summary: 'Stopped by a system error; operators notified (ConfigError)',
        actor: 'workflow',
        detail: { error: 'ConfigError' },
      }),
    ]);
    const [email] = sentEmails();
    expect(email).toMatchObject({
      Source: 'software-requests@district.example',
      Destination: { ToAddresses: ['ops@district.example'] },
      Message: {
        Subject: { Data: `[Software requests] System error on request ${REQUEST_ID}: ConfigError` },
      },
    });
    const text = email?.Message?.Body?.Text?.Data ?? '';
    expect(text).toContain(`Request: ${REQUEST_ID}\n`);
    expect(text).toContain('SOP step when it stopped: 15');
    expect(text).toContain('Error: ConfigError');
    expect(text).toContain('Cause: Missing required environment variable TEAM_EMAILS');
    expect(text).toContain(`Execution: ${CONSOLE_URL}`);
    // The advice that works: a new execution at a named step (a redrive would rerun the terminal Failed).
    expect(text).toContain(`npm run resume -- ${REQUEST_ID} --at <StateName>`);
    expect(text).not.toMatch(/redrive/i);
    expect(email?.Message?.Body?.Html?.Data).toContain(`<a href="${CONSOLE_URL}">`);
  });

  it('a request that already has its outcome keeps it: the error is recorded beside it (e.g. a failed annual renewal)', async () => {
    const { item, audit } = givenStoredRequest((r) => {
      r.status = 'APPROVED';
    });

    const out = await recordError(structuredClone(errorEvent), deps);

    expect(out).toMatchObject({ marked: true, notified: true });
    expect(item.status).toBe('APPROVED');
    expect(item.error).toEqual({
      error: 'ConfigError',
      cause: 'Missing required environment variable TEAM_EMAILS',
      at: NOW.toISOString(),
    });
    expect(item.currentActivity).toBe(
      'Stopped by a system error; operators notified; the APPROVED outcome stands',
    );
    expect(audit.map((e) => e.type)).toEqual(['SYSTEM_ERROR']);
    expect(sentEmails()).toHaveLength(1);

    await recordError(structuredClone(errorEvent), deps);
    expect(withoutOutbox(ddb.commandCalls(UpdateCommand))).toHaveLength(1);
    expect(audit).toHaveLength(1);
    // The retry finds the operators' email sent in the outbox (error#<time recorded>): not twice.
    expect(sentEmails()).toHaveLength(1);
  });

  it('a request that does not exist: nothing is written, and the operators are still told', async () => {
    const out = await recordError(
      { requestId: 'SR-UNKNOWN', error: { Error: 'States.Runtime', Cause: 'bad path' } },
      deps,
    );

    expect(out).toEqual({ requestId: 'SR-UNKNOWN', marked: false, notified: true });
    expect(withoutOutbox(ddb.commandCalls(UpdateCommand))).toHaveLength(0);
    expect(withoutOutbox(ddb.commandCalls(PutCommand))).toHaveLength(0);
    const text = sentEmails()[0]?.Message?.Body?.Text?.Data ?? '';
    expect(text).toContain('Request: SR-UNKNOWN (not found in the table)');
    expect(text).toContain('Execution: no execution recorded for this request');
    expect(text).toContain('No request with this id exists');
  });

  it.each([
    ['no error at all', undefined, 'UnknownError', '(no cause given)'],
    [
      'a non-string name and an object cause',
      { Error: 42, Cause: { nested: ['x'] } },
      'UnknownError',
      '{"nested":["x"]}',
    ],
    [
      'a cause that only looks like JSON',
      { Error: 'Lambda.Unknown', Cause: '{not json' },
      'Lambda.Unknown',
      '{not json',
    ],
    ['a string instead of an object', 'boom', 'UnknownError', 'boom'],
    ['an empty cause', { Error: 'States.Timeout', Cause: '  ' }, 'States.Timeout', '(no cause given)'],
  ])('a malformed error (%s) never makes it throw', async (_label, error, name, cause) => {
    const { item } = givenStoredRequest();

    const out = await recordError({ requestId: REQUEST_ID, error }, deps);

    expect(out).toMatchObject({ marked: true, notified: true });
    expect(item.error).toEqual({ error: name, cause, at: NOW.toISOString() });
  });

  it('a very long cause is truncated to 1000 characters', async () => {
    const { item } = givenStoredRequest();

    await recordError(
      { requestId: REQUEST_ID, error: { Error: 'TransientError', Cause: 'x'.repeat(5000) } },
      deps,
    );

    expect(item.error?.cause).toHaveLength(1000);
    expect(item.error?.cause.endsWith('…')).toBe(true);
  });

  it('a cause carrying markup is escaped in the operators email', async () => {
    givenStoredRequest();

    await recordError(
      {
        requestId: REQUEST_ID,
        error: { Error: 'Bad<Name>', Cause: '<img src=x onerror=alert(1)> & "more"' },
      },
      deps,
    );

    const html = sentEmails()[0]?.Message?.Body?.Html?.Data ?? '';
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;more&quot;');
    expect(html).toContain('Bad&lt;Name&gt;');
    expect(html).not.toContain('<img');
  });

  it('without a recorded execution ARN (or with a malformed one) there is no console link', async () => {
    givenStoredRequest((r) => {
      r.executionArn = 'not-an-arn';
    });

    await recordError(structuredClone(errorEvent), deps);

    const [email] = sentEmails();
    expect(email?.Message?.Body?.Text?.Data).toContain('Execution: no execution recorded for this request');
    expect(email?.Message?.Body?.Html?.Data).not.toContain('console.aws.amazon.com');
  });

  it('SES throttling is TransientError; the retry emails without marking or auditing twice', async () => {
    const { audit } = givenStoredRequest();
    ses
      .on(SendEmailCommand)
      .rejectsOnce(
        Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling', $metadata: {} }),
      )
      .resolves({ MessageId: 'm-2' });

    const first = await recordError(structuredClone(errorEvent), deps).catch((e: unknown) => e);
    const second = await recordError(structuredClone(errorEvent), deps);

    expect(first).toBeInstanceOf(TransientError);
    expect(second).toEqual({ requestId: REQUEST_ID, marked: true, notified: true });
    expect(withoutOutbox(ddb.commandCalls(UpdateCommand))).toHaveLength(1);
    expect(audit.filter((e) => e.type === 'SYSTEM_ERROR')).toHaveLength(1);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  it('a retry whose first attempt stopped before the audit event writes only the audit event', async () => {
    const { audit } = givenStoredRequest((r) => {
      r.status = 'ERROR';
      r.error = {
        error: 'ConfigError',
        cause: 'Missing required environment variable TEAM_EMAILS',
        at: '2026-11-28T10:15:00.000Z',
      };
    });

    await recordError(structuredClone(errorEvent), deps);

    expect(withoutOutbox(ddb.commandCalls(UpdateCommand))).toHaveLength(0);
    expect(audit).toEqual([
      expect.objectContaining({ type: 'SYSTEM_ERROR', at: '2026-11-28T10:15:00.000Z' }),
    ]);
  });

  it('DynamoDB throttling is TransientError so the step is retried', async () => {
    ddb
      .on(GetCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    await expect(recordError(structuredClone(errorEvent), deps)).rejects.toBeInstanceOf(TransientError);
  });

  it('a DynamoDB fault that a retry cannot cure does not stop the operators email', async () => {
    givenStoredRequest();
    ddb.on(UpdateCommand).rejects(
      Object.assign(new Error('Item size has exceeded the maximum'), {
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    const out = await recordError(structuredClone(errorEvent), deps);

    expect(out).toEqual({ requestId: REQUEST_ID, marked: false, notified: true });
    expect(sentEmails()[0]?.Message?.Body?.Text?.Data).toContain('could not be marked ERROR');
  });

  it('a request deleted between the read and the write counts as unknown, and operators are told', async () => {
    givenStoredRequest();
    ddb
      .on(UpdateCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    const out = await recordError(structuredClone(errorEvent), deps);

    expect(out).toMatchObject({ marked: false, notified: true });
    expect(sentEmails()[0]?.Message?.Body?.Text?.Data).toContain('(not found in the table)');
  });

  it('an email SES rejects for good is logged, not thrown: the error path itself must not fail', async () => {
    givenStoredRequest();
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified', $metadata: {} }));

    const out = await recordError(structuredClone(errorEvent), deps);

    expect(out).toEqual({ requestId: REQUEST_ID, marked: true, notified: false });
  });

  it.each([[{ error: { Error: 'X' } }], [{ requestId: '', error: {} }], [{ requestId: 7 }], [null]])(
    'payload %j without a usable request id is ValidationError and writes nothing',
    async (payload) => {
      await expect(recordError(payload, deps)).rejects.toBeInstanceOf(ValidationError);
      expect(ddb.calls()).toHaveLength(0);
      expect(ses.calls()).toHaveLength(0);
    },
  );
});
