/**
 * SOP 17: schedules the annual renewal (a one-time EventBridge Scheduler schedule that starts the
 * annual-renewal state machine) and records the due date (shared/renewal/schedule-renewal.ts).
 *
 * Input: ScheduleRenewalInput { requestId }. Output: ScheduleRenewalOutput.
 * Env: TABLE_NAME, RENEWAL_STATE_MACHINE_ARN, SCHEDULER_ROLE_ARN, SCHEDULE_GROUP_NAME, RENEWAL_LEAD_DAYS,
 * SCHEDULER_DLQ_ARN.
 */

import { scheduler } from '#shared/core/aws/clients.ts';
import { readSchedulerDeadLetterArn } from '#shared/core/config.ts';
import { type Env, intEnv, requireEnv } from '#shared/core/env.ts';
import { workflowStep } from '#shared/core/lambda.ts';
import { now, store } from '#shared/deps.ts';
import { DEFAULT_RENEWAL_LEAD_DAYS } from '#shared/renewal/renewal.ts';
import {
  type ScheduleRenewalConfig,
  type ScheduleRenewalDeps,
  scheduleRenewal as schedule,
} from '#shared/renewal/schedule-renewal.ts';
import { requestOnlyInputSchema } from '#shared/workflow/step-inputs.ts';

export type { ScheduleRenewalConfig, ScheduleRenewalDeps } from '#shared/renewal/schedule-renewal.ts';

export function readScheduleRenewalConfig(env: Env = process.env) {
  return {
    renewalStateMachineArn: requireEnv('RENEWAL_STATE_MACHINE_ARN', env),
    schedulerRoleArn: requireEnv('SCHEDULER_ROLE_ARN', env),
    scheduleGroupName: requireEnv('SCHEDULE_GROUP_NAME', env),
    leadDays: intEnv('RENEWAL_LEAD_DAYS', DEFAULT_RENEWAL_LEAD_DAYS, env),
    deadLetterArn: readSchedulerDeadLetterArn(env),
  } satisfies ScheduleRenewalConfig;
}

const step = workflowStep(
  requestOnlyInputSchema,
  schedule,
  (): ScheduleRenewalDeps => ({
    store: store(),
    scheduler,
    config: readScheduleRenewalConfig(),
    now,
  }),
);

export const scheduleRenewal = step.run;
export const handler = step.handler;
