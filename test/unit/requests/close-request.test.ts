import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { MessageRejected, SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type CloseRequestDeps, closeRequest } from '#lambdas/close-request.ts';
import { ConflictError, NotFoundError, TransientError, ValidationError } from '#shared/core/errors.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import approvedEvent from '../../events/close-request-approved.json' with { type: 'json' };
import deniedEvent from '../../events/close-request-denied.json' with { type: 'json' };
import requestFixture from '../../events/request-record.json' with { type: 'json' };
import {
  givenStoredRequest as givenRequestIn,
  mockedStoreAndMailer,
  REQUEST_ID,
  REQUEST_KEY,
} from '../../support/request-table.ts';

const NOW = new Date('2026-11-28T10:15:30.000Z');

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESClient);
const deps: CloseRequestDeps = {
  ...mockedStoreAndMailer(NOW),
  publicBaseUrl: 'https://requests.district.example',
  now: () => NOW,
};

const givenStoredRequest = (change?: (r: RequestRecord) => void) => givenRequestIn(ddb, change);

const statusUpdates = () =>
  ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.ConditionExpression?.includes(':ifStatus'));
const sentEmails = () => ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);

beforeEach(() => {
  ddb.reset();
  ses.reset();
  ddb.on(GetCommand).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});

describe('close-request: the outcome of the request', () => {
  it('SOP 16: approved while IN_REVIEW: status APPROVED at step 16, OUTCOME audited, requester emailed with the status link', async () => {
    // Prepare
    const { item, audit } = givenStoredRequest();

    // Act
    const out = await closeRequest(structuredClone(approvedEvent), deps);

    // Assess
    expect(out).toEqual({ status: 'APPROVED', alreadyClosed: false, emailed: true });
    expect(statusUpdates()[0]?.args[0].input).toEqual({
      TableName: 'requests',
      Key: REQUEST_KEY,
      UpdateExpression: 'SET #f0 = :v0, #f1 = :v1, #f2 = :v2, #f3 = :v3',
      ConditionExpression: 'attribute_exists(PK) AND #ifStatus = :ifStatus',
      ExpressionAttributeNames: {
        '#ifStatus': 'status',
        '#f0': 'status',
        '#f1': 'currentStep',
        '#f2': 'currentActivity',
        '#f3': 'updatedAt',
      },
      ExpressionAttributeValues: {
        ':ifStatus': 'IN_REVIEW',
        ':v0': 'APPROVED',
        ':v1': 16,
        ':v2': 'Approved: resource is Active/Approved',
        ':v3': NOW.toISOString(),
      },
    });
    expect(audit).toEqual([
      expect.objectContaining({
        requestId: REQUEST_ID,
        sopStep: 16,
        type: 'OUTCOME',
        summary: 'Approved: resource is Active/Approved',
        actor: 'workflow',
        detail: { outcome: 'APPROVED' },
      }),
    ]);
    const [email] = sentEmails();
    expect(email).toMatchObject({
      Source: 'software-requests@district.example',
      Destination: { ToAddresses: ['dana.reyes@district.example'] },
      Message: { Subject: { Data: `Approved: Math Blaster (request ${REQUEST_ID})` } },
    });
    expect(email?.Message?.Body?.Text?.Data).toContain(
      `https://requests.district.example/requests/${REQUEST_ID}`,
    );
    expect(email?.Message?.Body?.Text?.Data).toContain('Active/Approved');
    expect(email?.Message?.Body?.Html?.Data).toContain(
      `<a href="https://requests.district.example/requests/${REQUEST_ID}">`,
    );
    expect(item).toMatchObject({
      status: 'APPROVED',
      currentStep: 16,
      outcomeEmailSentAt: NOW.toISOString(),
    });
  });

  it('SOP 9: denied: step and reason (with the decider comment) on the request and in the email, all escaped', async () => {
    const { item, audit } = givenStoredRequest((r) => {
      r.submitted.requesterName = 'Dana <script>alert(1)</script> Reyes';
    });

    await closeRequest(structuredClone(deniedEvent), deps);

    const reason =
      'The resource does not align with the curriculum focus (comment: Duplicates the adopted <b>Math</b> program)';
    expect(statusUpdates()[0]?.args[0].input.ExpressionAttributeValues).toEqual({
      ':ifStatus': 'IN_REVIEW',
      ':v0': 'DENIED',
      ':v1': 9,
      ':v2': `Denied at SOP step 9: ${reason}`,
      ':v3': 9,
      ':v4': reason,
      ':v5': NOW.toISOString(),
    });
    expect(item).toMatchObject({ status: 'DENIED', deniedAtStep: 9, reason, currentStep: 9 });
    expect(audit[0]).toMatchObject({
      type: 'OUTCOME',
      sopStep: 9,
      detail: { outcome: 'DENIED', deniedAtStep: 9 },
    });

    const [email] = sentEmails();
    expect(email?.Message?.Subject?.Data).toBe(`Not approved: Math Blaster (request ${REQUEST_ID})`);
    const text = email?.Message?.Body?.Text?.Data ?? '';
    expect(text).toContain('Denied at SOP step 9.');
    expect(text).toContain(`Reason: ${reason}`);
    const html = email?.Message?.Body?.Html?.Data ?? '';
    expect(html).toContain('Duplicates the adopted &lt;b&gt;Math&lt;/b&gt; program');
    expect(html).toContain('Dana &lt;script&gt;alert(1)&lt;/script&gt; Reyes');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>Math</b>');
  });

  it('a step nobody decided in time closes as denied at that step, without a comment', async () => {
    const { item } = givenStoredRequest();

    await closeRequest(
      {
        requestId: REQUEST_ID,
        outcome: 'DENIED',
        denial: { sopStep: 4, reason: 'No privacy policy decision within 14 days' },
      },
      deps,
    );

    expect(item).toMatchObject({
      status: 'DENIED',
      deniedAtStep: 4,
      reason: 'No privacy policy decision within 14 days',
      currentActivity: 'Denied at SOP step 4: No privacy policy decision within 14 days',
    });
  });

  it('a retry after SES throttling does not rewrite the outcome and emails exactly once', async () => {
    // Prepare: the first attempt writes the outcome, then SES throttles
    const { item, audit } = givenStoredRequest();
    ses
      .on(SendEmailCommand)
      .rejectsOnce(
        Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling', $metadata: {} }),
      )
      .resolves({ MessageId: 'm-2' });

    // Act: the state machine retries on TransientError, twice here (the second retry finds it all done)
    const first = await closeRequest(structuredClone(deniedEvent), deps).catch((e: unknown) => e);
    const second = await closeRequest(structuredClone(deniedEvent), deps);
    const third = await closeRequest(structuredClone(deniedEvent), deps);

    // Assess
    expect(first).toBeInstanceOf(TransientError);
    expect(second).toEqual({ status: 'DENIED', alreadyClosed: true, emailed: true });
    expect(third).toEqual({ status: 'DENIED', alreadyClosed: true, emailed: false });
    expect(statusUpdates()).toHaveLength(1);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2); // one throttled, one delivered
    expect(audit.filter((e) => e.type === 'OUTCOME')).toHaveLength(1);
    expect(item.outcomeEmailSentAt).toBe(NOW.toISOString());
  });

  it('the write that records the email went out is retried in the call: one outcome email, even when it is throttled', async () => {
    const { item } = givenStoredRequest();
    const store = deps.store;
    let throttled = 0;
    const flaky = new Proxy(store, {
      get: (target, key, receiver) => {
        const value = Reflect.get(target, key, receiver);
        if (key !== 'updateRequest' || typeof value !== 'function') return value;
        return (requestId: string, patch: Partial<RequestRecord>, options?: object) =>
          'outcomeEmailSentAt' in patch && throttled++ < 2
            ? Promise.reject(new TransientError('throttled'))
            : value.call(target, requestId, patch, options);
      },
    });

    const out = await closeRequest(structuredClone(approvedEvent), {
      ...deps,
      store: flaky,
      sleep: async () => {},
    });

    expect(out).toEqual({ status: 'APPROVED', alreadyClosed: false, emailed: true });
    expect(throttled).toBe(3);
    expect(sentEmails()).toHaveLength(1);
    expect(item.outcomeEmailSentAt).toBe(NOW.toISOString());
  });

  it('a retry after the outcome was written but before it was audited restores the OUTCOME audit event', async () => {
    const { audit } = givenStoredRequest((r) => {
      r.status = 'APPROVED';
    });

    const out = await closeRequest(structuredClone(approvedEvent), deps);

    expect(out).toEqual({ status: 'APPROVED', alreadyClosed: true, emailed: true });
    expect(statusUpdates()).toHaveLength(0);
    expect(audit.filter((e) => e.type === 'OUTCOME')).toHaveLength(1);
    expect(sentEmails()).toHaveLength(1);
  });

  it('a request already closed with the other outcome is ConflictError: nothing changes, nobody is emailed', async () => {
    const { item } = givenStoredRequest((r) => {
      r.status = 'APPROVED';
      r.outcomeEmailSentAt = '2026-11-27T10:00:00.000Z';
    });

    const error = await closeRequest(structuredClone(deniedEvent), deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe(
      `Request ${REQUEST_ID} is already APPROVED; it cannot be closed as DENIED`,
    );
    expect(item.status).toBe('APPROVED');
    expect(sentEmails()).toHaveLength(0);
  });

  it('a request that changed between the read and the conditional write is looked at again', async () => {
    // Prepare: the read says IN_REVIEW, but the write's condition finds it already DENIED and emailed
    const stored = { ...REQUEST_KEY, ...structuredClone(requestFixture) };
    ddb
      .on(GetCommand, { Key: REQUEST_KEY })
      .resolvesOnce({ Item: stored })
      .resolves({ Item: { ...stored, status: 'DENIED', outcomeEmailSentAt: '2026-11-28T10:15:00.000Z' } });
    ddb
      .on(UpdateCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    const out = await closeRequest(structuredClone(deniedEvent), deps);

    expect(out).toEqual({ status: 'DENIED', alreadyClosed: true, emailed: false });
    expect(sentEmails()).toHaveLength(0);
  });

  it('an email SES rejects for good keeps its error name (error path); the outcome stays written', async () => {
    const { item } = givenStoredRequest();
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified', $metadata: {} }));

    const error = await closeRequest(structuredClone(approvedEvent), deps).catch((e: unknown) => e);

    expect((error as Error).name).toBe('MessageRejected');
    expect(item.status).toBe('APPROVED');
    expect(item.outcomeEmailSentAt).toBeUndefined();
  });

  it('DynamoDB throttling on the status write is TransientError and nobody is emailed', async () => {
    givenStoredRequest();
    ddb
      .on(UpdateCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    await expect(closeRequest(structuredClone(approvedEvent), deps)).rejects.toBeInstanceOf(TransientError);
    expect(sentEmails()).toHaveLength(0);
  });

  it('a request that does not exist is NotFoundError and nobody is emailed', async () => {
    await expect(closeRequest({ requestId: 'SR-GONE', outcome: 'APPROVED' }, deps)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sentEmails()).toHaveLength(0);
  });

  it.each([
    ['a denial without its step and reason', { requestId: 'SR-1', outcome: 'DENIED' }, 'denial'],
    [
      'an approval with a denial',
      { requestId: 'SR-1', outcome: 'APPROVED', denial: { sopStep: 9, reason: 'x' } },
      'denial',
    ],
    ['an unknown outcome', { requestId: 'SR-1', outcome: 'MAYBE' }, 'outcome'],
    [
      'a denial at a step that does not exist',
      { requestId: 'SR-1', outcome: 'DENIED', denial: { sopStep: 42, reason: 'x' } },
      'denial.sopStep',
    ],
  ])('%s is ValidationError: nothing is read, written or emailed', async (_label, payload, field) => {
    const error = await closeRequest(payload, deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.field)).toContain(field);
    expect(ddb.calls()).toHaveLength(0);
    expect(ses.calls()).toHaveLength(0);
  });
});
