/**
 * Drives the local runtime over HTTP as its users do: submit requests, then follow every task link
 * that arrives by email and decide it, by a policy per request. One outbox read serves every open
 * request, so hundreds of workflows can run at once.
 */

import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import type { LocalRuntime, OutboxEmail } from '../local/runtime.ts';
import { fieldOf, keysOf } from '../shared/core/guards.ts';
import { TASK_KINDS, type TaskKind } from '../shared/workflow/task-kinds.ts';

/** The form fields for a task of `kind`, the `nth` time (from 0) this request meets that kind. */
export type Policy = (kind: TaskKind, nth: number) => Record<string, string>;

const nextYear = () => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
};

/** Every step says yes (a paid resource is bought, licensed and installed). */
export const approveAll: Policy = (kind): Record<string, string> => {
  switch (kind) {
    case 'privacy-review':
      return {
        decision: 'acceptable',
        studentDataRequired: 'yes',
        vendorContactEmail: 'privacy@vendor.example',
      };
    case 'dpa-signature':
      return { decision: 'signed', dpaExpiresOn: nextYear() };
    case 'curriculum-review':
    case 'administrative-review':
      return { decision: 'approve' };
    case 'technical-review':
      return { decision: 'sound' };
    case 'replacement':
      return { decision: 'no-replacement', comment: 'None' };
    case 'procurement':
      return { decision: 'po-issued', poNumber: 'PO-1', amount: '100', quoteReference: 'Q-1' };
    case 'license':
      return { decision: 'license-stored', licenseReference: 'L-1', seats: '30', expiresOn: nextYear() };
    case 'answer':
      return { decision: 'answered', answer: 'Yes.' };
    case 'installation':
      return { decision: 'installed' };
    case 'ssl-remediation':
      return { decision: 'retest' };
    case 'policy-change':
      return { decision: 'still-acceptable' };
    case 'incident-review':
      return { decision: 'reviewed' };
    case 'deletion-confirmation':
      return { decision: 'confirmed' };
  }
};

export const withOverrides =
  (overrides: Partial<Record<TaskKind, (nth: number) => Record<string, string>>>): Policy =>
  (kind, nth) =>
    overrides[kind]?.(nth) ?? approveAll(kind, nth);

