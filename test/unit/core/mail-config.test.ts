/**
 * Every email names the stack's SES configuration set (SES_CONFIGURATION_SET), so its bounces,
 * complaints and rejects reach EventBridge and count in the set's reputation metrics.
 */
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mailerFor } from '#shared/deps.ts';

const sesMock = mockClient(SESClient);
beforeEach(() => {
  sesMock.reset();
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});
afterAll(() => sesMock.restore());

const email = { to: ['maria@district.example'], subject: 'Hello', text: 'Hi', html: '<p>Hi</p>' };

describe('mailer configuration', () => {
  it('sends with SES_CONFIGURATION_SET as ConfigurationSetName', async () => {
    // Act
    await mailerFor({
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
    await mailerFor({ MAIL_FROM: 'no-reply@district.example', SES_CONFIGURATION_SET: '' }).send(email);

    // Assess
    expect(sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input.ConfigurationSetName).toBeUndefined();
  });
});
