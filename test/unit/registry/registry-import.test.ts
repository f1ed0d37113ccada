/**
 * The registry import (shared/registry/registry-import.ts) on a real DynamoDB engine (dynalite): the
 * index items of many entries travel in full batches of 25, never naming one key twice in a batch, and
 * every imported entry is then found by a word of its names; a batch the table refuses fails the
 * import instead of being dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRegistryEntries } from '#shared/registry/registry-import.ts';
import { searchRegistry } from '#shared/registry/registry-list.ts';
import { resourceIdOf } from '#shared/registry/resource-identity.ts';
import type { RegistryIndexWrite } from '#shared/registry/store.ts';
import type { RegistryEntry } from '#shared/workflow/records.ts';
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';

let table: DynaliteTable;
beforeAll(async () => {
  table = await startDynaliteTable();
});
afterAll(async () => table.stop());

function entry(
  name: string,
  vendorName: string,
  status: RegistryEntry['status'],
  statusDate: string,
): RegistryEntry {
  return {
    resourceId: resourceIdOf({ name, vendorName }),
    resourceName: name,
    vendorName,
    status,
    statusDate,
    source: 'imported',
  };
}

/** The store, with every index batch it is asked to write recorded. */
function recordingStore() {
  const batches: RegistryIndexWrite[][] = [];
  return {
    batches,
    store: {
      putRegistryEntry: table.store.putRegistryEntry,
      writeRegistryIndex: async (writes: RegistryIndexWrite[]) => {
        batches.push(writes);
        await table.store.writeRegistryIndex(writes);
      },
    },
  };
}

const keyOf = (w: RegistryIndexWrite) => {
  const key = w.put ?? w.delete;
  return `${String(key.PK)} ${String(key.SK)}`;
};

describe('importing registry entries', () => {
  it('sends the index items of many entries in full batches, each key once per batch', async () => {
    const entries = Array.from({ length: 40 }, (_, i) =>
      entry(`Batchwise Atlas ${i}`, `Cartography House ${i % 3}`, 'APPROVED', '2026-02-01T00:00:00.000Z'),
    );
    const { store, batches } = recordingStore();

    const counts = await importRegistryEntries(entries, { store, concurrency: 4 });

    expect(counts).toEqual({ written: 40, unchanged: 0, superseded: 0 });
    const writes = batches.flat();
    expect(batches.every((b) => b.length <= 25 && new Set(b.map(keyOf)).size === b.length)).toBe(true);
    // Only the batches cut short by a repeated key, and the last one, are not full.
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(writes.length / 25) + 4);
    for (const e of entries) {
      const found = await searchRegistry({ q: e.resourceName, status: 'APPROVED' }, { store: table.store });
      expect(found.entries.map((f) => f.resourceId)).toContain(e.resourceId);
    }
  });

  it('writes a later row about the same resource after the earlier one (its old status is unlisted)', async () => {
    const approved = entry('Twice Listed', 'Echo Learning', 'APPROVED', '2026-01-01T00:00:00.000Z');
    const denied = { ...approved, status: 'NOT_APPROVED' as const, statusDate: '2026-03-01T00:00:00.000Z' };
    const { store } = recordingStore();

    await importRegistryEntries([approved, denied], { store, concurrency: 1 });

    expect(
      (await searchRegistry({ q: 'twice listed', status: 'APPROVED' }, { store: table.store })).entries,
    ).toEqual([]);
    const notApproved = await searchRegistry(
      { q: 'twice listed', status: 'NOT_APPROVED' },
      { store: table.store },
    );
    expect(notApproved.entries.map((e) => e.status)).toEqual(['NOT_APPROVED']);
  });

  it('fails when the table refuses an index batch', async () => {
    const refused = new Error('Throughput exceeded');
    const store = {
      putRegistryEntry: table.store.putRegistryEntry,
      writeRegistryIndex: async () => {
        throw refused;
      },
    };
    const entries = [entry('Refused Index', 'Nowhere Ltd', 'APPROVED', '2026-02-01T00:00:00.000Z')];

    await expect(importRegistryEntries(entries, { store })).rejects.toBe(refused);
  });
});
