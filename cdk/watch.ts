/**
 * Issue 22, between renewals: the policy watch and the SSL spot checks, each on a recurring Scheduler
 * schedule (policyCheckDays, sslCheckDays), start resource-watch executions; a decision on a changed
 * policy keeps the new snapshot or starts the annual renewal's vetting again.
 */

import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { FUNCTIONS } from '#shared/functions.ts';
import { WATCH_SCHEDULE_INPUT } from '#shared/watch/checks.ts';
import type { DistrictConfig } from './config.ts';
import type { DistrictFunction } from './constructs/district-function.ts';
import type { DocumentStore } from './constructs/document-store.ts';
import { pascal } from './constructs/monitoring.ts';
import type { RenewalScheduler } from './constructs/renewal-scheduler.ts';

/** What the stack's wiring gives the watch (a part of its Wiring). */
export interface WatchWiring {
  fn: (name: string) => DistrictFunction;
  table: ITable;
  config: Pick<DistrictConfig, 'policyCheckDays' | 'sslCheckDays'>;
  asyncFailures: IQueue;
  machines: { resourceWatch: IStateMachine; annualRenewal: IStateMachine };
}

export function wireWatch(
  w: WatchWiring,
  resources: { documents: DocumentStore; scheduler: RenewalScheduler },
): void {
  w.fn('watch-policies')
    .onAsyncFailure(w.asyncFailures)
    .bindTable(w.table)
    .bindDocuments(resources.documents, ['read', 'put'], ['documents/'])
    .bindStateMachineStart(w.machines.resourceWatch, 'WATCH_STATE_MACHINE_ARN');
  w.fn('start-ssl-spot-checks')
    .onAsyncFailure(w.asyncFailures)
    .bindTable(w.table)
    .bindStateMachineStart(w.machines.resourceWatch, 'WATCH_STATE_MACHINE_ARN');
  w.fn('apply-policy-decision')
    .bindTable(w.table)
    .bindStateMachineStart(w.machines.annualRenewal, 'RENEWAL_STATE_MACHINE_ARN');
  for (const spec of FUNCTIONS) {
    if (!spec.everyDays) continue;
    resources.scheduler.addRecurringFunction(pascal(spec.name), w.fn(spec.name).function, {
      days: w.config[spec.everyDays],
      input: WATCH_SCHEDULE_INPUT,
      description: `Issue 22: ${spec.sop}, every ${w.config[spec.everyDays]} days`,
    });
  }
}
