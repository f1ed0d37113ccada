/**
 * SOP 17: the schedule group that holds one one-time schedule per approved resource, and the role
 * EventBridge Scheduler assumes to start the annual-renewal machine (and nothing else).
 */
import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';

export interface RenewalSchedulerProps {
  /** ARN of the annual-renewal state machine (built from its fixed name). */
  renewalStateMachineArn: string;
}

export class RenewalScheduler extends Construct {
  readonly group: ScheduleGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: RenewalSchedulerProps) {
    super(scope, id);
    this.group = new ScheduleGroup(this, 'Group', {
      scheduleGroupName: `${Stack.of(this).stackName}-renewals`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      description: 'EventBridge Scheduler: start the annual-renewal state machine (TS-PE-535 step 17)',
      // Confused-deputy guard: only schedules of this account's group may assume the role.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': this.group.scheduleGroupArn },
        },
      }),
    });
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'StartAnnualRenewal',
        actions: ['states:StartExecution'],
        resources: [props.renewalStateMachineArn],
      }),
    );
  }
}
