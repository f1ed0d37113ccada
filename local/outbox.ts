/**
 * Every email the handlers sent, as they sent it, plus mail of earlier runs (on disk).
 *
 * aws-ses-v2-local's SES v1 SendEmail (the API shared/core/mail/ses-mailer.ts calls) keeps only the first
 * To, Cc, Bcc and Reply-To address of an email: its request schema names `….member.1` only and drops
 * the rest. So an email sent through SES v1 SendEmail is recorded from the request itself, as the SES
 * proxy saw it accepted (every address in order, subject and both bodies), with the MessageId SES
 * answered. Any other send SES accepted (SendRawEmail, SES v2, which keep every address) is read back
 * from SES's store by its MessageId.
 */

import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { fieldOf } from '#shared/core/guards.ts';
import type { AcceptedCall } from './faults.ts';
import { readJsonFile, readJsonLines } from './json-file.ts';

export interface OutboxEmail {
  messageId: string;
  to: string[];
  cc: string[];
  from: string;
  replyTo: string[];
  subject: string;
  text: string;
  html: string;
  at: string;
}

/** An email as appended to `outbox.jsonl` (or listed in the `outbox.json` of earlier versions). */
const outboxEmailSchema: z.ZodMiniType<OutboxEmail> = z.looseObject({
  messageId: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  from: z.string(),
  replyTo: z.array(z.string()),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  at: z.string(),
});

/**
 * Every email is appended to `<dataDir>/outbox.jsonl` and fsync'd before the handler that sent it
 * hears that it was sent (keep() runs between aws-ses-v2-local's answer and the handler, see
 * local/runtime.ts), so a crash loses no mail: the step that sent it either finished with the mail on
 * disk or runs again after the restart. `outbox.json` of earlier versions is read too.
 */
export class Outbox {
  private readonly kept: OutboxEmail[] = [];
  private readonly ids = new Set<string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly sesUrl: string,
  ) {
    this.remember(readJsonFile(join(dir, 'outbox.json'), z.array(outboxEmailSchema), []));
    // A torn last line (a crash mid-append) is skipped: its email was never reported as sent.
    this.remember(readJsonLines(this.file, outboxEmailSchema));
  }

  private get file(): string {
    return join(this.dir, 'outbox.jsonl');
  }

  private remember(emails: OutboxEmail[]): void {
    for (const e of emails) {
      if (this.ids.has(e.messageId)) continue;
      this.ids.add(e.messageId);
      this.kept.push(e);
    }
  }

  /**
   * Appends the email of a send SES accepted and syncs the file, one at a time. Throws when the email
   * cannot be kept: the proxy then answers 500 and the handler sends it again.
   */
  keep(call: AcceptedCall): Promise<void> {
    const next = this.queue.then(async () => {
      const email = sentEmail(call, new Date()) ?? (await this.fromStore(call));
      if (this.ids.has(email.messageId)) return;
      const fd = openSync(this.file, 'a');
      try {
        writeSync(fd, `${JSON.stringify(email)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      this.remember([email]);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** An accepted send that is not SES v1 SendEmail: SES's stored copy, found by its MessageId. */
  private async fromStore(call: AcceptedCall): Promise<OutboxEmail> {
    const messageId = messageIdOf(call.answer);
    if (!messageId) throw new Error('SES accepted a send without a MessageId');
    // Only the last minute of mail: reading the whole store on every send grows with every email.
    const since = Math.floor(Date.now() / 1000) - 60;
    const res = await fetch(`${this.sesUrl}/store?since=${since}`);
    const emails = fieldOf(await res.json(), 'emails');
    const stored = Array.isArray(emails)
      ? emails.find((e): e is SesStoredEmail => fieldOf(e, 'messageId') === messageId)
      : undefined;
    if (!stored) throw new Error(`SES has no email ${messageId}`);
    return toOutbox(stored);
  }

  /** Every email kept so far, once the sends being kept are on disk. */
  async list(): Promise<OutboxEmail[]> {
    await this.queue;
    return [...this.kept];
  }
}

interface SesStoredEmail {
  messageId: string;
  from: string;
  replyTo?: string[];
  destination?: { to?: string[]; cc?: string[]; bcc?: string[] };
  subject?: string;
  body?: { text?: string; html?: string };
  at: number;
}

function toOutbox(e: SesStoredEmail): OutboxEmail {
  return {
    messageId: e.messageId,
    to: e.destination?.to ?? [],
    cc: e.destination?.cc ?? [],
    from: e.from,
    replyTo: e.replyTo ?? [],
    subject: e.subject ?? '',
    text: e.body?.text ?? '',
    html: e.body?.html ?? '',
    at: new Date(e.at * 1000).toISOString(),
  };
}

/** `<MessageId>…</MessageId>` of an SES v1 answer, or `"MessageId"` of an SES v2 one. */
function messageIdOf(answer: Buffer): string | undefined {
  const text = answer.toString('utf8');
  const xml = /<MessageId>([^<]+)<\/MessageId>/.exec(text)?.[1];
  if (xml) return xml;
  try {
    const id = fieldOf(JSON.parse(text), 'MessageId');
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The email of an SES v1 SendEmail call SES accepted, exactly as the request gave it (the Query
 * protocol of @aws-sdk/client-ses: `Destination.ToAddresses.member.N`, `Message.Subject.Data`, … form
 * fields) with the MessageId of the XML answer. Undefined for any other call.
 */
export function sentEmail(call: AcceptedCall, at: Date): OutboxEmail | undefined {
  if (new URL(call.path, 'http://localhost').pathname.startsWith('/v2/')) return undefined;
  const form = new URLSearchParams(call.request.toString('utf8'));
  if (form.get('Action') !== 'SendEmail') return undefined;
  const messageId = messageIdOf(call.answer);
  if (!messageId) return undefined;
  return {
    messageId,
    to: members(form, 'Destination.ToAddresses'),
    cc: members(form, 'Destination.CcAddresses'),
    from: form.get('Source') ?? '',
    replyTo: members(form, 'ReplyToAddresses'),
    subject: form.get('Message.Subject.Data') ?? '',
    text: form.get('Message.Body.Text.Data') ?? '',
    html: form.get('Message.Body.Html.Data') ?? '',
    at: at.toISOString(),
  };
}

/** `prefix.member.1`, `prefix.member.2`, … in member order (the Query protocol's list encoding). */
function members(form: URLSearchParams, prefix: string): string[] {
  const found: [number, string][] = [];
  const head = `${prefix}.member.`;
  for (const [key, value] of form) {
    const index = key.startsWith(head) ? /^\d+$/.exec(key.slice(head.length)) : null;
    if (index) found.push([Number(index[0]), value]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
}
