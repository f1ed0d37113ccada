import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type NotifyVendorSslDeps,
  notifyVendorSsl,
  readNotifyVendorSslConfig,
} from '#lambdas/notify-vendor-ssl.ts';
import { dynamoDb } from '#shared/core/aws/clients.ts';
import { ConfigError, NotFoundError, TransientError, ValidationError } from '#shared/core/errors.ts';
import { SesMailer } from '#shared/core/mail/ses-mailer.ts';
import { WorkflowStore } from '#shared/store.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import type { NotifyVendorSslInput } from '#shared/workflow/step-inputs.ts';
import { withoutOutbox } from '../../support/request-table.ts';
import { TEAM_EMAILS, TEAM_EMAILS_JSON } from '../../support/team-emails.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const sesMock = mockClient(SESClient);
const NOW = new Date('2026-11-28T12:00:00.000Z');
const REQUEST_ID = 'SR-20261128-SSL00002';
const VENDOR = 'security@learn.example.com';
const CYBER = TEAM_EMAILS.cybersecurity;
const REASON =
  'SSL Labs grade B for learn.example.com is below the required A (worst of 2 endpoints: 203.0.113.10 A, 203.0.113.11 B)';

function requestRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: REQUEST_ID,
    createdAt: '2026-11-28T09:00:00.000Z',
    updatedAt: '2026-11-28T11:00:00.000Z',
    status: 'IN_REVIEW',
    currentStep: 5,
    currentActivity: 'SSL Labs test failed',
    submitted: {} as RequestRecord['submitted'],
    resource: {
      name: 'Learn Portal',
      url: 'https://Learn.Example.com/app',
      usesWebsite: true,
      kind: 'web-service',
      vendorName: 'Learn Co',
      cost: 0,
      studentDataShared: false,
    },
    replacementCount: 0,
    security: {
      ssl: {
        grade: 'B',
        endpoints: [
          { ipAddress: '203.0.113.10', grade: 'A', statusMessage: 'Ready' },
          { ipAddress: '203.0.113.11', grade: 'B', statusMessage: 'Ready' },
        ],
        passed: false,
        reason: REASON,
        testedAt: '2026-11-28T11:59:00.000Z',
      },
    },
    ...overrides,
  };
}

const givenRequest = (record: RequestRecord) =>
  ddb.on(GetCommand).resolves({ Item: { PK: `REQUEST#${record.requestId}`, SK: 'REQUEST', ...record } });

function deps(): NotifyVendorSslDeps {
  return {
    store: new WorkflowStore({ tableName: 'requests', client: dynamoDb, now: () => NOW }),
    mailer: new SesMailer({ from: 'no-reply@district.example.org' }),
    now: () => NOW,
    config: { remediationWindowDays: 30, cybersecurityEmail: CYBER },
  };
}

const input = (overrides: Partial<NotifyVendorSslInput> = {}): NotifyVendorSslInput => ({
  requestId: REQUEST_ID,
  vendorContactEmail: VENDOR,
  grade: 'B',
  reason: REASON,
  ...overrides,
});

function sentEmail() {
  const i = sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input;
  if (!i) throw new Error('no email sent');
  return {
    to: i.Destination?.ToAddresses,
    replyTo: i.ReplyToAddresses,
    subject: i.Message?.Subject?.Data ?? '',
    text: i.Message?.Body?.Text?.Data ?? '',
    html: i.Message?.Body?.Html?.Data ?? '',
  };
}

beforeEach(() => {
  ddb.reset();
  sesMock.reset();
  givenRequest(requestRecord());
  ddb.on(PutCommand).resolves({});
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'msg-2' });
});

