/** The SES adapter never lets stored text break an email: SES would throw URIError on a lone surrogate. */
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { mailSafe, SesMailer, sesTags } from '#shared/core/mail/ses-mailer.ts';

const client = new SESClient({ region: 'us-east-1' });
const sesMock = mockClient(client);
beforeEach(() => {
  sesMock.reset();
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});

describe('SES mailer: text stored before the input rules still mails', () => {
  it('a lone surrogate becomes U+FFFD; control characters leave the subject (one line) and the body (line breaks kept)', async () => {
    const mailer = new SesMailer({ from: 'no-reply@district.example', client });

    await mailer.send({
      to: ['maria@district.example'],
      subject: 'Request received: ab\ud800cd\u0000\u001b[31m\r\nBcc: x',
      text: 'Name: ab\ud800cd\u0007\nLine two\tend',
      html: '<p>ab\ud800cd\u0000</p>',
    });

    const message = sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input.Message;
    expect(message?.Subject?.Data).toBe('Request received: ab\ufffdcd [31m Bcc: x');
    expect(message?.Body?.Text?.Data).toBe('Name: ab\ufffdcd\nLine two\tend');
    expect(message?.Body?.Html?.Data).toBe('<p>ab\ufffdcd</p>');
    expect(() => encodeURIComponent(message?.Subject?.Data ?? '')).not.toThrow();
  });

  it('leaves ordinary text alone', () => {
    expect(mailSafe('Zoë 👩🏽‍🏫\n\tok')).toBe('Zoë 👩🏽‍🏫\n\tok');
    expect(mailSafe('Request SR-1 received: Fraction Lab', { oneLine: true })).toBe(
      'Request SR-1 received: Fraction Lab',
    );
  });
});

describe('SES mailer: every email carries its kind and request as message tags', () => {
  it('sends the tags and the configuration set, so a bounce event names its request', async () => {
    // Prepare
    const mailer = new SesMailer({ from: 'no-reply@district.example', client, configurationSet: 'cs-1' });

    // Act
    await mailer.send({
      to: ['privacy@vendor.example'],
      subject: 'DPA',
      text: 't',
      html: 'h',
      tags: { kind: 'dpa-request', requestId: 'SR-20261205-AAAAAAAA' },
    });

    // Assess
    const input = sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.ConfigurationSetName).toBe('cs-1');
    expect(input?.Tags).toEqual([
      { Name: 'email-kind', Value: 'dpa-request' },
      { Name: 'request-id', Value: 'SR-20261205-AAAAAAAA' },
    ]);
  });

  it('a value outside the characters SES allows in tags is made safe rather than refused', () => {
    expect(sesTags({ kind: 'digest', requestId: 'SR 1/é' })).toEqual([
      { Name: 'email-kind', Value: 'digest' },
      { Name: 'request-id', Value: 'SR_1__' },
    ]);
  });
});
