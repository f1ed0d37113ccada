/**
 * End-to-end helpers: a local runtime on a temporary data folder, and the product driven over HTTP as
 * people use it — submit a request, open the task links from the emails, decide. Every wait polls
 * with a bounded deadline (no fixed sleeps) and fails with what it saw.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import {
  type LocalRuntime,
  type LocalRuntimeOptions,
  type OutboxEmail,
  startLocalRuntime,
} from '#local/runtime.ts';
import type { RequestView } from '#shared/requests/timeline.ts';
import { TASK_KINDS, type TaskKind } from '#shared/workflow/task-kinds.ts';
import { runTsFile, type ScriptRun } from '../support/run-ts.ts';

export const TEAM = {
  cybersecurity: 'ccs@district.example',
  instructionalTechnology: 'instructional-tech@district.example',
  dii: 'dii@district.example',
  aas: 'aas@district.example',
};

export function tempDataDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `e2e-${label}-`));
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export type { ScriptRun } from '../support/run-ts.ts';

/**
 * Runs an operator's script (scripts/*.ts, as `npm run` would) against a test runtime: the script finds
 * the runtime through its data folder and port, as it finds `npm start`'s.
 */
export function runScript(
  runtime: { dataDir: string; port?: number },
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ScriptRun> {
  return runTsFile(script, args, {
    ...process.env,
    LOCAL_DATA_DIR: runtime.dataDir,
    ...(runtime.port === undefined ? {} : { PORT: String(runtime.port) }),
    NODE_OPTIONS: '',
    ...env,
  });
}

const BUNDLED_START_TIMEOUT_MS = 240_000;

/** A runtime for tests: SSL Labs polls and retries do not really wait. */
export function startTestRuntime(
  dataDir: string,
  options: Partial<LocalRuntimeOptions> = {},
): Promise<LocalRuntime> {
  return startLocalRuntime({
    port: 0,
    dataDir,
    waitTimeOverrides: { WaitForSslScan: 0, WaitForSslRetest: 0 },
    fakeSslPollsUntilReady: 1,
    ...options,
  });
}

/**
 * One local runtime per test file on a fresh data folder: started before the tests, stopped (and the
 * folder removed) after them. Read `env.runtime` / `env.client` inside tests.
 */
export function useTestRuntime(label: string, options: Partial<LocalRuntimeOptions> = {}) {
  const env = { dataDir: tempDataDir(label) } as { dataDir: string; runtime: LocalRuntime; client: Client };
  // Bundled handlers are built first, as CDK builds them (esbuild, every function): under a loaded
  // machine that alone can pass the default minute.
  const startTimeout = options.handlers === 'bundled' ? BUNDLED_START_TIMEOUT_MS : undefined;
  beforeAll(async () => {
    env.runtime = await startTestRuntime(env.dataDir, options);
    env.client = new Client(env.runtime);
  }, startTimeout);
  afterAll(async () => {
    await env.runtime?.stop();
    removeDataDir(env.dataDir);
  });
  return env;
}

const BASE_REQUEST = JSON.parse(readFileSync('test/events/resource-request.json', 'utf8')) as Record<
  string,
  unknown
>;

/** A complete SOP step 2 request (Fraction Lab by default); override what the scenario is about. */
export function requestBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const body = { ...BASE_REQUEST, ...overrides };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  return body;
}

/**
 * The shortest path's request: a free application without a website or student data (privacy review,
 * curriculum, technical review, installation).
 */
export const simpleRequestBody = (resourceName: string) =>
  requestBody({
    resourceName,
    resourceUrl: undefined,
    resourceKind: 'application',
    cost: 0,
    studentDataShared: false,
    studentDataElements: undefined,
  });

/** A privacy review that finds the policy acceptable, no DPA needed. */
export const PRIVACY_OK = {
  decision: 'acceptable',
  studentDataRequired: 'no',
  vendorContactEmail: 'privacy@vendor.example',
};

/**
 * What Cybersecurity enters on the privacy review task when the policy is acceptable (SOP 4), beyond
 * PRIVACY_OK: whether student data is required (then the DPA goes to the vendor's privacy contact),
 * the websites to test, the policy page to keep.
 */
export interface PrivacyPolicyAccepted {
  vendorContactEmail?: string;
  studentDataRequired?: 'yes' | 'no';
  websites?: string;
  privacyPolicyUrl?: string;
  decidedBy?: string;
}

export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; seen?: () => Promise<unknown> } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const seen = options.seen ? JSON.stringify(await options.seen(), null, 1) : '';
      throw new Error(`Timed out waiting for ${what}${seen ? `; last seen: ${seen.slice(0, 2000)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 40));
  }
}

