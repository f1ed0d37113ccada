/** aws-ses-v2-local's mail store, mapped to the outbox shape, plus mail of earlier runs (on disk). */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonLines } from './json-file.ts';

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
  /** The newest SES store time kept (epoch seconds): each keep() asks only for mail from then on. */
  private since = 0;

  constructor(
    private readonly dir: string,
    private readonly sesUrl: string,
  ) {
    const legacy = join(dir, 'outbox.json');
    if (existsSync(legacy)) this.remember(JSON.parse(readFileSync(legacy, 'utf8')) as OutboxEmail[]);
    // A torn last line (a crash mid-append) is skipped: its email was never reported as sent.
    this.remember(readJsonLines<OutboxEmail>(this.file));
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

  /** Appends the emails the SES server has that are not on disk yet, and syncs the file. One at a time. */
  keep(): Promise<void> {
    const next = this.queue.then(async () => {
      // Only mail from the last kept second on (`since` is inclusive and whole seconds): reading the
      // whole store on every send made each submission slower than the one before.
      const res = await fetch(`${this.sesUrl}/store?since=${this.since}`);
      const store = (await res.json()) as { emails?: SesStoredEmail[] };
      const newest = (store.emails ?? []).reduce((max, e) => Math.max(max, e.at), this.since);
      const fresh = (store.emails ?? []).map(toOutbox).filter((e) => !this.ids.has(e.messageId));
      if (fresh.length === 0) return;
      const fd = openSync(this.file, 'a');
      try {
        writeSync(fd, fresh.map((e) => `${JSON.stringify(e)}\n`).join(''));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      this.remember(fresh);
      this.since = newest;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async list(): Promise<OutboxEmail[]> {
    await this.keep();
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
