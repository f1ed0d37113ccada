/**
 * Starting the resource-stewardship machine (statemachine/resource-stewardship.asl.json): one
 * execution per deletion asked (named by the resource and the ended approval) and per incident reported
 * (named by the incident). The names make a start idempotent: Step Functions refuses a second
 * execution of the same name (ExecutionAlreadyExists), which here means "already started".
 */
import { createHash } from 'node:crypto';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorName } from '../core/errors.ts';

export type StewardshipInput =
  | { kind: 'deletion-confirmation'; requestId: string; resourceId: string; approvedOn: string }
  | { kind: 'incident-review'; requestId: string; resourceId: string; incidentId: string };

/** Execution names allow 80 characters of [A-Za-z0-9_-]: a hash of what identifies the work. */
export function stewardshipExecutionName(input: StewardshipInput): string {
  if (input.kind === 'incident-review') return `incident-${input.incidentId}`;
  const digest = createHash('sha256').update(`${input.resourceId}\n${input.approvedOn}`).digest('hex');
  return `deletion-${digest.slice(0, 40)}`;
}

export interface StewardshipStarter {
  sfn: Pick<SFNClient, 'send'>;
  stateMachineArn: string;
}

/** Starts the execution once; a start that already happened (a retry) is not an error. */
export async function startStewardship(input: StewardshipInput, deps: StewardshipStarter): Promise<void> {
  try {
    await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: deps.stateMachineArn,
        name: stewardshipExecutionName(input),
        input: JSON.stringify(input),
      }),
    );
  } catch (error) {
    if (errorName(error) !== 'ExecutionAlreadyExists') throw error;
  }
}
