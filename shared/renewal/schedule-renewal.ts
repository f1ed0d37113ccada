/**
 * SOP 17 "DPA and SSL grade will be renewed annually if applicable": creates a one-time EventBridge
 * Scheduler schedule that starts the annual-renewal state machine with { requestId } when the renewal
 * is due (a year from now, or RENEWAL_LEAD_DAYS before a signed DPA expires if that is sooner), and
 * records the date on the request and its registry entry. Idempotent: the schedule name is fixed per
 * request and year, so a retried create finds it already there.
 */

import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { createScheduleOnce } from '../core/aws/scheduler.ts';
import { logger } from '../core/logger.ts';
import type { RegistryStore } from '../registry/index.ts';
import { resourceIdOf, signedDpaExpiry } from '../registry/index.ts';
import type { RequestStore } from '../requests/index.ts';
import type {
  RequestRecord,
  ReusedVetting,
  ScheduleRenewalInput,
  ScheduleRenewalOutput,
} from '../workflow/index.ts';
import {
  isoDay,
  isRenewalApplicable,
  NOTHING_TO_RENEW,
  renewalApplicability,
  renewalDueAt,
  renewalScheduleInput,
  renewalWork,
} from './renewal.ts';

const SOP_STEP = 17;

export interface ScheduleRenewalConfig {
  renewalStateMachineArn: string;
  schedulerRoleArn: string;
  scheduleGroupName: string;
  leadDays: number;
  /** SQS queue for renewals Scheduler could not deliver (SCHEDULER_DLQ_ARN). */
  deadLetterArn?: string;
}

export interface ScheduleRenewalDeps {
  store: Pick<RequestStore, 'requireRequest' | 'getRequest' | 'updateRequest' | 'appendAudit'> &
    Pick<RegistryStore, 'setRegistryRenewal'>;
  scheduler: SchedulerClient;
  config: ScheduleRenewalConfig;
  now: () => Date;
}

export async function scheduleRenewal(
  input: ScheduleRenewalInput,
  deps: ScheduleRenewalDeps,
): Promise<ScheduleRenewalOutput> {
  const { requestId } = input;
  const request = await deps.store.requireRequest(requestId);
  const reused = request.security?.reusedVetting;
  if (reused) return renewWithEarlierRequest(request, reused, deps);
  const applies = renewalApplicability(request);

  if (!isRenewalApplicable(applies)) {
    await deps.store.appendAudit({
      requestId,
      sopStep: SOP_STEP,
      type: 'RENEWAL_NOT_APPLICABLE',
      summary: NOTHING_TO_RENEW,
      actor: 'workflow',
    });
    logger.info('Renewal not applicable', { sopStep: SOP_STEP });
    return { scheduled: false, reason: NOTHING_TO_RENEW };
  }

  const dpaExpiresOn = applies.dpa ? signedDpaExpiry(request) : undefined;
  const { due, basis } = renewalDueAt(deps.now(), {
    leadDays: deps.config.leadDays,
    ...(dpaExpiresOn ? { dpaExpiresOn } : {}),
  });
  const schedule = renewalScheduleInput({
    requestId,
    due,
    groupName: deps.config.scheduleGroupName,
    stateMachineArn: deps.config.renewalStateMachineArn,
    roleArn: deps.config.schedulerRoleArn,
    deadLetterArn: deps.config.deadLetterArn,
  });
  const created = await createScheduleOnce(deps.scheduler, schedule);
  const dueOn = isoDay(due);

  // During an annual renewal it stays IN_PROGRESS until record-renewal says RENEWED.
  const status = request.renewal?.status === 'IN_PROGRESS' ? 'IN_PROGRESS' : 'DUE';
  // A retry of this step after its update landed repeats the same schedule: the same time, so the same
  // audit event (by key), written now if the first attempt died before it.
  const scheduledAt =
    request.renewal?.scheduleName === schedule.Name && request.renewal.scheduledAt
      ? request.renewal.scheduledAt
      : deps.now().toISOString();
  await deps.store.updateRequest(requestId, {
    renewal: { ...request.renewal, dueOn, scheduleName: schedule.Name, scheduledAt, status },
  });
  // Only while the entry is still this request's approval: a later decision owns it now otherwise.
  const recorded = await deps.store.setRegistryRenewal(resourceIdOf(request.resource), requestId, dueOn);
  if (!recorded)
    logger.warn('No registry entry of this approval to carry the renewal date', { sopStep: SOP_STEP });

  const work = renewalWork(applies);
  const why = basis === 'dpa-expiry' ? `, ahead of the DPA expiry on ${dpaExpiresOn}` : '';
  const reason = `Annual renewal (${work}) scheduled for ${dueOn}${why}`;
  await deps.store.appendAudit(
    {
      requestId,
      at: scheduledAt,
      sopStep: SOP_STEP,
      type: 'RENEWAL_SCHEDULED',
      summary: reason,
      actor: 'workflow',
      detail: { dueOn, scheduleName: schedule.Name, dpa: applies.dpa, ssl: applies.ssl, basis },
    },
    { key: 'renewal-scheduled' },
  );
  logger.info('Renewal scheduled', { sopStep: SOP_STEP, dueOn, created });
  return { scheduled: true, renewalDueOn: dueOn, reason };
}

/**
 * A request that reused a current vetting has no evidence of its own to renew: the request it reused
 * renews the DPA and SSL grade for the resource (one renewal per resource, so the vendor is asked
 * once). The request records whose renewal it follows; its status page shows that renewal live.
 */
async function renewWithEarlierRequest(
  request: RequestRecord,
  reused: ReusedVetting,
  deps: ScheduleRenewalDeps,
): Promise<ScheduleRenewalOutput> {
  const { requestId } = request;
  const earlier = await deps.store.getRequest(reused.requestId);
  const dueOn = earlier?.renewal?.dueOn;
  const reason = `The annual renewal (SOP 17) is request ${reused.requestId}'s, whose security vetting this request reused${dueOn ? `: next due ${dueOn}` : ''}`;
  await deps.store.updateRequest(requestId, {
    renewal: { status: 'DUE', renewedWith: reused.requestId, ...(dueOn ? { dueOn } : {}), reason },
  });
  await deps.store.appendAudit({
    requestId,
    sopStep: SOP_STEP,
    type: 'RENEWAL_WITH_EARLIER_REQUEST',
    summary: reason,
    actor: 'workflow',
    detail: { renewedWith: reused.requestId, ...(dueOn ? { dueOn } : {}) },
  });
  logger.info('Renewal follows the reused vetting', { sopStep: SOP_STEP, renewedWith: reused.requestId });
  return { scheduled: false, reason };
}
