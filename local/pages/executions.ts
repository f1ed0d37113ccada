/**
 * The auditors' view of the local runtime's executions: a list (filterable by status) and one page per
 * execution with its status, input/output, failure cause, event history and the state machine diagram
 * with the path taken highlighted. Server-rendered, no scripts; every value goes through html``.
 * Pure: the caller passes the executions (from the executions store) and the definition.
 */

import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { isOneOf, keysOf } from '#shared/core/guards.ts';
import { html, SafeHtml } from '#shared/core/html/html.ts';
import { page } from '#shared/core/html/layout.ts';
import { htmlResponse } from '#shared/core/http/edge.ts';
import { STATE_MACHINES } from '#shared/functions.ts';
import { type AslDefinition, loadDefinition } from '../asl-definition.ts';
import type { ExecutionEvent } from '../asl-runner.ts';
import { LOCAL_DEADLINE_DAYS, STATE_MACHINE_NAMES } from '../config.ts';
import { pathFromHistory, renderStateMachineSvg } from '../diagram.ts';
import { EXECUTION_STATUSES, eventDetailShape } from '../executions-store.ts';
import type { LocalRoute, SimpleResponse } from '../http-types.ts';

/** A date as the runtime keeps it: ISO string or epoch milliseconds. */
export type DateValue = string | number | Date;

export interface ExecutionSummaryView {
  /** The execution name: the request id. */
  name: string;
  /** The state machine's name (e.g. `software-request`) or ARN. */
  stateMachine: string;
  status: string;
  startDate: DateValue;
  stopDate?: DateValue | null;
}

/** An engine event (local/asl-runner.ts) as the JSON view carries it: any type name, ISO timestamps. */
export interface HistoryEventView extends Omit<ExecutionEvent, 'type' | 'timestamp'> {
  type: string;
  timestamp: DateValue;
}

export interface ExecutionDetailView extends ExecutionSummaryView {
  input?: unknown;
  output?: unknown;
  error?: string | null;
  cause?: string | null;
  events: HistoryEventView[];
}

const dateValueSchema = z.union([z.string(), z.number()]);
const summaryShape = {
  name: z.string(),
  stateMachine: z.string(),
  status: z.string(),
  startDate: dateValueSchema,
  stopDate: z.optional(z.nullable(dateValueSchema)),
};
/** What the views read of `GET /_local/executions` and `GET /_local/executions/{name}` (local/sfn/history.ts). */
const summaryListSchema: z.ZodMiniType<ExecutionSummaryView[]> = z.array(z.looseObject(summaryShape));
const detailSchema: z.ZodMiniType<ExecutionDetailView> = z.looseObject({
  ...summaryShape,
  input: z.optional(z.unknown()),
  output: z.optional(z.unknown()),
  error: z.optional(z.nullable(z.string())),
  cause: z.optional(z.nullable(z.string())),
  events: z.array(z.looseObject({ type: z.string(), timestamp: dateValueSchema, ...eventDetailShape })),
});

const STATUS_LABEL: Record<string, string> = {
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  TIMED_OUT: 'Timed out',
  ABORTED: 'Aborted',
};

/** Page styles on top of the shared shell (the CSP allows inline styles, not scripts). */
const STYLE = new SafeHtml(`<style>
.badge.RUNNING{background:#fff8c5;color:#7d4e00}.badge.SUCCEEDED{background:#dafbe1;color:#1a7f37}
.badge.FAILED,.badge.TIMED_OUT,.badge.ABORTED{background:#ffebe9;color:#b42318}
main{max-width:80rem}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.75rem;overflow:auto;font-size:.85rem;white-space:pre-wrap;word-break:break-word}
.diagram{overflow:auto;border:1px solid #d0d7de;border-radius:8px;background:#fff;-webkit-overflow-scrolling:touch}
.diagram svg{display:block;margin:0 auto}
.legend{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;padding:0;list-style:none;font-size:.9rem}
.legend .swatch{display:inline-block;width:1.6rem;height:.9rem;vertical-align:middle;margin-right:.35rem;border-radius:3px;border:1px solid #57606a;background:#fff}
.legend .taken{border:3px solid #0b5cad;background:#ddf4ff}.legend .current{border:3px dashed #9a6700;background:#fff8c5}
.legend .human{background:#fff8c5}
.failure{border:2px solid #b42318;border-radius:8px;padding:.5rem 1rem;margin:1rem 0}
.filters{display:flex;gap:.5rem;align-items:end;flex-wrap:wrap}.filters label{margin-top:0}.filters select{width:auto}
.filters button{margin-top:0}
table.history td:first-child,table.history th:first-child{white-space:nowrap}
details summary{cursor:pointer;color:#0b5cad}
</style>`);