describe('SOP 5: a substandard SSL grade is scored, so Cybersecurity notifies the vendor to improve it', () => {
  it('emails the vendor, with Cybersecurity copied and as reply-to, the grade, each endpoint, the reason and the requirement', async () => {
    // Act
    const out = await notifyVendorSsl(input(), deps());

    // Assess
    expect(out).toEqual({
      notifiedAt: NOW.toISOString(),
      open: true,
      retests: 0,
      // The first wait: 21 days (the window of 30 is longer), so a timeout is Cybersecurity's silence.
      waitSeconds: 21 * 86_400,
      windowEndsAt: '2026-12-28T12:00:00.000Z',
      reason: '',
      timeoutReason:
        'Cybersecurity did not ask for an SSL re-test or deny within 21 days of the vendor notice',
    });
    const email = sentEmail();
    expect(email.text).toContain('What to fix:');
    expect(email.text).toContain('Turn off TLS 1.0/1.1');
    expect(email.text).toContain(
      'The resource is denied if the websites do not reach A by 2026-12-28 or after 5 re-tests (0 so far).',
    );
    expect(email.to).toEqual([VENDOR, CYBER]);
    expect(email.replyTo).toEqual([CYBER]);
    expect(email.subject).toBe('Action needed: improve the SSL grade of learn.example.com (currently B)');
    expect(email.text).toContain(`Result: ${REASON}`);
    expect(email.text).toContain('Overall grade (worst endpoint): B');
    expect(email.text).toContain('  - 203.0.113.10: A\n  - 203.0.113.11: B');
    expect(email.text).toContain(
      'grade of A or better (A+ or A) on the Qualys SSL Labs SSL Server Test for every server',
    );
    expect(email.text).toContain(
      'Full SSL Labs report: https://www.ssllabs.com/ssltest/analyze.html?d=learn.example.com&hideResults=on',
    );
    expect(email.html).toContain(
      '<a href="https://www.ssllabs.com/ssltest/analyze.html?d=learn.example.com&amp;hideResults=on">',
    );
    expect(email.html).toContain(
      '<td style="padding:.2rem .8rem .2rem 0">203.0.113.11</td><td style="padding:.2rem .8rem .2rem 0">B</td>',
    );
  });

  it('records the remediation and the waiting activity, and appends a VENDOR_NOTIFIED_SSL audit event at step 5', async () => {
    await notifyVendorSsl(input(), deps());

    const updates = withoutOutbox(ddb.commandCalls(UpdateCommand)).map(
      (c) => c.args[0].input.ExpressionAttributeValues,
    );
    expect(updates[0]?.[':value']).toEqual({
      executionId: 'unknown',
      startedAt: NOW.toISOString(),
      windowEndsAt: '2026-12-28T12:00:00.000Z',
      scans: ['2026-11-28T11:59:00.000Z'],
      grades: ['B'],
    });
    expect(JSON.stringify(updates[1])).toContain(
      'Waiting for the vendor to improve the SSL grade (grades seen: B; re-tests 0 of 5; window ends 2026-12-28)',
    );
    const items = withoutOutbox(ddb.commandCalls(PutCommand)).map((c) => c.args[0].input.Item);
    expect(items).toEqual([
      expect.objectContaining({
        requestId: REQUEST_ID,
        type: 'VENDOR_NOTIFIED_SSL',
        sopStep: 5,
        at: NOW.toISOString(),
        summary:
          'The vendor was asked to improve the SSL grade (B) to A or better (re-tests 0 of 5, window ends 2026-12-28)',
        detail: {
          grade: 'B',
          host: 'learn.example.com',
          hosts: [],
          renewal: false,
          retests: 0,
          windowEndsAt: '2026-12-28T12:00:00.000Z',
        },
      }),
    ]);
    expect(JSON.stringify(items)).not.toContain(VENDOR);
  });

  it('takes the grade recorded by the SSL test when the input has none', async () => {
    await notifyVendorSsl(input({ grade: undefined }), deps());

    expect(sentEmail().subject).toBe(
      'Action needed: improve the SSL grade of learn.example.com (currently B)',
    );
  });

  it('lists an endpoint without a grade with its SSL Labs message', async () => {
    givenRequest(
      requestRecord({
        security: {
          ssl: {
            endpoints: [{ ipAddress: '203.0.113.9', statusMessage: 'Unable to connect to the server' }],
            passed: false,
            reason: 'r',
            testedAt: NOW.toISOString(),
          },
        },
      }),
    );

    await notifyVendorSsl(
      input({ grade: undefined, reason: 'SSL Labs could not grade 1 of 1 endpoint' }),
      deps(),
    );

    expect(sentEmail().text).toContain('  - 203.0.113.9: not graded (Unable to connect to the server)');
    expect(sentEmail().subject).toBe('Action needed: improve the SSL grade of learn.example.com');
  });

  it('SOP 17: at the annual re-test the email says so and the audit event is filed under step 17', async () => {
    givenRequest(requestRecord({ status: 'APPROVED' }));

    await notifyVendorSsl(input(), deps());

    expect(sentEmail().text).toContain("As part of the district's annual review of approved resources");
    expect(withoutOutbox(ddb.commandCalls(PutCommand))[0]?.args[0].input.Item).toMatchObject({
      sopStep: 17,
      detail: { renewal: true },
    });
  });

  it('escapes every request value and the reason in the HTML body', async () => {
    givenRequest(
      requestRecord({
        resource: { ...requestRecord().resource, name: '<script>x()</script>', vendorName: 'A&B "Learning"' },
      }),
    );

    await notifyVendorSsl(input({ reason: 'grade <b>B</b> & worse', grade: '<i>B</i>' }), deps());

    const email = sentEmail();
    expect(email.html).not.toMatch(/<script>|<b>B|<i>B/);
    expect(email.html).toContain('&lt;script&gt;x()&lt;/script&gt;');
    expect(email.html).toContain('grade &lt;b&gt;B&lt;/b&gt; &amp; worse');
    expect(email.html).toContain('A&amp;B &quot;Learning&quot;');
  });
});

