/**
 * Allowances (PK=ALLOWANCE#<hash of who>, SK=<window start>): how many times someone did something in
 * the current fixed window, e.g. submissions per hour. Taking one is a single conditional UpdateItem
 * (count below the limit, then add one), so concurrent takers never pass the limit and a refusal
 * writes nothing; dynalite, the local table, runs it as DynamoDB does (no transactions needed).
 * `who` is hashed: the table keeps no address or email for this, and each item expires a day after
 * its window.
 */
import { createHash } from 'node:crypto';
import { ConflictError } from '../errors.ts';
import { allowanceKey } from './keys.ts';
import type { Table } from './table.ts';

export type Allowance =
  | { taken: true; window: string }
  /** Nothing was written; `retryAfterSeconds` is the time left in the window (at least 1). */
  | { taken: false; retryAfterSeconds: number };

export interface AllowanceRule {
  /** At most this many in a window. */
  limit: number;
  windowSeconds: number;
}

export class AllowanceStore {
  constructor(private readonly table: Table) {}

  /** Takes one of `who`'s allowance in the window containing now, unless `rule.limit` are taken already. */
  async takeAllowance(who: string, rule: AllowanceRule): Promise<Allowance> {
    const now = this.table.now().getTime();
    const windowMs = rule.windowSeconds * 1000;
    const start = Math.floor(now / windowMs) * windowMs;
    const window = new Date(start).toISOString();
    try {
      await this.table.update('Take allowance', {
        Key: allowanceKey(hashOf(who), window),
        UpdateExpression: 'ADD used :one SET expiresAtEpoch = :expires',
        ConditionExpression: 'attribute_not_exists(used) OR used < :limit',
        ExpressionAttributeValues: {
          ':one': 1,
          ':limit': rule.limit,
          ':expires': this.table.expiresAtEpoch(1, new Date(start + windowMs)),
        },
      });
      return { taken: true, window };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return { taken: false, retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
    }
  }

  /**
   * Gives back one taken in `window` (a later allowance of the same action was refused, so the action
   * did not happen). Never below zero.
   */
  async giveBackAllowance(who: string, window: string): Promise<void> {
    try {
      await this.table.update('Give back allowance', {
        Key: allowanceKey(hashOf(who), window),
        UpdateExpression: 'ADD used :minusOne',
        ConditionExpression: 'used > :zero',
        ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

const hashOf = (who: string): string => createHash('sha256').update(who).digest('hex').slice(0, 32);
