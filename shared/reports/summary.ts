/**
 * GET /reports/summary.json: the figures of a range of months, from the aggregates (shared/reports/
 * store.ts) and the pending tasks now. Days are measured from a task's assignment to its decision;
 * lead time from a request's submission to its outcome. Medians and 90th percentiles come from the
 * histograms (tenths of a day), nearest rank.
 */
import { ValidationError } from '../core/errors.ts';
import { isOneOf, keysOf } from '../core/guards.ts';
import {
  DEFAULT_SERVICE_LEVEL_DAYS,
  type ServiceLevelDays,
  TASK_KINDS,
  type TaskRecord,
  type Team,
} from '../workflow/index.ts';
import { daysOfBucket, type ReportItem, type ReportStore } from './store.ts';

export interface ReportDeps {
  store: Pick<ReportStore, 'reportMonth'> & { listPendingTasks(team: Team): Promise<TaskRecord[]> };
  now: () => Date;
  serviceLevels: ServiceLevelDays;
}

export interface StepFigures {
  kind: string;
  title: string;
  sopStep: number;
  team: Team;
  decided: number;
  medianDays: number | null;
  p90Days: number | null;
  slaDays: number;
  withinSlaPct: number | null;
  pendingNow: number;
  overdueNow: number;
}

export interface ReportSummary {
  from: string;
  to: string;
  requests: { submitted: number; approved: number; denied: number; inReview: number; error: number };
  steps: StepFigures[];
  denials: { sopStep: number; reason: string; count: number }[];
  leadTime: { medianDays: number | null; p90Days: number | null };
  reusedVettingPct: number | null;
  perMonth: { month: string; submitted: number; approved: number; denied: number }[];
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
/** A report spans at most two years: 24 months of aggregates, a bounded read. */
export const MAX_MONTHS = 24;

/** The months from `from` to `to` (yyyy-mm), checked: default the last 12 months to this one. */
export function monthRange(
  from: unknown,
  to: unknown,
  now: Date,
): { from: string; to: string; months: string[] } {
  const current = now.toISOString().slice(0, 7);
  const end = typeof to === 'string' && to ? to : current;
  const start = typeof from === 'string' && from ? from : shift(end, -11);
  const errors = [
    ...(MONTH.test(start) ? [] : [{ field: 'from', message: 'Give the first month as YYYY-MM' }]),
    ...(MONTH.test(end) ? [] : [{ field: 'to', message: 'Give the last month as YYYY-MM' }]),
  ];
  if (errors.length) throw new ValidationError(errors);
  const months: string[] = [];
  for (let m = start; m <= end; m = shift(m, 1)) months.push(m);
  if (months.length === 0)
    throw new ValidationError([{ field: 'to', message: 'The last month is before the first' }]);
  if (months.length > MAX_MONTHS) {
    throw new ValidationError([{ field: 'from', message: `A report spans at most ${MAX_MONTHS} months` }]);
  }
  return { from: start, to: end, months };
}

function shift(month: string, by: number): string {
  const [y = 0, m = 1] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return d.toISOString().slice(0, 7);
}

const num = (item: ReportItem | undefined, attribute: string): number => {
  const value = item?.[attribute];
  return typeof value === 'number' ? value : 0;
};

/** Bucket → count of the histogram attributes starting with `prefix` + 'h' in `items`. */
function histogram(items: ReportItem[], prefix = ''): Map<string, number> {
  const out = new Map<string, number>();
  const pattern = new RegExp(`^${prefix}h\\d+$`);
  for (const item of items) {
    for (const [attribute, value] of Object.entries(item)) {
      if (!pattern.test(attribute) || typeof value !== 'number') continue;
      const bucket = attribute.slice(prefix.length);
      out.set(bucket, (out.get(bucket) ?? 0) + value);
    }
  }
  return out;
}

/** The q-quantile (nearest rank) of a histogram, in days; null when it is empty. */
export function quantile(hist: Map<string, number>, q: number): number | null {
  const buckets = [...hist].sort((a, b) => daysOfBucket(a[0]) - daysOfBucket(b[0]));
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [bucket, n] of buckets) {
    seen += n;
    if (seen >= rank) return daysOfBucket(bucket);
  }
  return null;
}

