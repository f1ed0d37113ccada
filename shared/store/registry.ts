/** The resource registry (PK=RESOURCE#key): staff transparency (SOP 6 and 16) and renewals due (SOP 17). */
import { registryKey } from './keys.ts';
import type { RegistryEntry } from './records.ts';
import type { Table } from './store.ts';

export class RegistryStore {
  constructor(private readonly table: Table) {}

  async putRegistryEntry(entry: RegistryEntry): Promise<void> {
    await this.table.put('Publish registry entry', {
      ...registryKey(entry.resourceKey),
      GSI1PK: 'REGISTRY',
      GSI1SK: entry.resourceName.toLowerCase(),
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

  async listRegistry(): Promise<RegistryEntry[]> {
    return this.table.queryAll<RegistryEntry>('List registry', {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': 'REGISTRY' },
    });
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
