/**
 * Every email names the stack's SES configuration set (SES_CONFIGURATION_SET), so its bounces,
 * complaints and rejects reach EventBridge and count in the set's reputation metrics; and every
 * email goes through the suppression list in the table (TABLE_NAME) first, and takes a turn of the
 * account's SES send rate (SES_MAX_SEND_RATE), counted in the table, before it goes.
 */
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mailerFor } from '#shared/deps.ts';

const sesMock = mockClient(SESClient);
const ddbMock = mockClient(DynamoDBDocumentClient);
beforeEach(() => {
  sesMock.reset();
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  ddbMock.reset();
  ddbMock.on(BatchGetCommand).resolves({ Responses: {} });
  ddbMock.on(UpdateCommand).resolves({});
});
afterAll(() => {
  sesMock.restore();
  ddbMock.restore();
});
const TABLE = { TABLE_NAME: 'requests-table' };

const email = { to: ['maria@district.example'], subject: 'Hello', text: 'Hi', html: '<p>Hi</p>' };

describe('mailer configuration', () => {
  it('sends with SES_CONFIGURATION_SET as ConfigurationSetName', async () => {
    // Act
    await mailerFor({
      ...TABLE,
      MAIL_FROM: 'no-reply@district.example',
      SES_CONFIGURATION_SET: ' software-requests-mail ',
    }).send(email);

    // Assess
    const input = sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.ConfigurationSetName).toBe('software-requests-mail');
    expect(input?.Source).toBe('no-reply@district.example');
  });

  it('sends without a configuration set when none is set (the identity default set applies)', async () => {
    // Act
    await mailerFor({ ...TABLE, MAIL_FROM: 'no-reply@district.example', SES_CONFIGURATION_SET: '' }).send(
      email,
    );

    // Assess
    expect(sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input.ConfigurationSetName).toBeUndefined();
  });

  it('asks the suppression list in the table and leaves out a permanently bounced address', async () => {
    // Prepare
    ddbMock.on(BatchGetCommand).resolves({
      Responses: {
        'requests-table': [
          {
            PK: 'BOUNCED#maria@district.example',
            SK: 'BOUNCED',
            address: 'maria@district.example',
            reason: 'bounce',
            messageId: 'm-0',
            at: '2026-12-01T00:00:00.000Z',
          },
        ],
      },
    });

    // Act
    const sent = await mailerFor({ ...TABLE, MAIL_FROM: 'no-reply@district.example' }).send({
      ...email,
      to: ['Maria@district.example', 'ccs@district.example'],
    });

    // Assess
    const keys =
      ddbMock.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.['requests-table']?.Keys;
    expect(keys).toEqual([
      { PK: 'BOUNCED#maria@district.example', SK: 'BOUNCED' },
      { PK: 'BOUNCED#ccs@district.example', SK: 'BOUNCED' },
    ]);
    expect(sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input.Destination?.ToAddresses).toEqual([
      'ccs@district.example',
    ]);
    expect(sent.suppressed).toEqual(['Maria@district.example']);
    // No request id tag: nothing to audit.
    expect(ddbMock.commandCalls(PutCommand)).toEqual([]);
  });

  it("counts each email's recipients (To and Cc, as SES does) against SES_MAX_SEND_RATE in the table before SES sends it", async () => {
    // Act
    await mailerFor({ ...TABLE, MAIL_FROM: 'no-reply@district.example', SES_MAX_SEND_RATE: '3' }).send({
      ...email,
      cc: ['ccs@district.example'],
    });

    // Assess
    const count = ddbMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(count?.Key?.PK).toMatch(/^SESRATE#\d+$/);
    // Two recipients: they fit while at most 1 was counted in this second.
    expect(count?.ExpressionAttributeValues).toMatchObject({ ':recipients': 2, ':room': 1 });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it("counts against SES's production default of 14 a second when SES_MAX_SEND_RATE is not set", async () => {
    await mailerFor({ ...TABLE, MAIL_FROM: 'no-reply@district.example' }).send(email);

    const values = ddbMock.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues;
    expect(values).toMatchObject({ ':recipients': 1, ':room': 13 });
  });

  it.each(['0', '2.5', 'fast'])('refuses SES_MAX_SEND_RATE=%s, naming it', (rate) => {
    expect(() =>
      mailerFor({ ...TABLE, MAIL_FROM: 'no-reply@district.example', SES_MAX_SEND_RATE: rate }),
    ).toThrow(/SES_MAX_SEND_RATE/);
  });

  it('refuses to build without TABLE_NAME, naming it', () => {
    expect(() => mailerFor({ MAIL_FROM: 'no-reply@district.example' })).toThrow(/TABLE_NAME/);
  });
});
