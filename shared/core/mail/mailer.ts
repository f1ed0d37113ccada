/** The mail port: domain code renders an Email; the SES adapter (ses-mailer.ts) sends it. */
export interface Email {
  to: string[];
  /** Copied teams (SOP 11: Instructional Technology on DII's replacement task). */
  cc?: string[];
  subject: string;
  text: string;
  html: string;
  replyTo?: string[];
}

export interface Mailer {
  send(email: Email): Promise<{ messageId: string }>;
}
