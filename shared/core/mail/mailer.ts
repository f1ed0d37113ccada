/** The mail port: domain code renders an Email; the SES adapter (ses-mailer.ts) sends it. */
export interface Email {
  to: string[];
  /** Copied teams (SOP 11: Instructional Technology on DII's replacement task). */
  cc?: string[];
  subject: string;
  text: string;
  html: string;
  replyTo?: string[];
  /**
   * What the email is and which request it belongs to: sent as SES message tags, so a bounce or a
   * complaint SES reports later (shared/bounces) finds its request, and a suppressed send is audited.
   */
  tags?: MailTags;
}

/** SES message tags allow [A-Za-z0-9_-] only: kinds are kebab-case words, request ids are UUIDs. */
export interface MailTags {
  /** e.g. `dpa-request`, `ssl-notice`, `task`, `question`, `acknowledgement` (MAIL_KINDS). */
  kind: MailKind;
  requestId?: string;
}

/** Every kind of email the product sends, by who it is for (undeliverable.ts says which are the vendor's). */
export const MAIL_KINDS = [
  'acknowledgement',
  'task',
  'reminder',
  'escalation',
  'decision',
  'question',
  'outcome',
  'dpa-request',
  'ssl-notice',
  'renewal-lapsed',
  'operator-error',
  'digest',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export interface Sent {
  /** '' when nothing was sent (every recipient suppressed). */
  messageId: string;
  /** Recipients left out because they are on the suppression list (suppressing-mailer.ts). */
  suppressed?: string[];
}

export interface Mailer {
  send(email: Email): Promise<Sent>;
}
