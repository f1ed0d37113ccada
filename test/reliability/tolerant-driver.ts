/**
 * A client that behaves as a real one does under injected faults, built on bench/driver.ts (its
 * policies and its way of finding task links in the outbox): a 5xx answer is retried — a submission
 * with the same Idempotency-Key, a decision with the same link — and every answer is counted, so the
 * reliability figures can say what a person would have seen.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalRuntime, OutboxEmail } from '#local/runtime.ts';
import { TASK_KINDS, type TaskKind } from '#shared/workflow/task-kinds.ts';
import type { Policy } from '../../bench/driver.ts';

const LINK = /https?:\/\/[^\s"'<>]+\/tasks\/([A-Za-z0-9_-]+)\?t=([A-Za-z0-9_-]+)/;
const KIND_BY_TITLE = Object.entries(TASK_KINDS).map(
  ([kind, spec]) => [spec.title, kind as TaskKind] as const,
);
const TERMINAL = new Set(['APPROVED', 'DENIED', 'ERROR']);

export interface DriverCounts {
  /** 5xx answers that were retried. */
  retried5xx: number;
  /** A decision answered 5xx ("not recorded") whose retry met "already decided". */
  fiveHundredButRecorded: number;
  /** Task links that answered 410 when decided (a task replaced by a retried assignment). */
  goneLinks: number;
  /** Decisions answered 202: kept on the task for the decision sweep (delivery failed, release too). */
  keptForSweep: number;
  /** Decisions answered 200, by request. */
  decided: Map<string, TaskKind[]>;
  /** Those decisions: what the first attempt answered. */
  recordedAfter5xx: string[];
  /** Anything else unexpected (status and what). */
  unexpected: string[];
}

export class TolerantDriver {
  readonly counts: DriverCounts = {
    retried5xx: 0,
    fiveHundredButRecorded: 0,
    goneLinks: 0,
    keptForSweep: 0,
    decided: new Map(),
    recordedAfter5xx: [],
    unexpected: [],
  };
  private readonly seen = new Set<string>();
  /** The outbox only grows: emails before this index were looked at already. */
  private looked = 0;

  /** Emails read so far from `<dataDir>/outbox.jsonl`, and the byte offset read up to. */
  private readonly mail: OutboxEmail[] = [];
  private offset = 0;

  /**
   * With `dataDir`, new mail is read from the end of the runtime's outbox.jsonl (each email is on disk
   * before its sender hears it was sent, local/outbox.ts) instead of GET /_local/outbox, whose answer
   * holds every email ever sent: polled a few times a second it would load the runtime it measures.
   */
  constructor(
    private readonly runtime: Pick<LocalRuntime, 'baseUrl'>,
    private readonly attempts = 30,
    private readonly dataDir?: string,
  ) {}

  /** The request with retries on 5xx; a network error (the server went away) counts as a 5xx. */
  async call(
    path: string,
    init: RequestInit = {},
  ): Promise<{ status: number; text: string; retried: boolean; firstFailure?: string }> {
    let retried = false;
    let firstFailure: string | undefined;
    for (let attempt = 1; ; attempt++) {
      let status = 599;
      let text = '';
      try {
        const res = await fetch(`${this.runtime.baseUrl}${path}`, init);
        status = res.status;
        text = await res.text();
      } catch (error) {
        text = String(error);
      }
      if (status < 500 || attempt >= this.attempts) {
        return { status, text, retried, ...(firstFailure ? { firstFailure } : {}) };
      }
      firstFailure ??= `${status} ${pageText(text)}`;
      retried = true;
      this.counts.retried5xx++;
      await new Promise((r) => setTimeout(r, 50 * Math.min(attempt, 10)));
    }
  }