export interface TaskLink {
  taskId: string;
  secret: string;
  /** Path and query, e.g. `/tasks/abc?t=…`. */
  path: string;
  email: OutboxEmail;
}

export interface ExecutionSummary {
  name: string;
  stateMachine: string;
  status: string;
  startDate: string;
  stopDate: string | null;
}

export interface ExecutionDetail extends ExecutionSummary {
  input: unknown;
  output: unknown;
  error: string | null;
  cause: string | null;
  waitingFor: string[];
  /** A resumed execution still being answered from its journal. */
  replaying: boolean;
  resumes: { at: string; afterEvent: number; replayedEntries: number }[];
  events: { type: string; stateName?: string; timestamp: string }[];
  history: { id: number; type: string; timestamp: string }[];
}

/** The product, over HTTP, as its users and auditors see it. */
export class Client {
  private readonly used = new Set<string>();

  constructor(private readonly runtime: LocalRuntime) {}

  get baseUrl(): string {
    return this.runtime.baseUrl;
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.runtime.baseUrl}${path}`, init);
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const res = await this.fetch(path, {
      ...init,
      headers: { accept: 'application/json', ...(init.headers ?? {}) },
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** Moves the local clock (POST /_local/clock), which schedules, deadlines and Wait states follow. */
  async advanceDays(days: number): Promise<void> {
    const { status } = await this.json('/_local/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceDays: days }),
    });
    if (status !== 200) throw new Error(`POST /_local/clock answered ${status}`);
  }

  async submit(body: Record<string, unknown>): Promise<string> {
    const res = await this.json<{ requestId: string; status: string }>('/requests', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`Submit answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.requestId;
  }

  /**
   * SOP 2 and 4, where most scenarios start: the request submitted, and Cybersecurity finding the
   * vendor's privacy policy acceptable through the task link in its email. Returns the request id.
   */
  async submitAndPassPrivacyReview(
    body: Record<string, unknown>,
    review: PrivacyPolicyAccepted = {},
  ): Promise<string> {
    const requestId = await this.submit(body);
    await this.complete(requestId, 'privacy-review', { ...PRIVACY_OK, ...review });
    return requestId;
  }

  async request(requestId: string): Promise<RequestView> {
    const res = await this.json<RequestView>(`/requests/${encodeURIComponent(requestId)}`);
    if (res.status !== 200) throw new Error(`GET /requests/${requestId} answered ${res.status}`);
    return res.body;
  }

  async registry(q?: string): Promise<{ resourceName: string; status: string; requestId: string }[]> {
    const res = await this.json<{ items: { resourceName: string; status: string; requestId: string }[] }>(
      `/registry${q ? `?q=${encodeURIComponent(q)}` : ''}`,
    );
    return res.body.items;
  }

  /** Every email sent (GET /_local/outbox; with sign-in that page is for oversight: read it directly). */
  async outbox(): Promise<OutboxEmail[]> {
    const res = await this.json<OutboxEmail[]>('/_local/outbox');
    return res.status === 200 ? res.body : this.runtime.outbox();
  }

  async executions(): Promise<ExecutionSummary[]> {
    return (await this.json<ExecutionSummary[]>('/_local/executions')).body;
  }

  async execution(name: string, stateMachine?: string): Promise<ExecutionDetail> {
    const query = stateMachine ? `?stateMachine=${stateMachine}` : '';
    const res = await this.json<ExecutionDetail>(`/_local/executions/${encodeURIComponent(name)}${query}`);
    if (res.status !== 200) throw new Error(`No execution ${name}`);
    return res.body;
  }

  async waitForStatus(requestId: string, status: string, timeoutMs = 15_000): Promise<RequestView> {
    return eventually(
      `request ${requestId} to be ${status}`,
      async () => {
        const view = await this.request(requestId);
        return view.status === status ? view : undefined;
      },
      { timeoutMs, seen: () => this.request(requestId) },
    );
  }

  async waitForExecution(name: string, status: string, stateMachine?: string): Promise<ExecutionDetail> {
    return eventually(
      `execution ${name} to be ${status}`,
      async () => {
        const detail = await this.execution(name, stateMachine);
        return detail.status === status ? detail : undefined;
      },
      {
        seen: async () =>
          (await this.execution(name, stateMachine)).events.map((e) => `${e.type} ${e.stateName ?? ''}`),
      },
    );
  }

  /** Emails to `to` about this request (subject or text names it). */
  async emailsTo(to: string, requestId: string): Promise<OutboxEmail[]> {
    return (await this.outbox()).filter(
      (e) => e.to.includes(to) && (e.subject.includes(requestId) || e.text.includes(requestId)),
    );
  }

  /** The next, not yet used, task link of this kind for this request, from the team's email. */
  async nextTask(requestId: string, kind: TaskKind): Promise<TaskLink> {
    const { title } = TASK_KINDS[kind];
    return eventually(
      `a ${kind} task email for ${requestId}`,
      async () => {
        for (const email of await this.outbox()) {
          if (!email.subject.includes(requestId) || !email.subject.includes(title)) continue;
          const link = parseTaskLink(email);
          if (link && !this.used.has(link.taskId)) {
            this.used.add(link.taskId);
            return link;
          }
        }
        return undefined;
      },
      { seen: async () => (await this.outbox()).map((e) => e.subject) },
    );
  }

  /** The next, not yet used, reply link (a review's question, SOP 4) emailed to `to` for this request. */
  async nextReply(requestId: string, to: string): Promise<TaskLink> {
    return eventually(
      `a question email to ${to} for ${requestId}`,
      async () => {
        for (const email of await this.outbox()) {
          if (!email.to.includes(to) || !email.subject.includes(requestId)) continue;
          const link = parseReplyLink(email);
          if (link && !this.used.has(link.taskId)) {
            this.used.add(link.taskId);
            return link;
          }
        }
        return undefined;
      },
      { seen: async () => (await this.outbox()).map((e) => `${e.to.join(',')}: ${e.subject}`) },
    );
  }

  /** Submits a reply link's answer form (POST /replies/{id}, form-encoded like the page's form). */
  async answer(link: TaskLink, fields: Record<string, string>): Promise<{ status: number; html: string }> {
    const res = await this.fetch(`/replies/${encodeURIComponent(link.taskId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ t: link.secret, decision: 'answered', ...fields }).toString(),
    });
    return { status: res.status, html: await res.text() };
  }

  /** The request once two reads 200 ms apart agree (the workflow's writes of this step are done). */
  async settled(requestId: string): Promise<RequestView> {
    let last = JSON.stringify(await this.request(requestId));
    return eventually(`request ${requestId} to stop changing`, async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const now = await this.request(requestId);
      const same = JSON.stringify(now) === last;
      last = JSON.stringify(now);
      return same ? now : undefined;
    });
  }

  /** Opens the confirmation page (GET) as an approver would. */
  async open(link: TaskLink): Promise<{ status: number; html: string }> {
    const res = await this.fetch(link.path, { headers: { accept: 'text/html' } });
    return { status: res.status, html: await res.text() };
  }

  /** Submits the decision form (POST, form-encoded like the page's form). */
  async decide(link: TaskLink, fields: Record<string, string>): Promise<{ status: number; html: string }> {
    const res = await this.fetch(`/tasks/${encodeURIComponent(link.taskId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ t: link.secret, decidedBy: 'A. Reviewer', ...fields }).toString(),
    });
    return { status: res.status, html: await res.text() };
  }

  /** Finds the next task of `kind`, checks that opening it changes nothing, then decides it. */
  async complete(requestId: string, kind: TaskKind, fields: Record<string, string>): Promise<TaskLink> {
    const link = await this.nextTask(requestId, kind);
    // assign-task audits the assignment after it sends the email: wait until the request stops changing.
    const before = await this.settled(requestId);
    const page = await this.open(link);
    if (page.status !== 200) throw new Error(`GET ${kind} task page answered ${page.status}`);
    const after = await this.request(requestId);
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      throw new Error(`Opening the ${kind} task page changed the request`);
    }
    const decided = await this.decide(link, fields);
    if (decided.status !== 200) {
      throw new Error(`POST ${kind} decision answered ${decided.status}: ${decided.html.slice(0, 500)}`);
    }
    return link;
  }
}

const LINK = /https?:\/\/[^\s"'<>]+\/tasks\/([A-Za-z0-9_-]+)\?t=([A-Za-z0-9_-]+)/;

export function parseTaskLink(email: OutboxEmail): TaskLink | undefined {
  const m = LINK.exec(email.text);
  if (!m?.[1] || !m[2]) return undefined;
  return { taskId: m[1], secret: m[2], path: `/tasks/${m[1]}?t=${m[2]}`, email };
}

const REPLY_LINK = /https?:\/\/[^\s"'<>]+\/replies\/([A-Za-z0-9_-]+)\?t=([A-Za-z0-9_-]+)/;

export function parseReplyLink(email: OutboxEmail): TaskLink | undefined {
  const m = REPLY_LINK.exec(email.text);
  if (!m?.[1] || !m[2]) return undefined;
  return { taskId: m[1], secret: m[2], path: `/replies/${m[1]}?t=${m[2]}`, email };
}

/** A date a year from now (YYYY-MM-DD), for DPA and licence expiry fields. */
export function nextYear(): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}
