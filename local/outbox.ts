/** aws-ses-v2-local's mail store, mapped to the outbox shape, plus mail of earlier runs (on disk). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

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

export class Outbox {
  private readonly earlier: OutboxEmail[];

  constructor(
    private readonly file: string,
    private readonly sesUrl: string,
  ) {
    this.earlier = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as OutboxEmail[]) : [];
  }

  async list(): Promise<OutboxEmail[]> {
    const res = await fetch(`${this.sesUrl}/store`);
    const store = (await res.json()) as { emails?: SesStoredEmail[] };
    const seen = new Set(this.earlier.map((e) => e.messageId));
    const current = (store.emails ?? []).map(toOutbox).filter((e) => !seen.has(e.messageId));
    const all = [...this.earlier, ...current];
    writeFileSync(this.file, JSON.stringify(all));
    return all;
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
