/**
 * Name prefixes of the one-time EventBridge Scheduler schedules the Lambdas create at run time. The
 * CDK stack limits each creator's scheduler:CreateSchedule grant to its prefix, so this module has no
 * dependencies (CDK imports it at synth).
 */

/** schedule-renewal (SOP 17): `renewal-<requestId>-<yyyy>` (shared/renewal/renewal.ts). */
export const RENEWAL_SCHEDULE_PREFIX = 'renewal-';

/** assign-task (human-step reminders): `remind-<taskId>-<n>` (shared/tasks/reminder-schedules.ts). */
export const REMINDER_SCHEDULE_PREFIX = 'remind-';
