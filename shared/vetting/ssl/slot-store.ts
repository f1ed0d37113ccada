/**
 * The SSL Labs slot pool in the table (PK=SSLLABS#slots, SK=POOL): `max` (learned from SSL Labs),
 * `inFlight`, and `holders`, a map from holder to lease time (epoch ms). `inFlight` and `holders`
 * change together in every write, so `inFlight` is always the number of holders; each write is one
 * conditional UpdateItem (no transactions: the same code runs on dynalite).
 */
import { ConflictError } from '../../core/errors.ts';
import { sslSlotPoolKey } from '../../core/store/keys.ts';
import type { Table } from '../../core/store/table.ts';
import { DEFAULT_SLOT_MAX, type SlotGrant, type SlotPoolView, type SslSlots } from './slots.ts';

interface PoolItem extends SlotPoolView {
  holders: Record<string, number>;
}

/** A few tries when another caller's write lands between our read and our conditional write. */
const ACQUIRE_TRIES = 4;

export class SslSlotStore {
  constructor(private readonly table: Table) {}

  /** The pool, created with DEFAULT_SLOT_MAX on first use. */
  async readSslSlotPool(): Promise<PoolItem> {
    const pool = await this.table.get<PoolItem>('Read SSL Labs slots', sslSlotPoolKey());
    if (pool) return pool;
    const fresh: PoolItem = { max: DEFAULT_SLOT_MAX, inFlight: 0, holders: {} };
    try {
      await this.table.putNew('Create SSL Labs slots', { ...sslSlotPoolKey(), entity: 'sslSlots', ...fresh });
      return fresh;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return (await this.table.get<PoolItem>('Read SSL Labs slots', sslSlotPoolKey())) ?? fresh;
    }
  }

  async acquireSslSlots(
    holders: readonly string[],
    leaseUntil: number,
    options: { force?: boolean } = {},
  ): Promise<SlotGrant> {
    let pool = await this.readSslSlotPool();
    for (let attempt = 0; attempt < ACQUIRE_TRIES; attempt++) {
      const wanted = holders.filter((h) => pool.holders[h] === undefined);
      if (wanted.length === 0) {
        await this.renewSslSlots(holders, leaseUntil);
        return { granted: true, inFlight: pool.inFlight, max: pool.max };
      }
      // Leases that passed belong to executions that stopped calling: free them first.
      const now = this.table.now().getTime();
      const expired = Object.entries(pool.holders).filter(
        ([h, until]) => until < now && !holders.includes(h),
      );
      if (expired.length > 0) {
        for (const [holder, until] of expired) await this.freeExpired(holder, until);
        pool = await this.readSslSlotPool();
        continue;
      }
      // A scan of more hosts than the maximum waits for an empty pool (it then runs alone).
      const room = Math.max(0, pool.max - wanted.length);
      if (!options.force && pool.inFlight > room)
        return { granted: false, inFlight: pool.inFlight, max: pool.max };
      const names: Record<string, string> = { '#holders': 'holders' };
      const values: Record<string, unknown> = { ':n': wanted.length, ':until': leaseUntil };
      const sets: string[] = [];
      const absent: string[] = [];
      wanted.forEach((holder, i) => {
        names[`#h${i}`] = holder;
        sets.push(`#holders.#h${i} = :until`);
        absent.push(`attribute_not_exists(#holders.#h${i})`);
      });
      const limit = options.force ? [] : ['inFlight <= :room', '#max = :max'];
      if (!options.force) {
        names['#max'] = 'max';
        Object.assign(values, { ':room': room, ':max': pool.max });
      }
      try {
        await this.table.update('Take SSL Labs slots', {
          Key: sslSlotPoolKey(),
          UpdateExpression: `SET ${sets.join(', ')}, inFlight = inFlight + :n`,
          ConditionExpression: ['attribute_exists(PK)', ...limit, ...absent].join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        });
        return { granted: true, inFlight: pool.inFlight + wanted.length, max: pool.max };
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        // Someone else took or freed a slot meanwhile: look again.
        pool = await this.readSslSlotPool();
      }
    }
    return { granted: false, inFlight: pool.inFlight, max: pool.max };
  }

  async renewSslSlots(holders: readonly string[], leaseUntil: number): Promise<void> {
    for (const holder of holders) {
      try {
        await this.table.update('Renew SSL Labs slot', {
          Key: sslSlotPoolKey(),
          UpdateExpression: 'SET #holders.#h = :until',
          ConditionExpression: 'attribute_exists(#holders.#h)',
          ExpressionAttributeNames: { '#holders': 'holders', '#h': holder },
          ExpressionAttributeValues: { ':until': leaseUntil },
        });
      } catch (error) {
        // The lease passed and another scan freed it: the assessment runs on, uncounted.
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }

  async releaseSslSlots(holders: readonly string[]): Promise<void> {
    for (const holder of holders) await this.removeHolder('Release SSL Labs slot', holder);
  }

  async learnSslSlotMax(announced: number): Promise<void> {
    try {
      await this.table.update('Learn the SSL Labs maximum', {
        Key: sslSlotPoolKey(),
        UpdateExpression: 'SET #max = :max',
        ConditionExpression: 'attribute_exists(PK) AND #max <> :max',
        ExpressionAttributeNames: { '#max': 'max' },
        ExpressionAttributeValues: { ':max': announced },
      });
    } catch (error) {
      // Already known (or the pool is not there yet: its first taker creates it).
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  /** Frees a slot whose lease passed, only if it still has the lease we saw. */
  private freeExpired(holder: string, until: number): Promise<void> {
    return this.removeHolder('Free an expired SSL Labs slot', holder, until);
  }

  private async removeHolder(what: string, holder: string, lease?: number): Promise<void> {
    try {
      await this.table.update(what, {
        Key: sslSlotPoolKey(),
        UpdateExpression: 'REMOVE #holders.#h SET inFlight = inFlight - :one',
        ConditionExpression: lease === undefined ? 'attribute_exists(#holders.#h)' : '#holders.#h = :lease',
        ExpressionAttributeNames: { '#holders': 'holders', '#h': holder },
        ExpressionAttributeValues: { ':one': 1, ...(lease === undefined ? {} : { ':lease': lease }) },
      });
    } catch (error) {
      // Not held (already released, or freed by another taker): nothing to give back.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

/** The limiter over the table's slot pool. */
export function sslSlotsIn(
  store: Pick<SslSlotStore, 'acquireSslSlots' | 'renewSslSlots' | 'releaseSslSlots' | 'learnSslSlotMax'>,
): SslSlots {
  return {
    acquire: (holders, leaseUntil, options) => store.acquireSslSlots(holders, leaseUntil, options),
    renew: (holders, leaseUntil) => store.renewSslSlots(holders, leaseUntil),
    release: (holders) => store.releaseSslSlots(holders),
    learnMax: (announced) => store.learnSslSlotMax(announced),
  };
}
