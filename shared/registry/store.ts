/**
 * The resource registry (PK=RESOURCE#resourceId): staff transparency (SOP 6 and 16), renewals due
 * (SOP 17), and its search index (PK=RSEARCH#<bucket>#<word prefix>, one item per status bucket and
 * word prefix of the resource and vendor names, sorted by name: shared/core/store/keys.ts).
 *
 * dynalite has no transactions, so the entry is written first (conditional on its decision time: an
 * older decision never overwrites a newer one) and its index items after it, idempotently, carrying
 * the entry's decision time. A crash between the two leaves index items that disagree with the entry:
 * readers check each page against the entries (registrySearchPage callers) and skip those, and the next
 * write of the entry puts them right.
 */

import { ConflictError } from '../core/errors.ts';
import {
  INDEX_PARTITIONS,
  registryKey,
  registrySearchKey,
  registrySearchPartition,
} from '../core/store/keys.ts';
import type { Item, Table } from '../core/store/table.ts';
import type { RegistryEntry, RegistryIndexItem } from '../workflow/index.ts';
import { indexPrefixes, searchWords, sortKeyOf } from './resource-identity.ts';

export type RegistryBucket = 'A' | 'N';
export const bucketOf = (status: RegistryEntry['status']): RegistryBucket =>
  status === 'APPROVED' ? 'A' : 'N';

/** What writing an entry did: written; same decision already there; a newer decision is there. */
export type RegistryWrite = 'written' | 'unchanged' | 'superseded';

/** One write of an entry's search index: an index item put, or a stale one deleted. */
export type RegistryIndexWrite =
  | { put: Item; delete?: never }
  | { delete: { PK: string; SK: string }; put?: never };

/**
 * Where an entry's index writes go once the entry is written: by default straight to the table; the
 * import (registry-import.ts) gathers several entries' writes into full batches instead.
 */
export type RegistryIndexWriter = (writes: RegistryIndexWrite[]) => Promise<void>;

export interface RegistryIndexHit extends RegistryIndexItem {
  /** The index item's sort key: where a page after it starts. */
  sortKey: string;
}

/** An entry's GSI2 item: the renewals due (Approved), or the deletions asked (Not Approved). */
function gsi2Of(entry: RegistryEntry): Record<string, string> {
  if (entry.renewalDueOn) return { GSI2PK: 'RENEWAL', GSI2SK: `${entry.renewalDueOn}#${entry.resourceId}` };
  if (entry.deletion) {
    return {
      GSI2PK: INDEX_PARTITIONS.deletions.key,
      GSI2SK: `${entry.deletion.approvedOn}#${entry.resourceId}`,
    };
  }
  return {};
}

export class RegistryStore {
  constructor(private readonly table: Table) {}

  /**
   * Writes the entry unless the registry already has a decision about this resource at the same time
   * or later, then hands its search index items to `writeIndex`. The same decision again ('unchanged')
   * rewrites the index items only (a retry, or a re-import, after a crash between the two writes).
   */
  async putRegistryEntry(
    entry: RegistryEntry,
    writeIndex: RegistryIndexWriter = (writes) => this.writeRegistryIndex(writes),
  ): Promise<RegistryWrite> {
    let previous: Item | undefined;
    try {
      previous = await this.table.putIf(
        'Publish registry entry',
        {
          ...registryKey(entry.resourceId),
          ...gsi2Of(entry),
          entity: 'registry',
          ...entry,
        },
        'statusDate < :statusDate',
        { ':statusDate': entry.statusDate },
      );
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const current = await this.getRegistryEntry(entry.resourceId);
      if (!current || current.statusDate !== entry.statusDate) return 'superseded';
      await writeIndex(this.searchIndexWrites(current));
      return 'unchanged';
    }
    const previousStatus = previous?.status;
    await writeIndex(
      this.searchIndexWrites(
        entry,
        previousStatus === 'APPROVED' || previousStatus === 'NOT_APPROVED' ? previousStatus : undefined,
      ),
    );
    return 'written';
  }

  /** Index writes, in BatchWriteItem calls of 25 (a batch must not name one key twice). */
  async writeRegistryIndex(writes: RegistryIndexWrite[]): Promise<void> {
    await this.table.batchWrite('Index registry entry', writes);
  }

  /**
   * The entry's index items in its status bucket; when its status changed, the same items in the
   * other bucket go. Unconditional (a batch has no conditions): readers check them against the entry.
   */
  private searchIndexWrites(
    entry: RegistryEntry,
    previousStatus?: RegistryEntry['status'],
  ): RegistryIndexWrite[] {
    const words = searchWords({ name: entry.resourceName, vendorName: entry.vendorName });
    const sortKey = sortKeyOf({ name: entry.resourceName, vendorName: entry.vendorName }, entry.resourceId);
    const bucket = bucketOf(entry.status);
    const item: RegistryIndexItem = {
      resourceId: entry.resourceId,
      statusDate: entry.statusDate,
      words: words.join(' '),
    };
    const prefixes = indexPrefixes(words);
    const stale =
      previousStatus && bucketOf(previousStatus) !== bucket ? bucketOf(previousStatus) : undefined;
    return [
      ...prefixes.map((p) => ({ put: { ...registrySearchKey(bucket, p, sortKey), ...item } })),
      ...(stale ? prefixes.map((p) => ({ delete: registrySearchKey(stale, p, sortKey) })) : []),
    ];
  }

  async getRegistryEntry(resourceId: string): Promise<RegistryEntry | undefined> {
    return this.table.get<RegistryEntry>('Read registry entry', registryKey(resourceId), false);
  }

