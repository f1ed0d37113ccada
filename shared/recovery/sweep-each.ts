/**
 * The loop every recovery sweep runs over what its index listed: each item on its own, so one that
 * cannot be finished now is logged at error level (the operators' alarm) and left for the next sweep
 * while the others go on; a summary line when anything was listed.
 *
 * A failing store (TransientError) stops the sweeps that read and write the store for each item: the
 * next sweep goes on from the oldest item. The outbox's sweep goes on instead (`onTransientError:
 * 'go-on'`): each of its emails is claimed on its own, and one failing claim says nothing of the next.
 */
import { asError, errorName, TransientError } from '../core/errors.ts';
import { logger } from '../core/logger.ts';

export interface SweepOf<Item, Outcome extends string> {
  /** The outcomes of a finished item, in the result's and the summary's order ('failed' comes last). */
  outcomes: readonly Outcome[];
  /** The sweep's page size: a full page means more are waiting. */
  limit: number;
  /** The item's id in the result, and the fields that name it in the logs. */
  identify: (item: Item) => { id: string; logFields: Record<string, unknown> };
  /** Finishes one item: its outcome, or undefined when there was nothing left to do. */
  recover: (item: Item) => Promise<Outcome | undefined>;
  /** Logged at error level for an item that failed. */
  failureMessage: string;
  /** Logged at info level after a sweep that listed anything. */
  summaryMessage: string;
  onTransientError?: 'stop' | 'go-on';
}

export async function sweepEach<Item, Outcome extends string>(
  listed: readonly Item[],
  sweep: SweepOf<Item, Outcome>,
): Promise<Record<Outcome | 'failed', string[]>> {
  const keys: readonly (Outcome | 'failed')[] = [...sweep.outcomes, 'failed'];
  const result = {} as Record<Outcome | 'failed', string[]>;
  for (const key of keys) result[key] = [];
  for (const item of listed) {
    const { id, logFields } = sweep.identify(item);
    try {
      const outcome = await sweep.recover(item);
      if (outcome) result[outcome].push(id);
    } catch (error) {
      if (error instanceof TransientError && sweep.onTransientError !== 'go-on') throw error;
      result.failed.push(id);
      logger.error(sweep.failureMessage, {
        ...logFields,
        errorName: errorName(error),
        errorMessage: asError(error).message,
      });
    }
  }
  if (listed.length > 0) {
    logger.info(sweep.summaryMessage, {
      ...Object.fromEntries(keys.map((key) => [key, result[key].length])),
      more: listed.length === sweep.limit,
    });
  }
  return result;
}
