/**
 * WorkflowStore: every feature's store over the one table, for the wiring (shared/deps.ts), the local
 * runtime and tests. Domain code never takes it whole: each function types its dependency as the
 * Pick<> of the per-feature store methods it uses.
 */

import { BounceStore } from './bounces/store.ts';
import { AllowanceStore } from './core/store/allowances.ts';
import { IdempotencyStore } from './core/store/idempotency.ts';
import { OutboxStore } from './core/store/outbox.ts';
import { SendRateStore } from './core/store/send-rate.ts';
import { type StoreOptions, Table } from './core/store/table.ts';
import { EvidenceStore } from './evidence/evidence.ts';
import { SnapshotStore } from './evidence/policy-snapshots.ts';
import { UploadLinkStore } from './evidence/upload-links.ts';
import { PeopleStore } from './identity/people.ts';
import { RegistryStore } from './registry/store.ts';
import { ReportStore } from './reports/store.ts';
import { RequestStore } from './requests/store.ts';
import { IncidentLinkStore } from './stewardship/incident-links.ts';
import { IncidentStore } from './stewardship/incident-store.ts';
import { TaskStore } from './tasks/store.ts';
import { SslSlotStore } from './vetting/ssl/slot-store.ts';
import { WatchStore } from './watch/store.ts';

/** The public methods of a store class (its table stays private). */
type Methods<T> = Pick<T, keyof T>;

/**
 * Every kind of item over one table, for callers that need several kinds (each caller types its
 * dependency as the Pick<> of the methods it uses).
 */
export interface WorkflowStore
  extends Methods<RequestStore>,
    Methods<TaskStore>,
    Methods<RegistryStore>,
    Methods<IdempotencyStore>,
    Methods<AllowanceStore>,
    Methods<OutboxStore>,
    Methods<PeopleStore>,
    Methods<ReportStore>,
    Methods<EvidenceStore>,
    Methods<UploadLinkStore>,
    Methods<SnapshotStore>,
    Methods<BounceStore>,
    Methods<SslSlotStore>,
    Methods<SendRateStore>,
    Methods<WatchStore>,
    Methods<IncidentStore>,
    Methods<IncidentLinkStore> {}

// The interface above declares the methods; the constructor binds them from the per-kind stores.
export class WorkflowStore {
  readonly tableName: string;

  constructor(options: StoreOptions) {
    const table = new Table(options);
    this.tableName = table.name;
    for (const part of [
      new RequestStore(table),
      new TaskStore(table),
      new RegistryStore(table),
      new IdempotencyStore(table),
      new AllowanceStore(table),
      new OutboxStore(table),
      new PeopleStore(table),
      new ReportStore(table),
      new EvidenceStore(table),
      new UploadLinkStore(table),
      new SnapshotStore(table),
      new BounceStore(table),
      new SslSlotStore(table),
      new SendRateStore(table),
      new WatchStore(table),
      new IncidentStore(table),
      new IncidentLinkStore(table),
    ]) {
      bindMethods(this, part);
    }
  }
}

/** Makes each method of `part` an own property of `target`, bound to `part`. */
function bindMethods(target: object, part: object): void {
  const proto = Object.getPrototypeOf(part) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const method = proto[name];
    if (name === 'constructor' || typeof method !== 'function') continue;
    Object.defineProperty(target, name, { value: method.bind(part), writable: true, configurable: true });
  }
}