/** Deterministic UTC date/time (no locale): `2026-11-28 10:00:01 UTC`. */
export function formatDate(value: DateValue | null | undefined): string {
  if (value === undefined || value === null || value === '') return '—';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function isoOf(value: DateValue | null | undefined): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function time(value: DateValue | null | undefined): SafeHtml {
  const iso = isoOf(value);
  return iso ? html`<time datetime="${iso}">${formatDate(value)}</time>` : html`${formatDate(value)}`;
}

function badge(status: string): SafeHtml {
  const known = isOneOf(EXECUTION_STATUSES, status) ? status : 'UNKNOWN';
  return html`<span class="badge ${known}">${STATUS_LABEL[status] ?? status}</span>`;
}

/** `arn:aws:states:…:stateMachine:software-request` → `software-request`. */
export function stateMachineName(stateMachine: string): string {
  return stateMachine.split(':').pop() ?? stateMachine;
}

const SECRET_KEY = /token|secret|password|licen[cs]eKey/i;

/** Pretty JSON for display, with task tokens and link secrets replaced (they never belong on a page). */
export function prettyJson(value: unknown): string {
  if (value === undefined) return '—';
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return value;
    }
  }
  return JSON.stringify(parsed, (key, v) => (key && SECRET_KEY.test(key) ? '[redacted]' : v), 2) ?? '—';
}

function pathOf(name: string): string {
  return encodeURIComponent(name);
}

/** GET /executions?status=…: every execution, newest first. */
export function renderExecutionsList(
  executions: readonly ExecutionSummaryView[],
  query: { status?: string | null } = {},
): string {
  const wanted = (query.status ?? '').toUpperCase();
  const filter = isOneOf(EXECUTION_STATUSES, wanted) ? wanted : undefined;
  const shown = executions
    .filter((e) => !filter || e.status === filter)
    .toSorted(
      (a, b) =>
        (isoOf(b.startDate) ?? '').localeCompare(isoOf(a.startDate) ?? '') || a.name.localeCompare(b.name),
    );
  const options = EXECUTION_STATUSES.map(
    (s) =>
      html`<option value="${s}"${filter === s ? new SafeHtml(' selected') : ''}>${STATUS_LABEL[s]}</option>`,
  );
  const rows = shown.map(
    (e) => html`<tr>
<td><a href="/executions/${pathOf(e.name)}">${e.name}</a><br><a class="hint" href="/requests/${pathOf(e.name)}">request status</a></td>
<td>${stateMachineName(e.stateMachine)}</td>
<td>${badge(e.status)}</td>
<td>${time(e.startDate)}</td>
<td>${time(e.stopDate)}</td>
</tr>`,
  );
  const body = html`${STYLE}
<h1>Executions</h1>
<p class="hint">Every state machine execution of this local runtime, named by its request id (the audit view;
on AWS the Step Functions console shows the same).</p>
<form class="filters" method="get" action="/executions">
<div><label for="status">Status</label>
<select id="status" name="status"><option value="">All</option>${options}</select></div>
<button type="submit">Filter</button>
</form>
<p>${
    filter
      ? html`${shown.length} of ${executions.length} executions with status ${STATUS_LABEL[filter]}. <a href="/executions">Show all</a>`
      : html`${executions.length} executions.`
  }</p>
${
  shown.length > 0
    ? html`<table class="executions">
<caption class="hint">Newest first</caption>
<thead><tr><th scope="col">Execution (request id)</th><th scope="col">State machine</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Stopped</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : html`<p>No executions${filter ? html` with status ${STATUS_LABEL[filter]}` : ''} yet.</p>`
}`;
  return page({ title: filter ? `Executions (${STATUS_LABEL[filter]})` : 'Executions', body });
}

function eventDetails(e: HistoryEventView): SafeHtml {
  const parts: SafeHtml[] = [];
  if (e.error || e.cause) {
    parts.push(
      html`<div class="error">${e.error ?? 'Error'}</div>${e.cause ? html`<pre>${prettyJson(e.cause)}</pre>` : ''}`,
    );
  }
  const shown =
    e.output !== undefined && !e.type.endsWith('Entered') && e.type !== 'ExecutionStarted'
      ? { label: 'output', value: e.output }
      : e.input !== undefined
        ? { label: 'input', value: e.input }
        : undefined;
  if (shown) {
    parts.push(
      html`<details><summary>${shown.label}</summary><pre>${prettyJson(shown.value)}</pre></details>`,
    );
  }
  return html`${parts}`;
}

/** GET /executions/{name}: one execution, its diagram with the path taken, and its history. */
export function renderExecutionPage(execution: ExecutionDetailView, definition?: AslDefinition): string {
  const events = execution.events.toSorted((a, b) =>
    (isoOf(a.timestamp) ?? '').localeCompare(isoOf(b.timestamp) ?? ''),
  );
  const running = execution.status === 'RUNNING';
  const path = pathFromHistory(events, running);
  const machine = stateMachineName(execution.stateMachine);
  const diagram = definition
    ? html`<section aria-labelledby="diagram-h">
