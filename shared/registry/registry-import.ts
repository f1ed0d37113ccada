/**
 * Loading a district's existing list of vetted resources (SDPC / TXSPA, a spreadsheet) into the
 * registry (scripts/registry-import.ts). Every row is checked before anything is written; then each
 * entry is written with the registry's own conditional write (an older decision never overwrites a
 * newer one), so importing the same file again changes nothing, and an import interrupted half-way is
 * completed by running it again (the entry's index items are rewritten for an unchanged entry).
 *
 * The entries' conditional writes cannot be batched (BatchWriteItem takes no conditions), but their
 * search index items can: the import gathers the index items of several entries into full batches of
 * 25 (IndexBatches) instead of one or two part-filled batches per entry, which made a third of the
 * calls of an import and most of its time in the SDK (docs/operations.md "Where the time goes").
 */

import type { RegistryEntry } from '../workflow/index.ts';
import type { RegistryIndexWrite, RegistryStore, RegistryWrite } from './store.ts';

/** The most writes one BatchWriteItem takes. */
const BATCH_SIZE = 25;

export interface ImportDeps {
  store: Pick<RegistryStore, 'putRegistryEntry' | 'writeRegistryIndex'>;
  /** Entries written at the same time (default 8). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export type ImportCounts = Record<RegistryWrite, number>;

export async function importRegistryEntries(
  entries: readonly RegistryEntry[],
  deps: ImportDeps,
): Promise<ImportCounts> {
  const counts: ImportCounts = { written: 0, unchanged: 0, superseded: 0 };
  const concurrency = Math.max(1, deps.concurrency ?? 8);
  const index = new IndexBatches((writes) => deps.store.writeRegistryIndex(writes), concurrency);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let entry = entries[next++]; entry !== undefined; entry = entries[next++]) {
      counts[await deps.store.putRegistryEntry(entry, (writes) => index.add(writes))]++;
      done++;
      // Reported once the entries so far are written and their index items are on their way.
      if (done % 500 === 0 || done === entries.length) deps.onProgress?.(done, entries.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    // The index items gathered so far are written even when an entry failed: what was written stays whole.
    await index.flush();
  }
  return counts;
}

const keyOf = (write: RegistryIndexWrite) => {
  const key = write.put ?? write.delete;
  return `${String(key.PK)}\u0000${String(key.SK)}`;
};

/**
 * Index writes gathered into batches of 25, at most `inFlight` batches sent at a time. A key waits for
 * the batch that already holds it (a batch cannot name a key twice, and a later write of a key must
 * land after an earlier one). The first failure is thrown by the next add() or by flush().
 */
class IndexBatches {
  private pending: RegistryIndexWrite[] = [];
  private pendingKeys = new Set<string>();
  /** Keys of the batches being sent, each with its batch's promise. */
  private readonly sending = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly write: (writes: RegistryIndexWrite[]) => Promise<void>,
    private readonly maxInFlight: number,
  ) {}

  async add(writes: readonly RegistryIndexWrite[]): Promise<void> {
    for (const write of writes) {
      this.throwIfFailed();
      const key = keyOf(write);
      if (this.pendingKeys.has(key)) await this.send();
      const earlier = this.sending.get(key);
      if (earlier) await earlier.catch(() => undefined);
      this.pending.push(write);
      this.pendingKeys.add(key);
      if (this.pending.length === BATCH_SIZE) await this.send();
    }
    this.throwIfFailed();
  }

  async flush(): Promise<void> {
    await this.send();
    await Promise.allSettled([...this.inFlight]);
    this.throwIfFailed();
  }

  private async send(): Promise<void> {
    const batch = this.pending;
    const keys = [...this.pendingKeys];
    this.pending = [];
    this.pendingKeys = new Set();
    if (batch.length > 0) {
      const sent: Promise<void> = this.write(batch).then(
        () => undefined,
        (error: unknown) => {
          this.failure ??= { error };
        },
      );
      const settled = sent.finally(() => {
        this.inFlight.delete(settled);
        for (const key of keys) if (this.sending.get(key) === settled) this.sending.delete(key);
      });
      this.inFlight.add(settled);
      for (const key of keys) this.sending.set(key, settled);
    }
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
