/**
 * Loading a district's existing list of vetted resources (SDPC / TXSPA, a spreadsheet) into the
 * registry (scripts/registry-import.ts). Every row is checked before anything is written; then each
 * entry is written with the registry's own conditional write (an older decision never overwrites a
 * newer one), so importing the same file again changes nothing, and an import interrupted half-way is
 * completed by running it again (the entry's index items are rewritten for an unchanged entry).
 */

import type { RegistryEntry } from '../workflow/index.ts';
import type { RegistryStore, RegistryWrite } from './store.ts';

export interface ImportDeps {
  store: Pick<RegistryStore, 'putRegistryEntry'>;
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
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let entry = entries[next++]; entry !== undefined; entry = entries[next++]) {
      counts[await deps.store.putRegistryEntry(entry)]++;
      done++;
      if (done % 500 === 0 || done === entries.length) deps.onProgress?.(done, entries.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 8) }, worker));
  return counts;
}