describe('bad input and failures', () => {
  it.each([
    [{ requestId: REQUEST_ID, vendorContactEmail: 'nope', reason: REASON }, 'vendorContactEmail'],
    [{ requestId: REQUEST_ID, vendorContactEmail: VENDOR, reason: '' }, 'reason'],
    [{ requestId: REQUEST_ID, vendorContactEmail: VENDOR }, 'reason'],
    [{ requestId: ' ', vendorContactEmail: VENDOR, reason: REASON }, 'requestId'],
    [{ requestId: REQUEST_ID, vendorContactEmail: VENDOR, reason: REASON, grade: 5 }, 'grade'],
  ])('rejects %j (%s) and sends or writes nothing', async (bad, field) => {
    const error = await notifyVendorSsl(bad as unknown as NotifyVendorSslInput, deps()).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.field)).toEqual([field]);
    expect(sesMock.calls()).toHaveLength(0);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('fails with NotFoundError and sends nothing when the request does not exist', async () => {
    ddb.on(GetCommand).resolves({});

    await expect(notifyVendorSsl(input(), deps())).rejects.toBeInstanceOf(NotFoundError);
    expect(sesMock.calls()).toHaveLength(0);
  });

  it('turns DynamoDB throttling on the read into TransientError and sends nothing', async () => {
    ddb
      .on(GetCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));

    await expect(notifyVendorSsl(input(), deps())).rejects.toBeInstanceOf(TransientError);
    expect(sesMock.calls()).toHaveLength(0);
  });

  it('turns SES throttling into TransientError and writes no audit event', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }));

    await expect(notifyVendorSsl(input(), deps())).rejects.toBeInstanceOf(TransientError);
    expect(withoutOutbox(ddb.commandCalls(PutCommand))).toHaveLength(0);
  });
});

describe('configuration', () => {
  it('reads the table, sender and Cybersecurity address, failing fast on a missing one', () => {
    const env = {
      TABLE_NAME: 'requests',
      MAIL_FROM: 'no-reply@district.example.org',
      TEAM_EMAILS: TEAM_EMAILS_JSON,
    };

    expect(readNotifyVendorSslConfig(env)).toEqual({
      tableName: 'requests',
      mailFrom: 'no-reply@district.example.org',
      cybersecurityEmail: CYBER,
      remediationWindowDays: 30,
    });
    expect(
      readNotifyVendorSslConfig({ ...env, SSL_REMEDIATION_WINDOW_DAYS: '10' }).remediationWindowDays,
    ).toBe(10);
    expect(() => readNotifyVendorSslConfig({ ...env, SSL_REMEDIATION_WINDOW_DAYS: '31' })).toThrow(
      'SSL_REMEDIATION_WINDOW_DAYS',
    );
    expect(() => readNotifyVendorSslConfig({ ...env, MAIL_FROM: undefined })).toThrow(ConfigError);
    expect(() => readNotifyVendorSslConfig({ ...env, MAIL_FROM: undefined })).toThrow('MAIL_FROM');
  });
});

