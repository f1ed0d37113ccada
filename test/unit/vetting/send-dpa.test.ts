import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readSendDpaConfig, type SendDpaDeps, sendDpa } from '#lambdas/send-dpa.ts';
import { dynamoDb } from '#shared/core/aws/clients.ts';
import { ConfigError, NotFoundError, TransientError, ValidationError } from '#shared/core/errors.ts';
import { SesMailer } from '#shared/core/mail/ses-mailer.ts';
import { resourceIdOf } from '#shared/registry/resource-identity.ts';
import { INCIDENT_LINK_DAYS } from '#shared/stewardship/incident-links.ts';
import { WorkflowStore } from '#shared/store.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import type { SendDpaInput } from '#shared/workflow/step-inputs.ts';
import { TEAM_EMAILS, TEAM_EMAILS_JSON } from '../../support/team-emails.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const sesMock = mockClient(SESClient);
const NOW = new Date('2026-11-28T11:00:00.000Z');
const REQUEST_ID = 'SR-20261128-DPA00001';
const VENDOR = 'privacy@learn.example.com';
const CYBER = TEAM_EMAILS.cybersecurity;
const FROM = 'no-reply@district.example.org';

function requestRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: REQUEST_ID,
    createdAt: '2026-11-28T09:00:00.000Z',
    updatedAt: '2026-11-28T10:00:00.000Z',
    status: 'IN_REVIEW',
    currentStep: 4,
    currentActivity: 'Cybersecurity (CCS): privacy policy review',
    submitted: {
      resourceName: 'Learn Portal',
      studentDataShared: true,
      studentDataElements: ['Student name', 'Student ID', 'Grade level'],
    } as RequestRecord['submitted'],
    resource: {
      name: 'Learn Portal',
      url: 'https://learn.example.com',
      usesWebsite: true,
      kind: 'web-service',
      vendorName: 'Learn Co',
      cost: 0,
      studentDataShared: true,
    },
    replacementCount: 0,
    security: {
      privacyReview: {
        decision: 'acceptable',
        studentDataRequired: true,
        vendorContactEmail: VENDOR,
        at: '2026-11-28T10:30:00.000Z',
      },
    },
    ...overrides,
  };
}

function deps(): SendDpaDeps {
  const store = new WorkflowStore({ tableName: 'requests', client: dynamoDb, now: () => NOW });
  return {
    store,
    uploads: store,
    incidentLinks: store,
    mailer: new SesMailer({ from: FROM }),
    now: () => NOW,
    config: {
      cybersecurityEmail: CYBER,
      dpaTemplateUrl: 'https://district.example.org/dpa/template.pdf',
      returnInstructions: 'Sign page 4.\nReturn the PDF to dpa@district.example.org within 21 days.',
      publicBaseUrl: 'https://requests.district.example.org',
    },
  };
}

/** The items written, by kind: the audit trail's, and the vendor's upload link. */
const puts = (entity: string) =>
  ddb
    .commandCalls(PutCommand)
    .map((c) => c.args[0].input.Item)
    .filter((item) => item?.entity === entity);

const givenRequest = (record: RequestRecord) =>
  ddb.on(GetCommand).resolves({ Item: { PK: `REQUEST#${record.requestId}`, SK: 'REQUEST', ...record } });

function sentEmail() {
  const input = sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input;
  if (!input) throw new Error('no email sent');
  return {
    source: input.Source,
    to: input.Destination?.ToAddresses,
    replyTo: input.ReplyToAddresses,
    subject: input.Message?.Subject?.Data ?? '',
    text: input.Message?.Body?.Text?.Data ?? '',
    html: input.Message?.Body?.Html?.Data ?? '',
  };
}

/** The one security finding written: only `security.dpa` is set, never the whole `security` map. */
/** Updates of the request item (the outbox's own items, SK OUTBOX#…, aside). */
const requestUpdates = () =>
  ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.SK === 'REQUEST');
const outboxUpdates = () =>
  ddb.commandCalls(UpdateCommand).filter((c) => String(c.args[0].input.Key?.SK).startsWith('OUTBOX#'));

function securityWritten(): Record<string, unknown> {
  const input = requestUpdates()[0]?.args[0].input;
  if (!input) throw new Error('no UpdateCommand');
  expect(input.UpdateExpression).toBe('SET #security.#key = :value, updatedAt = :now');
  return { [String(input.ExpressionAttributeNames?.['#key'])]: input.ExpressionAttributeValues?.[':value'] };
}

const input = (overrides: Partial<SendDpaInput> = {}): SendDpaInput => ({
  requestId: REQUEST_ID,
  vendorContactEmail: VENDOR,
  ...overrides,
});

beforeEach(() => {
  ddb.reset();
  sesMock.reset();
  givenRequest(requestRecord());
  ddb.on(UpdateCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'msg-1' });
});

