import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import type { ConfigurationSet, EmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { DistrictConfig } from './config.ts';
import type { DistrictFunction } from './constructs/district-function.ts';
import type { WorkflowStateMachine } from './constructs/workflow-state-machine.ts';

/** What the wiring of every function needs (the handler contract's values and the resources granted). */
export interface Wiring {
  fn: (name: string) => DistrictFunction;
  table: ITable;
  config: DistrictConfig;
  mail: {
    identity: EmailIdentity;
    configurationSet: ConfigurationSet;
    mailFrom: string;
    /** SES_MAX_SEND_RATE: the account's send rate, shared by every sender. */
    maxSendRate: number;
    sandboxRecipients: readonly string[];
  };
  publicBaseUrl: string;
  teamEmails: string;
  bus: EventBus;
  /** Where asynchronously invoked functions' failed events go (rule targets and on-failure destinations). */
  asyncFailures: Queue;
  machines: {
    softwareRequest: WorkflowStateMachine['machine'];
    annualRenewal: WorkflowStateMachine['machine'];
    resourceWatch: WorkflowStateMachine['machine'];
    resourceStewardship: WorkflowStateMachine['machine'];
  };
  machineArns: Record<string, string>;
}
