/**
 * The mailer in front of SES that respects the suppression list: a recipient whose address bounced
 * permanently or complained (shared/bounces) is left out, the email goes to the others, and
 * `onSuppressed` records why (an EMAIL_SUPPRESSED audit event on the request). When nobody is left
 * nothing is sent and the step goes on: a DPA wait then times out as usual, and Cybersecurity sees on
 * the task page why the vendor never answered. Sending to a suppressed address would only bounce
 * again (SES's own account-level list drops it and counts a bounce), which is what pushes an account
 * towards SES's 5 % review.
 */
import { asError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { Email, Mailer, Sent } from './mailer.ts';
import { normaliseAddress, type SuppressionList, type UndeliverableAddress } from './undeliverable.ts';

export interface SuppressingMailerDeps {
  suppressions: SuppressionList;
  /** Records the left-out recipients; a failure is logged, never thrown (the email already went). */
  onSuppressed: (email: Email, suppressed: readonly UndeliverableAddress[]) => Promise<void>;
}

export class SuppressingMailer implements Mailer {
  constructor(
    private readonly inner: Mailer,
    private readonly deps: SuppressingMailerDeps,
  ) {}

  async send(email: Email): Promise<Sent> {
    const cc = email.cc ?? [];
    // A failed read throws (TransientError): the step retries rather than mail a suppressed address.
    const found = await this.deps.suppressions.suppressedAmong([...email.to, ...cc]);
    if (found.length === 0) return this.inner.send(email);

    const blocked = new Set(found.map((f) => normaliseAddress(f.address)));
    const keep = (list: readonly string[]) => list.filter((a) => !blocked.has(normaliseAddress(a)));
    const to = keep(email.to);
    const copied = keep(cc);
    const suppressed = [...email.to, ...cc].filter((a) => blocked.has(normaliseAddress(a)));
    let sent: Sent = { messageId: '' };
    if (to.length + copied.length > 0) {
      // Someone copied is still told (Cybersecurity on a vendor's SSL notice): they become the To.
      const rest = to.length ? { to, ...(copied.length ? { cc: copied } : {}) } : { to: copied };
      const { cc: _dropped, ...withoutCc } = email;
      sent = await this.inner.send({ ...withoutCc, ...rest });
    }
    try {
      await this.deps.onSuppressed(email, found);
    } catch (error) {
      logger.error('Suppressed recipients not recorded', {
        kind: email.tags?.kind,
        requestId: email.tags?.requestId,
        error: asError(error).message,
      });
    }
    return { ...sent, suppressed };
  }
}
