/** The resource registry (PK=RESOURCE#key): staff transparency (SOP 6 and 16) and renewals due (SOP 17). */
import { registryKey } from './keys.ts';
import type { RegistryEntry } from './records.ts';
import type { Table } from './store.ts';

/** An entry's place in the registry list (GSI1), which is also where a page after it starts. */
function registryIndexKey(entry: Pick<RegistryEntry, 'resourceKey' | 'resourceName'>) {
  return { ...registryKey(entry.resourceKey), GSI1PK: 'REGISTRY', GSI1SK: entry.resourceName.toLowerCase() };
}

export class RegistryStore {
  constructor(private readonly table: Table) {}

  async putRegistryEntry(entry: RegistryEntry): Promise<void> {
    await this.table.put('Publish registry entry', {
      ...registryKey(entry.resourceKey),
      ...registryIndexKey(entry),
      ...(entry.renewalDueOn
        ? { GSI2PK: 'RENEWAL', GSI2SK: `${entry.renewalDueOn}#${entry.resourceKey}` }
        : {}),
      entity: 'registry',
      ...entry,
    });
  }

  async getRegistryEntry(resourceKey: string): Promise<RegistryEntry | undefined> {
    return this.table.get<RegistryEntry>('Read registry entry', registryKey(resourceKey), false);
  }

  /**
   * Up to `limit` entries in name order, after `after` (the last entry of the previous page). One
   * Query: it reads at most `limit` items, whatever the size of the registry.
   */
  async registryPage(
    limit: number,
    after?: Pick<RegistryEntry, 'resourceKey' | 'resourceName'>,
  ): Promise<{ entries: RegistryEntry[]; more: boolean }> {
    const page = await this.table.queryPage<RegistryEntry>('List registry', {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': 'REGISTRY' },
      Limit: limit,
      ...(after ? { ExclusiveStartKey: registryIndexKey(after) } : {}),
    });
    return { entries: page.items, more: page.lastKey !== undefined };
  }

  /** Registry entries whose annual renewal (SOP 17) is due on or before `date` (YYYY-MM-DD). */
  async listRenewalsDue(date: string): Promise<RegistryEntry[]> {
    return this.table.query<RegistryEntry>('List renewals due', {
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :until',
      ExpressionAttributeValues: { ':pk': 'RENEWAL', ':until': `${date}#\uffff` },
    });
  }
}
