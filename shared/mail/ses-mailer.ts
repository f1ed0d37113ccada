import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { ses } from '../aws/clients.ts';
import { asTransient } from '../aws/transient.ts';
import type { Email, Mailer } from './mailer.ts';

export class SesMailer implements Mailer {
  constructor(private readonly options: { from: string; client?: SESClient; configurationSet?: string }) {}

  async send(email: Email): Promise<{ messageId: string }> {
    const client = this.options.client ?? ses;
    try {
      const out = await client.send(
        new SendEmailCommand({
          Source: this.options.from,
          Destination: { ToAddresses: email.to },
          ReplyToAddresses: email.replyTo,
          ConfigurationSetName: this.options.configurationSet,
          Message: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
          },
        }),
      );
      return { messageId: out.MessageId ?? '' };
    } catch (error) {
      throw asTransient(error, 'Send email');
    }
  }
}
