/**
 * SOP 17: the schedule group that holds one one-time schedule per approved resource, and the role
 * EventBridge Scheduler assumes to start the annual-renewal machine (and nothing else). The same group
 * holds the human steps' reminder schedules, which run as their own role (invoke remind-task only).
 */
import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';

export interface RenewalSchedulerProps {
  /** ARN of the annual-renewal state machine (built from its fixed name). */
  renewalStateMachineArn: string;
}

export class RenewalScheduler extends Construct {
  readonly group: ScheduleGroup;
  readonly role: Role;
  /** The role reminder schedules run as (see addReminderTarget). */
  reminderRole?: Role;

  constructor(scope: Construct, id: string, props: RenewalSchedulerProps) {
    super(scope, id);
    this.group = new ScheduleGroup(this, 'Group', {
      scheduleGroupName: `${Stack.of(this).stackName}-renewals`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      description: 'EventBridge Scheduler: start the annual-renewal state machine (TS-PE-535 step 17)',
      assumedBy: this.schedulerPrincipal(),
    });
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'StartAnnualRenewal',
        actions: ['states:StartExecution'],
        resources: [props.renewalStateMachineArn],
      }),
    );
  }

  /**
   * The role reminder schedules (made by assign-task) run as: it may invoke the remind-task function
   * and nothing else, and only schedules of this account's group may assume it.
   */
  addReminderTarget(remindFunction: IFunction): Role {
    const role = new Role(this, 'ReminderRole', {
      description: 'EventBridge Scheduler: invoke remind-task for human-step reminders (TS-PE-535 4, 7-15)',
      assumedBy: this.schedulerPrincipal(),
    });
    role.addToPolicy(
      new PolicyStatement({
        sid: 'InvokeRemindTask',
        actions: ['lambda:InvokeFunction'],
        resources: [remindFunction.functionArn],
      }),
    );
    this.reminderRole = role;
    return role;
  }

  /** Confused-deputy guard: only schedules of this account's group may assume the roles. */
  private schedulerPrincipal(): ServicePrincipal {
    return new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': this.group.scheduleGroupArn },
      },
    });
  }
}
