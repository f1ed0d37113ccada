/**
 * GET /audit/export.csv?from=YYYY-MM-DD&to=YYYY-MM-DD: every decision of a period, one row each (the
 * decided tasks of the months it spans, kept to the days asked), in the registry export's CSV dialect
 * (a spreadsheet formula in a cell is kept as text).
 */
import { ValidationError } from '../core/errors.ts';
import { formatCsvLine } from '../registry/index.ts';
import type { TaskRecord } from '../workflow/index.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A period of at most a year and a day: one answer stays far below Lambda's 6 MB. */
export const MAX_EXPORT_DAYS = 366;

export interface ExportDeps {
  store: {
    listDecidedTasks(
      month: string,
      after?: Record<string, unknown>,
    ): Promise<{ tasks: TaskRecord[]; next: Record<string, unknown> | undefined }>;
  };
  now: () => Date;
}

export const EXPORT_COLUMNS = [
  'decidedAt',
  'requestId',
  'sopStep',
  'kind',
  'team',
  'decision',
  'decidedBy',
  'assignedAt',
  'taskId',
] as const;

const validDay = (d: string) => DAY.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`));

export function exportPeriod(from: unknown, to: unknown, now: Date): { from: string; to: string } {
  const end = typeof to === 'string' && to ? to : now.toISOString().slice(0, 10);
  const start =
    typeof from === 'string' && from
      ? from
      : new Date(Date.parse(`${end}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  const errors = [
    ...(validDay(start) ? [] : [{ field: 'from', message: 'Give the first day as YYYY-MM-DD' }]),
    ...(validDay(end) ? [] : [{ field: 'to', message: 'Give the last day as YYYY-MM-DD' }]),
  ];
  if (errors.length) throw new ValidationError(errors);
  const days = (Date.parse(end) - Date.parse(start)) / 86_400_000 + 1;
  if (days < 1) throw new ValidationError([{ field: 'to', message: 'The last day is before the first' }]);
  if (days > MAX_EXPORT_DAYS) {
    throw new ValidationError([
      { field: 'from', message: `An export spans at most ${MAX_EXPORT_DAYS} days` },
    ]);
  }
  return { from: start, to: end };
}

function monthsOf(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = from.slice(0, 7); m <= to.slice(0, 7); ) {
    months.push(m);
    const [y = 0, mo = 1] = m.split('-').map(Number);
    m = new Date(Date.UTC(y, mo, 1)).toISOString().slice(0, 7);
  }
  return months;
}

export async function exportDecisions(
  range: { from?: unknown; to?: unknown },
  deps: ExportDeps,
): Promise<{ from: string; to: string; csv: string; rows: number }> {
  const { from, to } = exportPeriod(range.from, range.to, deps.now());
  const lines: string[] = [formatCsvLine(EXPORT_COLUMNS)];
  for (const month of monthsOf(from, to)) {
    let after: Record<string, unknown> | undefined;
    do {
      const page = await deps.store.listDecidedTasks(month, after);
      for (const task of page.tasks) {
        const day = task.decidedAt?.slice(0, 10) ?? '';
        if (day < from || day > to) continue;
        const row: Record<(typeof EXPORT_COLUMNS)[number], unknown> = {
          decidedAt: task.decidedAt,
          requestId: task.requestId,
          sopStep: task.sopStep,
          kind: task.kind,
          team: task.team,
          decision: task.decision,
          decidedBy: task.decidedBy,
          assignedAt: task.createdAt,
          taskId: task.taskId,
        };
        lines.push(formatCsvLine(EXPORT_COLUMNS.map((c) => String(row[c] ?? ''))));
      }
      after = page.next;
    } while (after);
  }
  return { from, to, csv: lines.join(''), rows: lines.length - 1 };
}