describe('SOP 4: student data is required, so the DPA is sent to the vendor', () => {
  it('emails the vendor contact the DPA template, return instructions, resource and shared student data', async () => {
    // Act
    const out = await sendDpa(input(), deps());

    // Assess
    expect(out).toEqual({ sentTo: VENDOR, sentAt: NOW.toISOString() });
    const email = sentEmail();
    expect(email.source).toBe(FROM);
    expect(email.to).toEqual([VENDOR]);
    expect(email.replyTo).toEqual([CYBER]);
    expect(email.subject).toBe('Student Data Privacy Agreement requested for Learn Portal');
    expect(email.text).toContain('DPA template: https://district.example.org/dpa/template.pdf');
    expect(email.text).toContain('Sign page 4.\nReturn the PDF to dpa@district.example.org within 21 days.');
    expect(email.text).toContain('Resource: Learn Portal');
    expect(email.text).toContain('Vendor: Learn Co');
    expect(email.text).toContain('  - Student name\n  - Student ID\n  - Grade level');
    expect(email.text).toContain(`write to the Cybersecurity team at ${CYBER}`);
    expect(email.text).toContain(`District reference: ${REQUEST_ID}`);
    expect(email.html).toContain('<a href="https://district.example.org/dpa/template.pdf">');
    expect(email.html).toContain('Sign page 4.<br>Return the PDF');
    expect(email.html).toContain('<li>Student ID</li>');
  });

  it('gives the vendor a single-use upload link for the signed PDF that expires with the DPA wait', async () => {
    await sendDpa(input({ uploadExpiresInSeconds: 21 * 86_400 }), deps());

    const [link] = puts('upload-link');
    expect(link).toMatchObject({
      requestId: REQUEST_ID,
      kind: 'dpa',
      sentTo: VENDOR,
      status: 'OPEN',
      expiresAt: new Date(NOW.getTime() + 21 * 86_400_000).toISOString(),
    });
    const emailed = /https:\/\/requests\.district\.example\.org\/uploads\/([\w-]{22})\?t=([\w-]{43})/.exec(
      sentEmail().text,
    );
    expect(emailed?.[1]).toBe(link?.uploadId);
    // Only the secret's hash is stored; the secret is only in the email.
    expect(JSON.stringify(link)).not.toContain(emailed?.[2]);
    expect(sentEmail().text).toContain('The link works once.');
  });

  it("gives the vendor an incident link for the resource, good for the DPA's year and more than one report", async () => {
    await sendDpa(input(), deps());

    const [link] = puts('incident-link');
    expect(link).toMatchObject({
      requestId: REQUEST_ID,
      resourceId: resourceIdOf({ name: 'Learn Portal', vendorName: 'Learn Co' }),
      resourceName: 'Learn Portal',
      sentTo: VENDOR,
      reports: 0,
      expiresAt: new Date(NOW.getTime() + INCIDENT_LINK_DAYS * 86_400_000).toISOString(),
    });
    const emailed =
      /https:\/\/requests\.district\.example\.org\/incidents\?link=([\w-]{22})&t=([\w-]{43})/.exec(
        sentEmail().text,
      );
    expect(emailed?.[1]).toBe(link?.linkId);
    expect(JSON.stringify(link)).not.toContain(emailed?.[2]);
    expect(sentEmail().text).toContain('To report a student data incident involving Learn Portal');
    expect(sentEmail().html).toContain(`href="${emailed?.[0].replace('&', '&amp;')}"`);
  });

  it('records sentTo/sentAt on the request, keeping the other DPA fields and writing no other security finding', async () => {
    givenRequest(
      requestRecord({
        security: {
          ...requestRecord().security,
          dpa: {
            decision: 'signed',
            expiresOn: '2026-12-01',
            decidedAt: '2025-12-01T00:00:00.000Z',
            sentTo: 'old@x.example',
          },
        },
      }),
    );

    await sendDpa(input(), deps());

    expect(requestUpdates()).toHaveLength(1);
    expect(securityWritten()).toEqual({
      dpa: {
        decision: 'signed',
        expiresOn: '2026-12-01',
        decidedAt: '2025-12-01T00:00:00.000Z',
        sentTo: VENDOR,
        sentAt: NOW.toISOString(),
        messageId: 'msg-1',
      },
    });
  });

  it('appends a DPA_SENT audit event at step 4 without the vendor address in it', async () => {
    await sendDpa(input(), deps());

    const items = puts('audit');
    expect(items).toEqual([
      expect.objectContaining({
        requestId: REQUEST_ID,
        type: 'DPA_SENT',
        sopStep: 4,
        at: NOW.toISOString(),
        summary: 'The student Data Privacy Agreement was sent to the vendor contact',
      }),
    ]);
    expect(JSON.stringify(items)).not.toContain(VENDOR);
  });

  it('says the data elements are not itemised when the request lists none', async () => {
    givenRequest(requestRecord({ submitted: { studentDataShared: false } as RequestRecord['submitted'] }));

    await sendDpa(input(), deps());

    expect(sentEmail().text).toContain('Student data shared: not itemised on the request');
  });

  it('SOP 17: the annual renewal asks to renew the agreement and is filed under step 17', async () => {
    givenRequest(requestRecord({ status: 'APPROVED' }));

    await sendDpa(input({ renewal: true }), deps());

    const email = sentEmail();
    expect(email.subject).toBe('Annual renewal of the student Data Privacy Agreement for Learn Portal');
    expect(email.text).toContain(
      'renews the student Data Privacy Agreement (DPA) for Learn Portal every year',
    );
    expect(puts('audit')[0]).toMatchObject({ type: 'DPA_SENT', sopStep: 17, detail: { renewal: true } });
  });

  it('escapes request values in the HTML body and keeps the subject on one line', async () => {
    givenRequest(
      requestRecord({
        resource: {
          ...requestRecord().resource,
          name: 'Quiz <script>alert(1)</script>\r\nBcc: x@evil.example',
          vendorName: 'Tom & "Jerry"',
        },
        submitted: {
          studentDataShared: true,
          studentDataElements: ['<img src=x onerror=alert(1)>'],
        } as RequestRecord['submitted'],
      }),
    );
    const d = deps();
    d.config = { ...d.config, returnInstructions: 'Use the <b>portal</b>' };

    await sendDpa(input(), d);

    const email = sentEmail();
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).not.toContain('<b>portal');
    expect(email.html).toContain('Quiz &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('Tom &amp; &quot;Jerry&quot;');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text).toContain('Use the <b>portal</b>');
  });
});

