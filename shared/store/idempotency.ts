/** Idempotent submission (PK=IDEMPOTENCY#key): a repeated submission resolves to the first request. */
import { ConflictError } from '../errors.ts';
import { idempotencyKey } from './keys.ts';
import type { Table } from './store.ts';

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
      await this.table.putNew('Claim idempotency key', {
        ...idempotencyKey(key),
        entity: 'idempotency',
        ...claim,
        createdAt: this.table.now().toISOString(),
        expiresAtEpoch: this.table.expiresAtEpoch(IDEMPOTENCY_RETENTION_DAYS),
      });
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
}