const pct = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 10;

export async function reportSummary(
  range: { from?: unknown; to?: unknown },
  deps: ReportDeps,
): Promise<ReportSummary> {
  const now = deps.now();
  const { from, to, months } = monthRange(range.from, range.to, now);
  const byMonth = await Promise.all(
    months.map(async (month) => ({ month, items: await deps.store.reportMonth(month) })),
  );
  const all = byMonth.flatMap((m) => m.items);
  const requestItems = all.filter((i) => i.SK === 'REQUESTS');
  const sum = (attribute: string) => requestItems.reduce((n, item) => n + num(item, attribute), 0);
  const teams = [...new Set(Object.values(TASK_KINDS).map((spec) => spec.team))];
  const pending = (await Promise.all(teams.map((team) => deps.store.listPendingTasks(team)))).flat();
  const lead = histogram(requestItems, 'lead_');
  const closed = sum('approved') + sum('denied');
  return {
    from,
    to,
    requests: {
      submitted: sum('submitted'),
      approved: sum('approved'),
      denied: sum('denied'),
      // Requests waiting on a person now (a pending task), whatever month they came in.
      inReview: new Set(pending.map((t) => t.requestId)).size,
      error: sum('error'),
    },
    steps: stepFigures(all, pending, deps.serviceLevels, now),
    denials: all
      .filter((i) => i.SK.startsWith('DENIAL#'))
      .reduce<{ sopStep: number; reason: string; count: number }[]>((out, item) => {
        const reason = String(item.reason ?? '');
        const sopStep = Number(item.sopStep ?? 0);
        const found = out.find((d) => d.reason === reason && d.sopStep === sopStep);
        if (found) found.count += num(item, 'count');
        else out.push({ sopStep, reason, count: num(item, 'count') });
        return out;
      }, [])
      .sort((a, b) => b.count - a.count || a.sopStep - b.sopStep),
    leadTime: { medianDays: quantile(lead, 0.5), p90Days: quantile(lead, 0.9) },
    reusedVettingPct: pct(sum('reused'), closed),
    perMonth: byMonth.map(({ month, items }) => {
      const requests = items.find((i) => i.SK === 'REQUESTS');
      return {
        month,
        submitted: num(requests, 'submitted'),
        approved: num(requests, 'approved'),
        denied: num(requests, 'denied'),
      };
    }),
  };
}

function stepFigures(
  items: ReportItem[],
  pending: TaskRecord[],
  levels: ServiceLevelDays,
  now: Date,
): StepFigures[] {
  return keysOf(DEFAULT_SERVICE_LEVEL_DAYS).map((kind) => {
    const spec = TASK_KINDS[kind];
    const mine = items.filter((i) => i.SK === `STEP#${kind}`);
    const hist = histogram(mine);
    const decided = mine.reduce((n, item) => n + num(item, 'decided'), 0);
    const waiting = pending.filter((t) => t.kind === kind && t.status === 'PENDING');
    return {
      kind,
      title: spec.title,
      sopStep: spec.sopStep,
      team: spec.team,
      decided,
      medianDays: quantile(hist, 0.5),
      p90Days: quantile(hist, 0.9),
      slaDays: isOneOf(keysOf(levels), kind) ? levels[kind] : DEFAULT_SERVICE_LEVEL_DAYS[kind],
      withinSlaPct: pct(
        mine.reduce((n, item) => n + num(item, 'withinSla'), 0),
        decided,
      ),
      pendingNow: waiting.length,
      overdueNow: waiting.filter((t) => t.dueBy !== undefined && now.toISOString() > t.dueBy).length,
    };
  });
}