describe('bad input and failures', () => {
  it.each([
    [{ requestId: REQUEST_ID, vendorContactEmail: 'not-an-email' }, 'vendorContactEmail'],
    [{ requestId: REQUEST_ID, vendorContactEmail: 'a@b.example, c@d.example' }, 'vendorContactEmail'],
    [{ requestId: REQUEST_ID }, 'vendorContactEmail'],
    [{ vendorContactEmail: VENDOR }, 'requestId'],
    [{ requestId: REQUEST_ID, vendorContactEmail: VENDOR, renewal: 'yes' }, 'renewal'],
  ])('rejects %j (%s) and sends or writes nothing', async (bad, field) => {
    const error = await sendDpa(bad as unknown as SendDpaInput, deps()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.field)).toEqual([field]);
    expect(sesMock.calls()).toHaveLength(0);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('fails with NotFoundError and sends nothing when the request does not exist', async () => {
    ddb.on(GetCommand).resolves({});

    await expect(sendDpa(input(), deps())).rejects.toBeInstanceOf(NotFoundError);
    expect(sesMock.calls()).toHaveLength(0);
  });

  it('turns SES throttling into TransientError and records nothing', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }));

    await expect(sendDpa(input(), deps())).rejects.toBeInstanceOf(TransientError);
    expect(requestUpdates()).toHaveLength(0);
    expect(puts('audit')).toHaveLength(0);
    // Nothing went out: the outbox entry is released, so the step's retry records and sends it again.
    expect(outboxUpdates().map((c) => c.args[0].input.UpdateExpression)).toEqual([
      'SET released = :released REMOVE GSI2PK, GSI2SK',
    ]);
  });

  it('lets a rejected message fail (not retried) and records nothing', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));

    await expect(sendDpa(input(), deps())).rejects.toMatchObject({ name: 'MessageRejected' });
    expect(requestUpdates()).toHaveLength(0);
  });

  it('turns DynamoDB throttling while recording into TransientError', async () => {
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await expect(sendDpa(input(), deps())).rejects.toBeInstanceOf(TransientError);
    expect(puts('audit')).toHaveLength(0);
  });
});

describe('configuration', () => {
  const env = {
    TABLE_NAME: 'requests',
    MAIL_FROM: FROM,
    TEAM_EMAILS: TEAM_EMAILS_JSON,
    DPA_TEMPLATE_URL: 'https://district.example.org/dpa/template.pdf',
    DPA_RETURN_INSTRUCTIONS: 'Return it signed to dpa@district.example.org',
    PUBLIC_BASE_URL: 'https://requests.district.example.org',
  };

  it('reads the Cybersecurity address from TEAM_EMAILS and the DPA settings', () => {
    expect(readSendDpaConfig(env)).toEqual({
      tableName: 'requests',
      mailFrom: FROM,
      cybersecurityEmail: CYBER,
      dpaTemplateUrl: 'https://district.example.org/dpa/template.pdf',
      returnInstructions: 'Return it signed to dpa@district.example.org',
      publicBaseUrl: 'https://requests.district.example.org',
    });
  });

  it.each([
    [{ ...env, DPA_TEMPLATE_URL: undefined }, 'DPA_TEMPLATE_URL'],
    [{ ...env, DPA_TEMPLATE_URL: 'javascript:alert(1)' }, 'DPA_TEMPLATE_URL'],
    [{ ...env, DPA_RETURN_INSTRUCTIONS: ' ' }, 'DPA_RETURN_INSTRUCTIONS'],
    [{ ...env, MAIL_FROM: 'nobody' }, 'MAIL_FROM'],
    [{ ...env, TEAM_EMAILS: '{}' }, 'TEAM_EMAILS'],
  ])('fails fast naming the bad variable (%s)', (badEnv, name) => {
    expect(() => readSendDpaConfig(badEnv)).toThrow(ConfigError);
    expect(() => readSendDpaConfig(badEnv)).toThrow(name);
  });
});
