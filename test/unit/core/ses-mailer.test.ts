/** The SES adapter never lets stored text break an email: SES would throw URIError on a lone surrogate. */
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { mailSafe, SesMailer } from '#shared/core/mail/ses-mailer.ts';

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