  /** Entries by id (missing ones absent), in one BatchGetItem per 100. */
  async getRegistryEntries(resourceIds: readonly string[]): Promise<RegistryEntry[]> {
    if (resourceIds.length === 0) return [];
    return this.table.batchGet<RegistryEntry>(
      'Read registry entries',
      [...new Set(resourceIds)].map((id) => registryKey(id)),
    );
  }

  /**
   * Up to `limit` index items of one status bucket and word prefix ('' = every entry), in name order,
   * after `afterSortKey`. One Query: it reads at most `limit` items, whatever the size of the registry.
   */
  async registrySearchPage(
    bucket: RegistryBucket,
    prefix: string,
    limit: number,
    afterSortKey?: string,
  ): Promise<{ hits: RegistryIndexHit[]; more: boolean }> {
    const page = await this.table.queryPage<RegistryIndexItem & { SK: string }>(
      'Search registry',
      {
        KeyConditionExpression: afterSortKey ? 'PK = :pk AND SK > :after' : 'PK = :pk',
        ExpressionAttributeValues: {
          ':pk': registrySearchPartition(bucket, prefix),
          ...(afterSortKey ? { ':after': afterSortKey } : {}),
        },
        Limit: limit,
      },
      { keepKeys: true },
    );
    return {
      hits: page.items.map((i) => ({
        resourceId: i.resourceId,
        statusDate: i.statusDate,
        words: i.words,
        sortKey: i.SK,
      })),
      more: page.lastKey !== undefined,
    };
  }

  /**
   * Records the renewal date (SOP 17) on the entry while it is still this request's approval; false
   * when a later decision (another request, a denial) has replaced it since.
   */
  async setRegistryRenewal(resourceId: string, requestId: string, renewalDueOn: string): Promise<boolean> {
    return this.updateCurrentApproval('Record registry renewal date', resourceId, requestId, {
      set: 'renewalDueOn = :due, GSI2PK = :renewal, GSI2SK = :sk',
      values: { ':due': renewalDueOn, ':renewal': 'RENEWAL', ':sk': `${renewalDueOn}#${resourceId}` },
    });
  }

  /**
   * Marks the entry "Under review" while it is still this request's approval; false when a later
   * decision has replaced it since (then there is nothing to mark).
   */
  async setRegistryUnderReview(
    resourceId: string,
    requestId: string,
    underReview: NonNullable<RegistryEntry['underReview']>,
  ): Promise<boolean> {
    return this.updateCurrentApproval('Mark registry entry under review', resourceId, requestId, {
      set: 'underReview = :underReview',
      values: { ':underReview': underReview },
    });
  }

  /** An update of the entry only while it is still `requestId`'s approval: false when it is not. */
  private async updateCurrentApproval(
    what: string,
    resourceId: string,
    requestId: string,
    update: { set: string; values: Record<string, unknown> },
  ): Promise<boolean> {
    try {
      await this.table.update(what, {
        Key: registryKey(resourceId),
        UpdateExpression: `SET ${update.set}`,
        ConditionExpression: 'requestId = :requestId AND #status = :approved',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...update.values, ':requestId': requestId, ':approved': 'APPROVED' },
      });
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  /**
   * Lists the requests about a resource on its entry (newest first), unless the entry has changed
   * since it was read (then the next decision's write lists them).
   */
  async setRegistryRequests(resourceId: string, statusDate: string, requestIds: string[]): Promise<void> {
    try {
      await this.table.update('List requests on registry entry', {
        Key: registryKey(resourceId),
        UpdateExpression: 'SET requestIds = :ids',
        ConditionExpression: 'statusDate = :statusDate',
        ExpressionAttributeValues: { ':ids': requestIds, ':statusDate': statusDate },
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  /** Registry entries whose annual renewal (SOP 17) is due on or before `date` (YYYY-MM-DD). */
  async listRenewalsDue(date: string): Promise<RegistryEntry[]> {
    return this.table.query<RegistryEntry>('List renewals due', {
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :until',
      ExpressionAttributeValues: { ':pk': 'RENEWAL', ':until': `${date}#\uffff` },
    });
  }

  /**
   * The deletion of the ended approval `approvedOn` was asked of the vendor: when, and whom. Only while
   * the entry still carries that deletion (a later approval replaced it: false).
   */
  async setDeletionRequested(
    resourceId: string,
    approvedOn: string,
    asked: { requestedOn: string; sentTo: string },
  ): Promise<boolean> {
    return this.updateDeletion('Record deletion requested', resourceId, approvedOn, {
      expression:
        'SET deletion.requestedOn = if_not_exists(deletion.requestedOn, :on), deletion.sentTo = :to',
      values: { ':on': asked.requestedOn, ':to': asked.sentTo },
    });
  }

  /** The certificate of destruction came (or Cybersecurity confirmed the deletion); the first date stays. */
  async setDeletionConfirmed(resourceId: string, approvedOn: string, confirmedOn: string): Promise<boolean> {
    return this.updateDeletion('Record deletion confirmed', resourceId, approvedOn, {
      expression: 'SET deletion.confirmedOn = if_not_exists(deletion.confirmedOn, :on)',
      values: { ':on': confirmedOn },
    });
  }

  private async updateDeletion(
    operation: string,
    resourceId: string,
    approvedOn: string,
    update: { expression: string; values: Record<string, string> },
  ): Promise<boolean> {
    try {
      await this.table.update(operation, {
        Key: registryKey(resourceId),
        UpdateExpression: update.expression,
        ConditionExpression: 'deletion.approvedOn = :approvedOn',
        ExpressionAttributeValues: { ...update.values, ':approvedOn': approvedOn },
      });
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  /** Registry entries whose ended approval asked the vendor for a deletion, oldest first. */
  async listDeletions(): Promise<RegistryEntry[]> {
    return this.table.query<RegistryEntry>('List deletions asked', {
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': INDEX_PARTITIONS.deletions.key },
    });
  }
}
