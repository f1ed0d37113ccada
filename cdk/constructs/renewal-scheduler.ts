/**
 * SOP 17: the schedule group that holds one one-time schedule per approved resource, and the role
 * EventBridge Scheduler assumes to start the annual-renewal machine (and nothing else). The same group
 * holds the human steps' reminder schedules, which run as their own role (invoke remind-task only).
 */
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSchedule, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { everyDaysExpression } from '#shared/watch/checks.ts';

export interface RenewalSchedulerProps {
  /** ARN of the annual-renewal state machine (built from its fixed name). */
  renewalStateMachineArn: string;
}

export class RenewalScheduler extends Construct {
  readonly group: ScheduleGroup;
  readonly role: Role;
  /**
   * Where EventBridge Scheduler puts a schedule's event it could not deliver (target gone, role not
   * allowed, retries exhausted): every schedule the Lambdas create names it in DeadLetterConfig, and
   * Scheduler sends to it as the schedule's execution role (DistrictFunction.bind…Scheduler grants it).
   * The stack also makes it the dead-letter queue of the scheduled functions' EventBridge rules and
   * the on-failure destination of every asynchronously invoked function (DistrictFunction.onAsyncFailure).
   */
  readonly deadLetterQueue: Queue;
  /** The role reminder schedules run as (see addReminderTarget). */
  reminderRole?: Role;

  constructor(scope: Construct, id: string, props: RenewalSchedulerProps) {
    super(scope, id);
    this.group = new ScheduleGroup(this, 'Group', {
      scheduleGroupName: `${Stack.of(this).stackName}-renewals`,
      // Like the table: the group holds every pending renewal (one a year per approved resource) and
      // reminder; a redeploy that replaced or removed it would silently drop them. Kept on update and
      // delete, but not when the stack's first creation rolls back: the name is fixed, and a group left
      // behind by a failed create would make the retry fail with "already exists".
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Like the group: a lost renewal is found here, so a redeploy must not drop it.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter queue of the EventBridge Scheduler schedules (set per schedule in DeadLetterConfig at run time, which cdk-nag cannot see), of the scheduled functions' EventBridge rules, and the on-failure destination of the asynchronously invoked functions; nothing consumes it automatically, an alarm tells operators when a message arrives.",
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

  /**
   * A recurring schedule (issue 22: the watch between renewals) invoking `fn` every `days` days with
   * Scheduler's scheduled time, as its own role; undelivered events go to the dead-letter queue.
   */
  addRecurringFunction(
    id: string,
    fn: IFunction,
    options: { days: number; input: string; description: string },
  ) {
    const role = new Role(this, `${id}Role`, {
      description: `EventBridge Scheduler: ${options.description}`,
      assumedBy: this.schedulerPrincipal(),
    });
    role.addToPolicy(
      new PolicyStatement({
        sid: 'InvokeWatch',
        actions: ['lambda:InvokeFunction'],
        resources: [fn.functionArn],
      }),
    );
    // Not grantSendMessages(): Scheduler needs only SendMessage (it adds GetQueueAttributes/GetQueueUrl).
    role.addToPolicy(
      new PolicyStatement({
        sid: 'DeadLetters',
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
      }),
    );
    return new CfnSchedule(this, id, {
      groupName: this.group.scheduleGroupName,
      description: options.description,
      scheduleExpression: everyDaysExpression(options.days),
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: fn.functionArn,
        roleArn: role.roleArn,
        input: options.input,
        retryPolicy: { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 10 },
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      },
    });
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
