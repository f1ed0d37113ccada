/**
 * What the policy watch remembers between runs, per reviewed policy address (beside the request, in
 * its partition: PK=REQUEST#id, SK=POLICY-WATCH#<address hash>): when it last looked and how many
 * fetches in a row failed, so that a page down three times running opens one task.
 */
import { createHash } from 'node:crypto';
import { requestKey } from '../core/store/keys.ts';
import type { Table } from '../core/store/table.ts';

export interface PolicyWatchState {
  requestId: string;
  url: string;
  lastCheckedAt: string;
  /** Fetches that failed in a row (0 after one that answered). */
  failures: number;
  /** The last failure's plain-language reason. */
  lastError?: string;
  /** When the failures in a row began (names the one task an outage opens). */
  failingSince?: string;
}

/** A short, stable token for an address or a text (execution names, document ids, sort keys). */
export const shortHash = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 22);

const watchKey = (requestId: string, url: string) => ({
  PK: requestKey(requestId).PK,
  SK: `POLICY-WATCH#${shortHash(url)}`,
});

export class WatchStore {
  constructor(private readonly table: Table) {}

  async getPolicyWatch(requestId: string, url: string): Promise<PolicyWatchState | undefined> {
    return this.table.get<PolicyWatchState>('Read policy watch', watchKey(requestId, url));
  }

  async putPolicyWatch(state: PolicyWatchState): Promise<void> {
    await this.table.put('Record policy watch', {
      ...watchKey(state.requestId, state.url),
      entity: 'policy-watch',
      ...state,
    });
  }
}