  async submit(body: Record<string, unknown>, idempotencyKey: string): Promise<string> {
    const res = await this.call('/requests', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'idempotency-key': idempotencyKey,
      },
      body: JSON.stringify(body),
    });
    const answer = JSON.parse(res.text || '{}') as { requestId?: string };
    if ((res.status !== 201 && res.status !== 200) || !answer.requestId) {
      throw new Error(`POST /requests answered ${res.status}: ${res.text.slice(0, 300)}`);
    }
    return answer.requestId;
  }

  async status(requestId: string): Promise<string | undefined> {
    const res = await this.call(`/requests/${requestId}`, { headers: { accept: 'application/json' } });
    if (res.status !== 200) return undefined;
    return (JSON.parse(res.text) as { status: string }).status;
  }

  async outbox(): Promise<OutboxEmail[]> {
    if (this.dataDir) return this.tailOutbox(join(this.dataDir, 'outbox.jsonl'));
    const res = await this.call('/_local/outbox');
    return res.status === 200 ? (JSON.parse(res.text) as OutboxEmail[]) : [];
  }

  private tailOutbox(file: string): OutboxEmail[] {
    if (!existsSync(file)) return this.mail;
    const size = statSync(file).size;
    if (size <= this.offset) return this.mail;
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    const complete = buffer.lastIndexOf(0x0a) + 1; // a torn last line is read next time
    for (const line of buffer.subarray(0, complete).toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        this.mail.push(JSON.parse(line) as OutboxEmail);
      } catch {
        // a line torn by a crash: its email was never reported as sent
      }
    }
    this.offset += complete;
    return this.mail;
  }

  /** Opens and decides every new task email of these requests, once per link. */
  async decideNewTasks(policies: Map<string, Policy>, outbox: OutboxEmail[]): Promise<number> {
    const work: Promise<void>[] = [];
    // an outbox that could not be read (the server is restarting) is empty: look again next time
    const fresh = outbox.slice(this.looked);
    this.looked = Math.max(this.looked, outbox.length);
    for (const email of fresh) {
      const link = LINK.exec(email.text);
      if (!link?.[1] || !link[2] || this.seen.has(`${link[1]}:${link[2]}`)) continue;
      const requestId = /SR-\d{8}-[A-Z0-9]+/.exec(email.subject)?.[0];
      if (!requestId || !policies.has(requestId)) continue;
      const kind = KIND_BY_TITLE.find(([title]) => email.subject.includes(title))?.[1];
      if (!kind) continue;
      this.seen.add(`${link[1]}:${link[2]}`);
      const fields = (policies.get(requestId) as Policy)(kind, 0);
      work.push(this.decide(requestId, kind, link[1], link[2], fields));
    }
    await Promise.all(work);
    return work.length;
  }

  private async decide(
    requestId: string,
    kind: TaskKind,
    taskId: string,
    secret: string,
    fields: Record<string, string>,
  ) {
    const opened = await this.call(`/tasks/${taskId}?t=${secret}`, { headers: { accept: 'text/html' } });
    const seen = `${kind} task ${taskId}: page ${opened.status}${opened.firstFailure ? ` after ${opened.firstFailure}` : ''}`;
    if (opened.status === 410) {
      this.counts.goneLinks++;
      this.note(requestId, `${seen} (${pageText(opened.text).slice(0, 80)})`);
      return;
    }
    const res = await this.call(`/tasks/${taskId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ t: secret, decidedBy: 'Reliability Reviewer', ...fields }).toString(),
    });
    this.note(
      requestId,
      `${seen}, decision ${res.status}${res.firstFailure ? ` after ${res.firstFailure.slice(0, 60)}` : ''} (${pageText(res.text).slice(0, 80)})`,
    );
    if (res.status === 200 || res.status === 202) {
      if (res.status === 202) this.counts.keptForSweep++;
      appendTo(this.counts.decided, requestId, kind);
    } else if (res.status === 409 && res.retried) {
      // told "not recorded", then "already decided" by our own retry
      this.counts.fiveHundredButRecorded++;
      this.counts.recordedAfter5xx.push(
        `${kind} of ${requestId} answered ${res.firstFailure ?? '5xx'}, then 409 "already decided"`,
      );
      appendTo(this.counts.decided, requestId, kind);
    } else if (res.status === 410) {
      this.counts.goneLinks++;
    } else {
      this.counts.unexpected.push(`${kind} of ${requestId} answered ${res.status}: ${pageText(res.text)}`);
    }
  }

  /** What the client did with each task link of a request, in order (for an unfinished workflow's note). */
  readonly history = new Map<string, string[]>();

  private note(requestId: string, line: string): void {
    appendTo(this.history, requestId, line);
  }

  /**
   * Decides every task of these requests as it arrives, until each has a final status or `timeoutMs`
   * has passed. With `idleMs`, a drive still moving at its timeout goes on (up to twice the timeout)
   * until nothing has happened for `idleMs`: no decision, no email, no status change. A loaded machine
   * is slow, not stuck; a stuck workflow still ends the drive.
   */
  async driveToEnd(
    policies: Map<string, Policy>,
    timeoutMs: number,
    { idleMs }: { idleMs?: number } = {},
  ): Promise<Map<string, string>> {
    const start = Date.now();
    const statuses = new Map<string, string>();
    let lastStatusPoll = 0;
    let lastProgress = start;
    let mailSeen = 0;
    const goOn = () => {
      const now = Date.now();
      if (now - start < timeoutMs) return true;
      return idleMs !== undefined && now - start < 2 * timeoutMs && now - lastProgress < idleMs;
    };
    while (goOn()) {
      const mail = await this.outbox();
      const decided = await this.decideNewTasks(policies, mail);
      if (decided > 0 || mail.length > mailSeen) lastProgress = Date.now();
      mailSeen = mail.length;
      // statuses only when nothing was decided, and at most every 2 s (each is a handler call)
      if (decided === 0 && Date.now() - lastStatusPoll > 2000) {
        lastStatusPoll = Date.now();
        for (const id of policies.keys()) {
          if (TERMINAL.has(statuses.get(id) ?? '')) continue;
          const s = await this.status(id);
          if (s && s !== statuses.get(id)) lastProgress = Date.now();
          if (s) statuses.set(id, s);
        }
        if ([...policies.keys()].every((id) => TERMINAL.has(statuses.get(id) ?? ''))) break;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    return statuses;
  }
}

/** An answer's text on one line, short enough for a note: a page's markup and spaces squeezed. */
function pageText(text: string): string {
  return text
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

function appendTo<T>(lists: Map<string, T[]>, key: string, item: T): void {
  lists.set(key, [...(lists.get(key) ?? []), item]);
}
