/**
 * The words shared by the mail port, the bounce records (shared/bounces) and the pages that show
 * them: which tags an email carries, which audit events an undeliverable email leaves on its
 * request, and the suppression list port the mailer asks before it sends.
 */
import type { MailKind } from './mailer.ts';

/** The SES message tag names (shared/core/mail/ses-mailer.ts sends them; a bounce event returns them). */
export const MAIL_TAG_NAMES = { kind: 'email-kind', requestId: 'request-id' } as const;

/** Audit events about a request's emails (type), in the request's trail. */
export const MAIL_AUDIT_TYPES = {
  /** SES reported a permanent bounce or a complaint: the address is suppressed from now on. */
  bounced: 'EMAIL_BOUNCED',
  /** The recipient marked the email as spam: the address is suppressed from now on. */
  complained: 'EMAIL_COMPLAINED',
  /** The mailer left out a recipient on the suppression list; the rest of the email went. */
  suppressed: 'EMAIL_SUPPRESSED',
  /** SES rejected the email (it carried a virus, by SES's scan): nothing reached anyone. */
  rejected: 'EMAIL_REJECTED',
  /** SES could not deliver yet and keeps trying (a full mailbox, a slow server). */
  delayed: 'EMAIL_DELAYED',
} as const;

export type UndeliverableReason = 'bounce' | 'complaint';

/** An address the product no longer sends to (PK=BOUNCED#<address>), and why. */
export interface UndeliverableAddress {
  /** Lower-case, as normaliseAddress gives it. */
  address: string;
  reason: UndeliverableReason;
  /** SES's bounce type and subtype (Permanent / General, NoEmail, Suppressed, OnAccountSuppressionList). */
  bounceType?: string;
  bounceSubType?: string;
  /** The receiving server's answer, e.g. "smtp; 550 5.1.1 user unknown". */
  diagnostic?: string;
  /** The SES message id of the email that bounced, and when SES reported it. */
  messageId: string;
  at: string;
  /** The request and kind of email it was (its tags), when it had them. */
  requestId?: string;
  kind?: MailKind | string;
}

/** The suppression list, as the mailer asks it (shared/bounces keeps it in the table). */
export interface SuppressionList {
  /** The records of those of `addresses` that are suppressed (none: an empty list). */
  suppressedAmong(addresses: readonly string[]): Promise<UndeliverableAddress[]>;
}

/** Addresses compare case-insensitively (SES does for the domain, and mailboxes rarely differ by case). */
export const normaliseAddress = (address: string): string => address.trim().toLowerCase();

/** Emails whose recipient is the vendor's contact (typed by a teacher or by Cybersecurity). */
export const VENDOR_MAIL_KINDS: readonly string[] = ['dpa-request', 'ssl-notice', 'question'];
