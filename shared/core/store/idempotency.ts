/** Idempotent submission (PK=IDEMPOTENCY#key): a repeated submission resolves to the first request. */
import { ConflictError } from '../errors.ts';
import { idempotencyKey } from './keys.ts';
import type { Table } from './table.ts';

/** How long a claim is kept (its TTL). */
const IDEMPOTENCY_RETENTION_DAYS = 30;

export class IdempotencyStore {
  constructor(private readonly table: Table) {}

  /**
   * Claims an idempotency key for a request id. Returns the request id already holding the key when
   * the claim loses, so a repeated submission resolves to the first request.
   */
  async claimIdempotencyKey(
    key: string,
    claim: { requestId: string; bodyHash: string },
  ): Promise<{ claimed: true } | { claimed: false; requestId: string; bodyHash: string }> {
    try {
      await this.table.putNew(
        'Claim idempotency key',
        {
          ...idempotencyKey(key),
          entity: 'idempotency',
          ...claim,
          createdAt: this.table.now().toISOString(),
          expiresAtEpoch: this.table.expiresAtEpoch(IDEMPOTENCY_RETENTION_DAYS),
        },
        // A released claim (its request write failed for good) is free to claim again.
        { condition: 'released = :released', values: { ':released': true } },
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Read the winner's claim: dynalite (the local table) does not return the old item on
      // ConditionalCheckFailed, so ReturnValuesOnConditionCheckFailure cannot be relied on.
      const held = await this.table.get<{ requestId: string; bodyHash: string }>(
        'Read idempotency key',
        idempotencyKey(key),
      );
      if (!held) throw error;
      return { claimed: false, requestId: held.requestId, bodyHash: held.bodyHash };
    }
  }

  /**
   * Gives a claim back, only while it still names `requestId`: the write it reserved the id for was
   * rejected for good, so the same submission must start afresh rather than meet a dead claim. The
   * claim is marked released (an update, so the functions need no DeleteItem); claiming overwrites it.
   */
  async releaseIdempotencyKey(key: string, requestId: string): Promise<void> {
    try {
      await this.table.update('Release idempotency key', {
        Key: idempotencyKey(key),
        UpdateExpression: 'SET released = :released',
        ConditionExpression: 'requestId = :requestId',
        ExpressionAttributeValues: { ':released': true, ':requestId': requestId },
      });
    } catch (error) {
      // Another request holds the key now (or nobody does): nothing of ours to release.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}