<h2 id="diagram-h">State machine and path taken</h2>
<ul class="legend">
<li><span class="swatch taken"></span>taken (thick outline, numbered in order)</li>
${running && path.current ? html`<li><span class="swatch current"></span>current step (dashed, “now”)</li>` : ''}
<li><span class="swatch human"></span>human task</li>
<li><span class="swatch"></span>not taken</li>
<li>dashed arrows: on error or timeout</li>
</ul>
<figure class="diagram" style="margin:0" tabindex="0" aria-label="State machine diagram (scrolls; focus it to scroll with the keyboard)">${new SafeHtml(
        renderStateMachineSvg(definition, path, {
          title: `${machine}: states, with the path of execution ${execution.name} highlighted`,
          idPrefix: 'exec',
        }),
      )}</figure>
<details><summary>Path taken as a list (${path.states.length} states)</summary>
<ol class="path">${path.states.map((s) => html`<li>${s}${s === path.current ? ' (now)' : ''}</li>`)}</ol>
</details>
</section>`
    : html`<p class="hint">The definition of ${machine} is not available.</p>`;
  const failure =
    execution.error || execution.cause
      ? html`<section class="failure" aria-labelledby="failure-h">
<h2 id="failure-h">Why it ${execution.status === 'TIMED_OUT' ? 'timed out' : execution.status === 'ABORTED' ? 'stopped' : 'failed'}</h2>
<p><strong>Error:</strong> <span class="error">${execution.error ?? '—'}</span></p>
${execution.cause ? html`<p><strong>Cause:</strong></p><pre>${prettyJson(execution.cause)}</pre>` : ''}
</section>`
      : '';
  const rows = events.map(
    (e, i) => html`<tr>
<td>${i + 1}</td><td>${time(e.timestamp)}</td><td>${e.type}</td><td>${e.stateName ?? ''}</td><td>${eventDetails(e)}</td>
</tr>`,
  );
  const body = html`${STYLE}
