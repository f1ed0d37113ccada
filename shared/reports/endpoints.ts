/**
 * The reports' routes: GET /reports (the page), /reports/summary.json (the same figures) and
 * /reports/tasks.csv (the decided tasks behind them). With sign-in (AUTH_MODE=sso) only Technology
 * Services and the auditors read them; in link mode they are as open as the registry.
 */
import { ValidationError } from '../core/errors.ts';
import { errorPage } from '../core/html/layout.ts';
import {
  type HttpEvent,
  type HttpResponse,
  htmlResponse,
  httpHandler,
  jsonResponse,
} from '../core/http/edge.ts';
import { type CallerDeps, isResponse, signedInOversight } from '../identity/index.ts';
import type { TaskRecord } from '../workflow/index.ts';
import { renderReportsPage } from './pages/reports-page.ts';
import { monthRange, type ReportDeps, reportSummary } from './summary.ts';

export interface ReportEndpointDeps extends ReportDeps {
  caller: CallerDeps;
  store: ReportDeps['store'] & {
    listDecidedTasks(
      month: string,
      after?: Record<string, unknown>,
    ): Promise<{ tasks: TaskRecord[]; next: Record<string, unknown> | undefined }>;
  };
}

/** Undefined when the caller may read the reports (in link mode anyone); else the sign-in answer. */
async function oversightOnly(event: HttpEvent, deps: ReportEndpointDeps): Promise<HttpResponse | undefined> {
  const who = await signedInOversight(event, deps.caller);
  return isResponse(who) ? who : undefined;
}

function endpoint(
  defaultDeps: () => ReportEndpointDeps,
  respond: (event: HttpEvent, deps: ReportEndpointDeps) => Promise<HttpResponse>,
) {
  const run = async (event: HttpEvent, deps: ReportEndpointDeps = defaultDeps()) =>
    (await oversightOnly(event, deps)) ?? respond(event, deps);
  return { run, handler: httpHandler((event) => run(event), { renderErrorPage: errorPage }) };
}

const rangeOf = (event: HttpEvent) => ({
  from: event.queryStringParameters?.from ?? undefined,
  to: event.queryStringParameters?.to ?? undefined,
});

export const reportsPageEndpoint = (deps: () => ReportEndpointDeps) =>
  endpoint(deps, async (event, d) =>
    htmlResponse(200, renderReportsPage(await reportSummary(rangeOf(event), d))),
  );

export const reportsSummaryEndpoint = (deps: () => ReportEndpointDeps) =>
  endpoint(deps, async (event, d) => jsonResponse(200, await reportSummary(rangeOf(event), d)));

/** At most this many task rows per answer; a `Link: <…>; rel="next"` header gives the rest. */
export const TASK_ROWS_PER_ANSWER = 2_000;
const COLUMNS = [
  'taskId',
  'requestId',
  'kind',
  'team',
  'sopStep',
  'assignedAt',
  'decidedAt',
  'days',
  'serviceLevelDays',
  'withinServiceLevel',
  'decision',
  'decidedBy',
] as const;

function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  // A cell a spreadsheet would run as a formula is kept as text.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function taskRow(task: TaskRecord): string {
  const days = task.decidedAt
    ? (Date.parse(task.decidedAt) - Date.parse(task.createdAt)) / 86_400_000
    : undefined;
  const row: Record<(typeof COLUMNS)[number], unknown> = {
    taskId: task.taskId,
    requestId: task.requestId,
    kind: task.kind,
    team: task.team,
    sopStep: task.sopStep,
    assignedAt: task.createdAt,
    decidedAt: task.decidedAt,
    days: days === undefined ? '' : days.toFixed(2),
    serviceLevelDays: task.serviceLevelDays,
    withinServiceLevel: task.dueBy && task.decidedAt ? task.decidedAt <= task.dueBy : '',
    decision: task.decision,
    decidedBy: task.decidedBy,
  };
  return COLUMNS.map((c) => csvCell(row[c])).join(',');
}

interface Cursor {
  month: string;
  after?: Record<string, unknown>;
}

function readCursor(raw: string | undefined): Cursor | undefined {
  if (!raw) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && 'month' in value && typeof value.month === 'string') {
      const after =
        'after' in value && typeof value.after === 'object' && value.after !== null ? value.after : undefined;
      return { month: value.month, ...(after ? { after: { ...after } } : {}) };
    }
  } catch {
    // Fall through: not a cursor this route made.
  }
  throw new ValidationError([{ field: 'cursor', message: 'The cursor is not one this report gave' }]);
}

export const reportsTasksEndpoint = (deps: () => ReportEndpointDeps) =>
  endpoint(deps, async (event, d) => {
    const { months, from, to } = monthRange(rangeOf(event).from, rangeOf(event).to, d.now());
    const cursor = readCursor(event.queryStringParameters?.cursor ?? undefined);
    const lines = [COLUMNS.join(',')];
    let next: Cursor | undefined;
    let index = cursor ? months.indexOf(cursor.month) : 0;
    let after = cursor?.after;
    while (index >= 0 && index < months.length && lines.length <= TASK_ROWS_PER_ANSWER) {
      const month = months[index] ?? '';
      const page = await d.store.listDecidedTasks(month, after);
      lines.push(...page.tasks.map(taskRow));
      if (page.next) after = page.next;
      else {
        index += 1;
        after = undefined;
      }
      if (lines.length > TASK_ROWS_PER_ANSWER && index < months.length) {
        next = { month: months[index] ?? '', ...(after ? { after } : {}) };
      }
    }
    const headers: Record<string, string> = {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="decided-tasks-${from}-to-${to}.csv"`,
      'Cache-Control': 'no-store',
    };
    if (next) {
      const token = Buffer.from(JSON.stringify(next)).toString('base64url');
      headers.Link = `</reports/tasks.csv?from=${from}&to=${to}&cursor=${token}>; rel="next"`;
    }
    return { statusCode: 200, headers, body: `${lines.join('\n')}\n` };
  });