const LINK = /https?:\/\/[^\s"'<>]+\/tasks\/([A-Za-z0-9_-]+)\?t=([A-Za-z0-9_-]+)/;
const KIND_BY_TITLE = keysOf(TASK_KINDS).map((kind) => [TASK_KINDS[kind].title, kind] as const);

/** What the driver reads of the local mail viewer's emails (GET /_local/outbox). */
const outboxSchema = z.array(z.object({ subject: z.string(), text: z.string() }));
type MailRead = Pick<OutboxEmail, 'subject' | 'text'>;

const TERMINAL = new Set(['APPROVED', 'DENIED', 'ERROR']);

export interface DriveResult {
  /** Final status per request. */
  statuses: Map<string, string>;
  /** API calls made (each one a Lambda invocation behind API Gateway). */
  httpCalls: number;
  /** Requests that did not reach a final status in time. */
  unfinished: string[];
}

export class Driver {
  httpCalls = 0;
  /** Submissions answered 5xx and sent again. */
  retried = 0;
  private readonly seenTasks = new Set<string>();
  private readonly kindCounts = new Map<string, number>();
  /** Emails already read from the outbox (it only grows): each round reads only the new ones. */
  private outboxRead = 0;

  constructor(private readonly runtime: Pick<LocalRuntime, 'baseUrl'>) {}

  async call(path: string, init: RequestInit = {}): Promise<Response> {
    this.httpCalls++;
    return fetch(`${this.runtime.baseUrl}${path}`, init);
  }

  /** Submits as a careful client does: a 5xx is retried with the same Idempotency-Key (a few times). */
  async submit(body: Record<string, unknown>, idempotencyKey = `bench-${randomUUID()}`): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.call('/requests', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'idempotency-key': idempotencyKey,
        },
        body: JSON.stringify(body),
      });
      const requestId = fieldOf(await res.json().catch(() => ({})), 'requestId');
      if ((res.status === 201 || res.status === 200) && typeof requestId === 'string') return requestId;
      if (res.status < 500 || attempt === 5) throw new Error(`POST /requests answered ${res.status}`);
      this.retried++;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }

  async status(requestId: string): Promise<string> {
    const res = await this.call(`/requests/${requestId}`, { headers: { accept: 'application/json' } });
    return String(fieldOf(await res.json(), 'status'));
  }

  /** Opens (GET) and decides (POST) every new task email of the given requests, once, ten at a time. */
  async decideNewTasks(policies: Map<string, Policy>, outbox: readonly MailRead[]): Promise<number> {
    const work: (() => Promise<void>)[] = [];
    for (const email of outbox) {
      const link = LINK.exec(email.text);
      if (!link?.[1] || !link[2] || this.seenTasks.has(`${link[1]}:${link[2]}`)) continue;
      const requestId = requestIdIn(email.subject, policies);
      const kind = KIND_BY_TITLE.find(([title]) => email.subject.includes(title))?.[1];
      if (!requestId || !kind) continue;
      this.seenTasks.add(`${link[1]}:${link[2]}`);
      const countKey = `${requestId}:${kind}`;
      const nth = this.kindCounts.get(countKey) ?? 0;
      this.kindCounts.set(countKey, nth + 1);
      const policy = policies.get(requestId);
      if (!policy) throw new Error(`No decision policy for ${requestId}`);
      const fields = policy(kind, nth);
      const [taskId, secret] = [link[1], link[2]];
      work.push(() => this.decide(taskId, secret, fields, `${kind} of ${requestId}`));
    }
    for (let i = 0; i < work.length; i += 10) await Promise.all(work.slice(i, i + 10).map((w) => w()));
    return work.length;
  }

  private async decide(
    taskId: string,
    secret: string,
    fields: Record<string, string>,
    what: string,
  ): Promise<void> {
    await (await this.call(`/tasks/${taskId}?t=${secret}`, { headers: { accept: 'text/html' } })).text();
    const res = await this.call(`/tasks/${taskId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ t: secret, decidedBy: 'Bench Reviewer', ...fields }).toString(),
    });
    const page = await res.text();
    if (res.status !== 200) {
      const reasons = [...page.matchAll(/class="error"[^>]*>([^<]+)</g)].map((m) => m[1]).join('; ');
      throw new Error(`Deciding ${what} answered ${res.status}: ${reasons || page.slice(0, 300)}`);
    }
  }

  /** Decides every task of these requests as it arrives, until each has a final status. */
  async driveToEnd(policies: Map<string, Policy>, timeoutMs = 120_000): Promise<DriveResult> {
    const deadline = Date.now() + timeoutMs;
    const statuses = new Map<string, string>();
    // A request's status is read again only after it was emailed (a final outcome always is) or, as a
    // safety net, every few seconds: reading all of them every round made the driver the bottleneck.
    const mailedSinceRead = new Set(policies.keys());
    let lastFullRead = Date.now();
    while (Date.now() < deadline) {
      const outbox = outboxSchema.parse(
        await (await this.call(`/_local/outbox?from=${this.outboxRead}`)).json(),
      );
      this.httpCalls--; // the outbox is the local mail viewer, not an API call of the product
      this.outboxRead += outbox.length;
      for (const email of outbox) {
        const requestId = requestIdIn(email.subject, policies);
        if (requestId) mailedSinceRead.add(requestId);
      }
      const decided = await this.decideNewTasks(policies, outbox);
      if (decided === 0) {
        const full = Date.now() - lastFullRead > 5_000;
        if (full) lastFullRead = Date.now();
        for (const requestId of policies.keys()) {
          if (TERMINAL.has(statuses.get(requestId) ?? '')) continue;
          if (!full && !mailedSinceRead.has(requestId)) continue;
          mailedSinceRead.delete(requestId);
          statuses.set(requestId, await this.status(requestId));
          this.httpCalls--;
        }
        if ([...policies.keys()].every((id) => TERMINAL.has(statuses.get(id) ?? ''))) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    // The loop reads statuses only when a round had nothing to decide: read what is still open now.
    for (const requestId of policies.keys()) {
      if (TERMINAL.has(statuses.get(requestId) ?? '')) continue;
      statuses.set(requestId, await this.status(requestId));
      this.httpCalls--;
    }
    const unfinished = [...policies.keys()].filter((id) => !TERMINAL.has(statuses.get(id) ?? ''));
    return { statuses, httpCalls: this.httpCalls, unfinished };
  }
}

const REQUEST_ID = /SR-\d{8}-[A-Z0-9]{8}/;

/** The request an email is about (its subject names it), when it is one the driver decides for. */
function requestIdIn(subject: string, policies: Map<string, Policy>): string | undefined {
  const id = REQUEST_ID.exec(subject)?.[0];
  return id && policies.has(id) ? id : undefined;
}
