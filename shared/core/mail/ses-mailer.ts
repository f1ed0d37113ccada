import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { ses } from '../aws/clients.ts';
import { asTransient } from '../aws/transient.ts';
import type { Email, Mailer, MailTags, Sent } from './mailer.ts';
import type { SendRateLimiter } from './send-rate.ts';
import { MAIL_TAG_NAMES } from './undeliverable.ts';

/**
 * Defence in depth for text stored before the input rules (shared/core/text/text-rules.ts) existed: SES
 * encodes the message with encodeURIComponent, which throws URIError on a lone surrogate, and a control
 * character has no business in a header. A subject is one line; a body keeps its line breaks and tabs.
 */
export function mailSafe(value: string, { oneLine = false } = {}): string {
  const wellFormed = value.toWellFormed();
  return oneLine
    ? wellFormed.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    : wellFormed.replace(/(?![\t\n\r])\p{Cc}/gu, '');
}

export class SesMailer implements Mailer {
  constructor(
    private readonly options: {
      from: string;
      client?: SESClient;
      configurationSet?: string;
      /** The account's send rate, shared by every sender (shared/core/mail/send-rate.ts). */
      limiter?: SendRateLimiter;
    },
  ) {}

  async send(email: Email): Promise<Sent> {
    const client = this.options.client ?? ses;
    await this.options.limiter?.take(email.to.length + (email.cc?.length ?? 0));
    try {
      const out = await client.send(
        new SendEmailCommand({
          Source: this.options.from,
          Destination: { ToAddresses: email.to, ...(email.cc?.length ? { CcAddresses: email.cc } : {}) },
          ReplyToAddresses: email.replyTo,
          ConfigurationSetName: this.options.configurationSet,
          ...(email.tags ? { Tags: sesTags(email.tags) } : {}),
          Message: {
            Subject: { Data: mailSafe(email.subject, { oneLine: true }), Charset: 'UTF-8' },
            Body: {
              Text: { Data: mailSafe(email.text), Charset: 'UTF-8' },
              Html: { Data: mailSafe(email.html), Charset: 'UTF-8' },
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

/** SES tag names and values allow only [A-Za-z0-9_.@-] (at most 256): anything else becomes `_`. */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256);

/** The message tags SES carries into every event about the email (mail.tags in the bounce event). */
export function sesTags(tags: MailTags): { Name: string; Value: string }[] {
  return [
    { Name: MAIL_TAG_NAMES.kind, Value: tagValue(tags.kind) },
    ...(tags.requestId ? [{ Name: MAIL_TAG_NAMES.requestId, Value: tagValue(tags.requestId) }] : []),
  ];
}
