/**
 * Every email names the stack's SES configuration set (SES_CONFIGURATION_SET), so its bounces,
 * complaints and rejects reach EventBridge and count in the set's reputation metrics; and every
 * email goes through the suppression list in the table (TABLE_NAME) first.
 */
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
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

  it('refuses to build without TABLE_NAME, naming it', () => {
    expect(() => mailerFor({ MAIL_FROM: 'no-reply@district.example' })).toThrow(/TABLE_NAME/);
  });
});
