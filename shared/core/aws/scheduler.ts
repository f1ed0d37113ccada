/**
 * EventBridge Scheduler: an idempotent create. A schedule that already
 * exists under the same name (a retried Lambda created it a moment ago) counts as created.
 */

import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { errorName } from '../errors.ts';
import { asTransient } from './transient.ts';

/** Creates the schedule; returns false when one with this name already existed (nothing changed). */
export async function createScheduleOnce(
  client: SchedulerClient,
  input: CreateScheduleCommandInput,
): Promise<boolean> {
  try {
    await client.send(new CreateScheduleCommand(input));
    return true;
  } catch (error) {
    if (errorName(error) === 'ConflictException') return false;
    throw asTransient(error, 'Create schedule');
  }
}