<p><a href="/executions">← All executions</a></p>
<h1>Execution ${execution.name}</h1>
<dl>
<dt>Status</dt><dd>${badge(execution.status)}${running && path.current ? html` at <strong>${path.current}</strong>` : ''}</dd>
<dt>State machine</dt><dd>${machine}</dd>
<dt>Request</dt><dd><a href="/requests/${pathOf(execution.name)}">${execution.name}</a></dd>
<dt>Started</dt><dd>${time(execution.startDate)}</dd>
<dt>Stopped</dt><dd>${time(execution.stopDate)}</dd>
</dl>
${failure}
${diagram}
<section aria-labelledby="io-h">
<h2 id="io-h">Input and output</h2>
<h3>Input</h3><pre>${prettyJson(execution.input)}</pre>
<h3>Output</h3><pre>${execution.output === undefined || execution.output === null ? (running ? 'Still running.' : '—') : prettyJson(execution.output)}</pre>
</section>
<section aria-labelledby="history-h">
<h2 id="history-h">Event history (${events.length} events)</h2>
${
  events.length > 0
    ? html`<table class="history">
<thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Details</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : html`<p>No events yet.</p>`
}
</section>`;
  return page({ title: `Execution ${execution.name}`, body });
}

/** Answers a local JSON route (`/_local/executions…`) in-process: status and body. */
export type LocalJsonFetcher = (path: string, query: URLSearchParams) => Promise<SimpleResponse | undefined>;

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const definitions = new Map<string, AslDefinition | undefined>();

/** The ASL file of a local state machine by its name (`software-request`), read once. */
export function definitionOf(stateMachine: string): AslDefinition | undefined {
  const name = stateMachineName(stateMachine);
  if (!definitions.has(name)) {
    const key = keysOf(STATE_MACHINE_NAMES).find((k) => STATE_MACHINE_NAMES[k] === name);
    definitions.set(
      name,
      key ? loadDefinition(join(ROOT, STATE_MACHINES[key].file), LOCAL_DEADLINE_DAYS) : undefined,
    );
  }
  return definitions.get(name);
}

function asLocal(statusCode: number, body: string): SimpleResponse {
  const response = htmlResponse(statusCode, body);
  return {
    status: response.statusCode,
    headers: Object.fromEntries(Object.entries(response.headers ?? {}).map(([k, v]) => [k, String(v)])),
    body: response.body,
  };
}

function notFoundPage(message: string): SimpleResponse {
  return asLocal(
    404,
    page({
      title: 'Not found',
      body: html`<h1>Not found</h1><p>${message}</p><p><a href="/executions">All executions</a></p>`,
    }),
  );
}

/**
 * `GET /executions` and `GET /executions/{name}`: the HTML views over the local runtime's JSON routes
 * `/_local/executions` and `/_local/executions/{name}` (same data, read in-process through `fetchJson`).
 */
export function executionViewRoutes(
  fetchJson: LocalJsonFetcher,
  definitionFor: (stateMachine: string) => AslDefinition | undefined = definitionOf,
): LocalRoute[] {
  return [
    {
      method: 'GET',
      path: '/executions',
      handle: async (req) => {
        const res = await fetchJson('/_local/executions', new URLSearchParams());
        if (res?.status !== 200)
          throw new Error(`The executions list is unavailable (${res?.status ?? 'no route'})`);
        const list = viewOf(summaryListSchema, res.body ?? '[]');
        return asLocal(200, renderExecutionsList(list, { status: req.query.get('status') }));
      },
    },
    {
      method: 'GET',
      path: '/executions/{name}',
      handle: async (req) => {
        const name = req.params.name ?? '';
        const query = new URLSearchParams();
        const machine = req.query.get('stateMachine');
        if (machine) query.set('stateMachine', machine);
        const res = await fetchJson(`/_local/executions/${encodeURIComponent(name)}`, query);
        if (res?.status === 404) return notFoundPage(`There is no execution named ${name}.`);
        if (res?.status !== 200)
          throw new Error(`The execution is unavailable (${res?.status ?? 'no route'})`);
        const detail = viewOf(detailSchema, res.body ?? '{}');
        return asLocal(200, renderExecutionPage(detail, definitionFor(detail.stateMachine)));
      },
    },
  ];
}

/** A local JSON route's answer as the view reads it; another shape is the runtime's own bug, told as such. */
function viewOf<T>(schema: z.ZodMiniType<T>, body: string): T {
  const parsed = schema.safeParse(JSON.parse(body));
  if (parsed.success) return parsed.data;
  throw new Error(`A local executions route answered in another shape: ${z.prettifyError(parsed.error)}`);
}