describe('SOP 5-6: the remediation is bounded by 5 re-tests and the window, per execution', () => {
  const EXECUTION = 'arn:aws:states:us-east-1:0:execution:software-request:SR-20261128-SSL00002';
  const remediation = (
    scans: number,
    startedAt = '2026-11-20T12:00:00.000Z',
    windowEndsAt = '2026-12-20T12:00:00.000Z',
  ) => ({
    executionId: EXECUTION,
    startedAt,
    windowEndsAt,
    scans: Array.from({ length: scans }, (_, i) => `2026-11-2${i}T00:00:00.000Z`),
    grades: Array.from({ length: scans }, () => 'B'),
  });
  const withRemediation = (r: ReturnType<typeof remediation>) => {
    const record = requestRecord();
    givenRequest({ ...record, security: { ...record.security, sslRemediation: r } });
  };
  const scan = (scanStartedAt: string) => input({ executionId: EXECUTION, scanStartedAt });

  it('a failed re-test counts one re-test and emails the vendor again, keeping the window of the first notice', async () => {
    withRemediation(remediation(1));

    const out = await notifyVendorSsl(scan('2026-11-28T11:00:00.000Z'), deps());

    expect(out).toMatchObject({ open: true, retests: 1, windowEndsAt: '2026-12-20T12:00:00.000Z' });
    // 22 days are left: the wait is capped at 21; a timeout then is Cybersecurity's silence.
    expect(out.waitSeconds).toBe(21 * 86_400);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(sentEmail().text).toContain('after 5 re-tests (1 so far)');
  });

  it('a retried notice for the same scan counts nothing and emails nobody', async () => {
    withRemediation(remediation(2));

    const out = await notifyVendorSsl(scan('2026-11-21T00:00:00.000Z'), deps());

    expect(out).toMatchObject({ open: true, retests: 1 });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('waits only what is left of the window, and a timeout then denies for the window', async () => {
    withRemediation(remediation(1, '2026-11-08T12:00:00.000Z', '2026-12-08T12:00:00.000Z'));

    const out = await notifyVendorSsl(scan('2026-11-28T11:00:00.000Z'), deps());

    expect(out.waitSeconds).toBe(10 * 86_400);
    expect(out.timeoutReason).toMatch(
      /^The vendor did not bring the SSL grade to A within the 30-day remediation window \(ended 2026-12-08/,
    );
  });

  it('after the fifth failed re-test: closed without another email, with the reason and the grades seen', async () => {
    withRemediation(remediation(5));

    const out = await notifyVendorSsl(scan('2026-11-28T11:00:00.000Z'), deps());

    expect(out).toMatchObject({ open: false, retests: 5 });
    expect(out.reason).toMatch(
      /^The SSL grade still fails after 5 re-tests \(grades seen: B, B, B, B, B, B\)/,
    );
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
    const audit = withoutOutbox(ddb.commandCalls(PutCommand)).map((c) => c.args[0].input.Item);
    expect(audit).toEqual([expect.objectContaining({ type: 'SSL_REMEDIATION_ENDED', sopStep: 5 })]);
  });

  it('a re-test that fails after the window ended: closed for the window', async () => {
    withRemediation(remediation(1, '2026-10-20T12:00:00.000Z', '2026-11-19T12:00:00.000Z'));

    const out = await notifyVendorSsl(scan('2026-11-28T11:00:00.000Z'), deps());

    expect(out.open).toBe(false);
    expect(out.reason).toMatch(/within the 30-day remediation window \(ended 2026-11-19/);
  });

  it('another execution (an annual renewal) starts a new window and a new count', async () => {
    withRemediation(remediation(5));

    const out = await notifyVendorSsl(
      input({ executionId: 'renewal-execution', scanStartedAt: 'x' }),
      deps(),
    );

    expect(out).toMatchObject({ open: true, retests: 0, windowEndsAt: '2026-12-28T12:00:00.000Z' });
  });
});
