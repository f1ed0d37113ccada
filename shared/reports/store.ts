/**
 * The reports' aggregates (PK=REPORT#<yyyy-mm>), kept as events happen so that a report reads a bounded
 * number of items whatever the table's size: per month, the requests submitted and closed (by outcome,
 * with a histogram of lead times), per step the decisions (with a histogram of days and how many were
 * within the service level), and the denials by step and reason. Each count is idempotent (countOnce):
 * a retried step or a recovery replay counts once. The aggregate items hold counters only, so a report
 * reads a few small items per month whatever the number of requests.
 */
import { createHash } from 'node:crypto';
import { ConflictError } from '../core/errors.ts';
import { PARTITIONS, TABLE_KEYS } from '../core/store/keys.ts';
import type { Table } from '../core/store/table.ts';

/** Histogram buckets are tenths of a day: `h37` counts durations of 3.65 to 3.75 days. */
export const bucketOf = (days: number): string => `h${Math.max(0, Math.round(days * 10))}`;
export const daysOfBucket = (bucket: string): number => Number(bucket.slice(1)) / 10;

export const monthOf = (iso: string): string => iso.slice(0, 7);
/** A count's marker outlives any retry or replay of its step (the recovery sweep works within days). */
const SEEN_RETENTION_DAYS = 400;
const reportKey = (month: string, sk: string) => ({ PK: `${PARTITIONS.report}${month}`, SK: sk });

export type Outcome = 'approved' | 'denied' | 'error';

export interface ReportItem {
  SK: string;
  [attribute: string]: unknown;
}

export class ReportStore {
  constructor(private readonly table: Table) {}

  /**
   * Adds `counters` (attribute → amount) to the aggregate item, once for `id`: a marker item per
   * counted event (`REPORT#SEEN#<what>#<id>`, its own partition, never read by a report) is put first,
   * conditionally; a retry finds it and counts nothing. A step that dies between the two writes leaves
   * the figure one short, never doubled. False when `id` was counted before.
   */
  private async countOnce(
    what: string,
    key: { PK: string; SK: string },
    seen: string,
    id: string,
    counters: Record<string, number>,
    fixed: Record<string, string> = {},
  ): Promise<boolean> {
    try {
      await this.table.putNew('Mark report count', {
        PK: `${PARTITIONS.report}SEEN#${seen}#${id}`,
        SK: 'SEEN',
        [TABLE_KEYS.ttl]: this.table.expiresAtEpoch(SEEN_RETENTION_DAYS),
      });
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const adds = Object.entries(counters).map(([attribute, amount], i) => {
      names[`#c${i}`] = attribute;
      values[`:c${i}`] = amount;
      return `#c${i} :c${i}`;
    });
    const sets = Object.entries(fixed).map(([attribute, value], i) => {
      names[`#f${i}`] = attribute;
      values[`:f${i}`] = value;
      return `#f${i} = :f${i}`;
    });
    await this.table.update(what, {
      Key: key,
      UpdateExpression: `ADD ${adds.join(', ')}${sets.length ? ` SET ${sets.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return true;
  }

  async countSubmitted(requestId: string, submittedAt: string): Promise<boolean> {
    return this.countOnce(
      'Count submission',
      reportKey(monthOf(submittedAt), 'REQUESTS'),
      'submitted',
      requestId,
      {
        submitted: 1,
      },
    );
  }

  /** A request closed (month of closing): its outcome, and its lead time from submission when decided. */
  async countClosed(
    requestId: string,
    outcome: Outcome,
    closedAt: string,
    leadDays?: number,
  ): Promise<boolean> {
    return this.countOnce('Count outcome', reportKey(monthOf(closedAt), 'REQUESTS'), 'closed', requestId, {
      [outcome]: 1,
      ...(leadDays === undefined ? {} : { [`lead_${bucketOf(leadDays)}`]: 1 }),
    });
  }

  async countReuse(requestId: string, at: string): Promise<boolean> {
    return this.countOnce('Count reused vetting', reportKey(monthOf(at), 'REQUESTS'), 'reused', requestId, {
      reused: 1,
    });
  }

  /** A decided task (month of decision): its days from assignment and whether within its service level. */
  async countDecision(
    task: { taskId: string; kind: string },
    decidedAt: string,
    days: number,
    withinSla: boolean,
  ) {
    return this.countOnce(
      'Count decision',
      reportKey(monthOf(decidedAt), `STEP#${task.kind}`),
      'decided',
      task.taskId,
      {
        decided: 1,
        [bucketOf(days)]: 1,
        ...(withinSla ? { withinSla: 1 } : {}),
      },
    );
  }

  async countDenial(requestId: string, sopStep: number, reason: string, at: string): Promise<boolean> {
    const hash = createHash('sha256').update(reason).digest('hex').slice(0, 12);
    const key = reportKey(monthOf(at), `DENIAL#${String(sopStep).padStart(2, '0')}#${hash}`);
    return this.countOnce(
      'Count denial',
      key,
      'denied',
      requestId,
      { count: 1 },
      { reason, sopStep: String(sopStep) },
    );
  }

  /** Every aggregate item of one month (a few dozen at most), with its sort key. */
  async reportMonth(month: string): Promise<ReportItem[]> {
    const items: ReportItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.table.queryPage<ReportItem>(
        'Read report month',
        {
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': `${PARTITIONS.report}${month}` },
          ...(start ? { ExclusiveStartKey: start } : {}),
        },
        { keepKeys: true },
      );
      items.push(...page.items);
      start = page.lastKey;
    } while (start);
    return items;
  }
}
