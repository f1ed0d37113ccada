/**
 * The outbox (docs/design.md "Outbox"): a side effect a step must not lose nor repeat (every email
 * the product sends) is recorded as its own item before it is made, under a key the step derives from what it is
 * doing (so a retry of the same step finds the same item), and marked sent once SES accepted it. While
 * it is not marked the item sits in the sparse GSI2 OUTBOX partition, where the recovery sweep finds it.
 *
 * Every call is one single-item conditional operation (dynalite has no transactions):
 *   recordEffect   PutItem if no entry has this key (or the entry was released): the winner sends
 *   claimStaleEffect UpdateItem if not sent and nobody recorded or claimed it since `staleBefore`
 *   markEffectSent UpdateItem: sentAt + SES message id; the email's body (which may carry a link's
 *                  secret) is removed and the item leaves the index
 *   releaseEffect  UpdateItem: SES refused it, so nothing went out and the next attempt records afresh
 */

import { ConflictError } from '../errors.ts';
import type { Email } from '../mail/mailer.ts';
import { INDEX_PARTITIONS, outboxKey } from './keys.ts';
import type { Table } from './table.ts';

/** How long a sent entry is kept (its TTL): it answers a retry of its step, which comes within days. */
const OUTBOX_RETENTION_DAYS = 30;
const UNSENT = INDEX_PARTITIONS.unsentEffects.key;

export interface OutboxEntry {
  /** The request it belongs to, or DIGEST_OUTBOX_OWNER (the weekly digest's: keys.ts). */
  requestId: string;
  effectKey: string;
  /** What is sent; removed once it is sent. */
  email?: Email;
  recordedAt: string;
  /** Taken by a sender that is not the recorder (the sweep, after the cut-off). */
  claimedAt?: string;
  sentAt?: string;
  /** SES's MessageId of the send that was marked. */
  messageId?: string;
  released?: boolean;
}

export type RecordResult = { recorded: true; entry: OutboxEntry } | { recorded: false; entry: OutboxEntry };

export class OutboxStore {
  constructor(private readonly table: Table) {}

  /**
   * Records an email before it is sent. `recorded: false` with the entry as it is when an entry with
   * this key exists already (a retry of the same step, or a concurrent one).
   */
  async recordEffect(requestId: string, effectKey: string, email: Email): Promise<RecordResult> {
    const entry: OutboxEntry = { requestId, effectKey, email, recordedAt: this.table.now().toISOString() };
    try {
      await this.table.putNew(
        'Record side effect',
        {
          ...outboxKey(requestId, effectKey),
          GSI2PK: UNSENT,
          GSI2SK: entry.recordedAt,
          entity: 'outbox',
          ...entry,
          expiresAtEpoch: this.table.expiresAtEpoch(OUTBOX_RETENTION_DAYS),
        },
        // A released entry (SES refused it: nothing went out) is recorded afresh.
        { condition: 'released = :released', values: { ':released': true } },
      );
      return { recorded: true, entry };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const held = await this.getEffect(requestId, effectKey);
      if (!held) throw error;
      return { recorded: false, entry: held };
    }
  }

  async getEffect(requestId: string, effectKey: string): Promise<OutboxEntry | undefined> {
    return this.table.get<OutboxEntry>('Read side effect', outboxKey(requestId, effectKey));
  }

  /**
   * Takes an unsent entry whose recorder (and any earlier claimer) is older than `staleBefore`: it died
   * before the send or before the mark. True when this caller may send it now.
   */
  async claimStaleEffect(requestId: string, effectKey: string, staleBefore: string): Promise<boolean> {
    try {
      await this.table.update('Claim side effect', {
        Key: outboxKey(requestId, effectKey),
        UpdateExpression: 'SET claimedAt = :now',
        ConditionExpression:
          'attribute_exists(PK) AND attribute_not_exists(sentAt) AND attribute_not_exists(released) ' +
          'AND recordedAt < :stale AND (attribute_not_exists(claimedAt) OR claimedAt < :stale)',
        ExpressionAttributeValues: { ':now': this.table.now().toISOString(), ':stale': staleBefore },
      });
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  /** SES accepted it: the entry keeps when and which message, and leaves the index. */
  async markEffectSent(requestId: string, effectKey: string, messageId: string): Promise<string> {
    const sentAt = this.table.now().toISOString();
    await this.table.update('Mark side effect sent', {
      Key: outboxKey(requestId, effectKey),
      UpdateExpression: 'SET sentAt = :sentAt, messageId = :messageId REMOVE GSI2PK, GSI2SK, email',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':sentAt': sentAt, ':messageId': messageId },
    });
    return sentAt;
  }

  /** SES refused it (nothing went out): the next attempt records it again and sends it. */
  async releaseEffect(requestId: string, effectKey: string): Promise<void> {
    await this.table.update('Release side effect', {
      Key: outboxKey(requestId, effectKey),
      UpdateExpression: 'SET released = :released REMOVE GSI2PK, GSI2SK',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(sentAt)',
      ExpressionAttributeValues: { ':released': true },
    });
  }

  /** Entries recorded before `recordedBefore` and not sent, oldest first (one page of `limit`). */
  async listUnsentEffects(recordedBefore: string, limit: number): Promise<OutboxEntry[]> {
    return this.table.query<OutboxEntry>('List unsent side effects', {
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :before',
      ExpressionAttributeValues: { ':pk': UNSENT, ':before': recordedBefore },
      Limit: limit,
    });
  }
}
