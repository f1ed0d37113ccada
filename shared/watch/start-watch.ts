/**
 * Starts one resource-watch execution, named by what it is about: the same change seen by a later run
 * of the watch (or a run retried after a crash) finds the execution already there and opens no second
 * task. Step Functions keeps a finished standard execution's name for 90 days.
 */
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorName } from '../core/errors.ts';
import type { WatchExecutionInput } from './types.ts';

export interface WatchStarter {
  sfn: SFNClient;
  stateMachineArn: string;
}

/** 'started', or 'exists' when an execution of that name was started before. */
export async function startWatch(
  starter: WatchStarter,
  name: string,
  /** A resource-watch input, or an annual renewal's (`{ requestId }`). */
  input: WatchExecutionInput | { requestId: string },
): Promise<'started' | 'exists'> {
  try {
    await starter.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: starter.stateMachineArn,
        name,
        input: JSON.stringify(input),
      }),
    );
    return 'started';
  } catch (error) {
    if (errorName(error) === 'ExecutionAlreadyExists') return 'exists';
    throw error;
  }
}
