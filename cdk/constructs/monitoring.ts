/**
 * Operators hear about system errors: alarms on failed/timed-out/aborted executions, Lambda errors and
 * throttles (one alarm each for the account, which this stack should have to itself: the dashboard
 * shows errors per function), API 5xx, errors a handler logged and handled (a reminder not
 * scheduled, a follow-up email that failed), and undelivered schedules (dead-letter queue), all to an
 * SNS topic (TLS only) with an email subscription; and one dashboard for the workflow, with 50 metrics
 * at most (CloudWatch's free dashboards allow 50). A denial is a business outcome and succeeds: it never
 * alarms.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { DistrictFunction } from './district-function.ts';

export interface MonitoringProps {
  districtName: string;
  operatorEmail: string;
  machines: { label: string; machine: StateMachine }[];
  functions: DistrictFunction[];
  api: RestApi;
  /**
   * Dead-letter queues: any message in one is an event that was never delivered. `description` says
   * what was lost (default: an undelivered EventBridge Scheduler schedule).
   */
  deadLetterQueues?: { label: string; queue: IQueue; description?: string }[];
}

/**
 * SES reviews an account whose bounce rate reaches 5 % or whose complaint rate reaches 0.1 %, and may
 * pause its sending: the alarms fire earlier, at 4 % and 0.08 % (the metrics are fractions).
 */
export const MAIL_REPUTATION_ALARMS = {
  bounceRate: { metricName: 'Reputation.BounceRate', threshold: 0.04 },
  complaintRate: { metricName: 'Reputation.ComplaintRate', threshold: 0.0008 },
} as const;

const PERIOD = Duration.minutes(5);

/**
 * Errors handlers log and then handle (the request goes on, but something a person expects did not
 * happen). Thrown errors ("Task failed", "Request failed") are left to the Lambda Errors alarms.
 */
export const HANDLED_ERROR_PATTERN =
  '{ $.level = "ERROR" && $.message != "Task failed" && $.message != "Request failed" }';
export const HANDLED_ERRORS_METRIC = { namespace: 'SoftwareRequests', metricName: 'HandledErrors' } as const;

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = this.operatorTopic(props);
    this.executionAlarms(props);
    this.lambdaAlarms(props);
    this.handledErrorsAlarm(props);
    this.deliveryAlarms(props);
    this.mailReputationAlarms();
    this.dashboard = this.workflowDashboard(props);
  }

  private operatorTopic(props: MonitoringProps): Topic {
    // Not encrypted at rest with a key of its own: CloudWatch cannot publish to a topic under the
    // AWS-managed SNS key, and a customer-managed key costs $1 a month (a fifth of the fixed cost,
    // bench/results.json) to protect alarm names and descriptions, which carry no request or student
    // data. Publishing and subscribing are TLS-only.
    const topic = new Topic(this, 'OperatorAlarms', {
      displayName: `${props.districtName} software requests: operator alarms`,
      enforceSSL: true,
    });
    topic.addSubscription(new EmailSubscription(props.operatorEmail));
    return topic;
  }

  private alarm(alarmId: string, metric: IMetric, description: string, threshold = 1): Alarm {
    const a = new Alarm(this, alarmId, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    a.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(a);
    return a;
  }

  private executionAlarms(props: MonitoringProps): void {
    for (const { label, machine } of props.machines) {
      this.alarm(
        `${label}ExecutionsFailed`,
        machine.metricFailed({ period: PERIOD, statistic: 'Sum' }),
        `${label}: an execution failed (system error; the request is marked ERROR). See the execution's history in the Step Functions console.`,
      );
      this.alarm(
        `${label}ExecutionsTimedOut`,
        machine.metricTimedOut({ period: PERIOD, statistic: 'Sum' }),
        `${label}: an execution timed out.`,
      );
      this.alarm(
        `${label}ExecutionsAborted`,
        machine.metricAborted({ period: PERIOD, statistic: 'Sum' }),
        `${label}: an execution was stopped (aborted).`,
      );
    }
  }

  private lambdaAlarms(props: MonitoringProps): void {
    // One alarm for every function's errors instead of one per function ($0.10 each, 18 of them):
    // Lambda's account-wide Errors metric counts each function's thrown errors and timeouts. Deploy in
    // an account of its own (docs/deploy.md) and it counts exactly these functions; the dashboard's
    // "Lambda errors by function" graph says which one failed.
    this.alarm(
      'LambdaErrors',
      LambdaFunction.metricAllErrors({ period: PERIOD, statistic: 'Sum' }),
      `A Lambda function threw an error or timed out (functions: ${props.functions.map((f) => f.spec.name).join(', ')}). The dashboard's "Lambda errors by function" graph names it; its log group has the error.`,
    );
    // Likewise one throttles alarm: none of the functions has reserved concurrency, so a throttle means
    // the account's concurrency ran out, which hits whichever functions run then.
    this.alarm(
      'LambdaThrottles',
      LambdaFunction.metricAllThrottles({ period: PERIOD, statistic: 'Sum' }),
      "A Lambda invocation in this account and region was throttled: the account's concurrency is exhausted (these functions have no reserved concurrency). Check the functions' throttles in the Lambda console and the account's concurrency quota.",
    );
  }

  private handledErrorsAlarm(props: MonitoringProps): void {
    for (const fn of props.functions) {
      new MetricFilter(this, `${pascal(fn.spec.name)}HandledErrors`, {
        logGroup: fn.logGroup,
        filterPattern: FilterPattern.literal(HANDLED_ERROR_PATTERN),
        metricNamespace: HANDLED_ERRORS_METRIC.namespace,
        metricName: HANDLED_ERRORS_METRIC.metricName,
        metricValue: '1',
        defaultValue: 0,
      });
    }
    this.alarm(
      'HandledErrors',
      new Metric({ ...HANDLED_ERRORS_METRIC, period: PERIOD, statistic: 'Sum' }),
      "A handler logged an error it handled (e.g. a reminder not scheduled, a follow-up email not sent). Search the functions' logs for level ERROR.",
    );
  }

  private deliveryAlarms(props: MonitoringProps): void {
    for (const { label, queue, description } of props.deadLetterQueues ?? []) {
      this.alarm(
        label,
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        description ??
          `A message is waiting in ${label}: EventBridge Scheduler could not deliver a schedule (an annual renewal or a reminder did not start). The message body is the schedule's input; start it by hand, then delete the message.`,
      );
    }

    this.alarm(
      'Api5xx',
      props.api.metricServerError({ period: PERIOD, statistic: 'Sum' }),
      'The API returned 5xx responses (a handler failed or an integration is misconfigured).',
    );
  }

  /** The account's SES reputation (AWS/SES, no dimensions), as SES itself measures it for its review. */
  private mailReputationAlarms(): void {
    const { bounceRate, complaintRate } = MAIL_REPUTATION_ALARMS;
    const rate = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' });
    this.alarm(
      'MailBounceRate',
      rate(bounceRate.metricName),
      `The account's SES bounce rate reached 4 % (SES reviews the account at 5 % and may pause sending, and then every request fails). Find the bounced addresses (SES events on the default event bus, source aws.ses, "Email Bounced") and correct them on their requests; see docs/operations.md.`,
      bounceRate.threshold,
    );
    this.alarm(
      'MailComplaintRate',
      rate(complaintRate.metricName),
      `The account's SES complaint rate reached 0.08 % (SES reviews the account at 0.1 %). Someone marked the district's mail as spam: find who (SES "Email Complaint" events on the default event bus); see docs/operations.md.`,
      complaintRate.threshold,
    );
  }

  private workflowDashboard(props: MonitoringProps): Dashboard {
    // Hourly figures, in half-width graphs.
    const hourly = (label: string, statistic = 'Sum') => ({ period: Duration.hours(1), statistic, label });
    const graph = (title: string, left: IMetric[], right?: IMetric[]) =>
      new GraphWidget({ title, width: 12, left, ...(right ? { right } : {}) });
    return new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new TextWidget({
            markdown: `# ${props.districtName}: TS-PE-535 digital-resource requests\nExecutions are named by request id. Denials succeed (outcome DENIED); failures are system errors.`,
            width: 24,
            height: 2,
          }),
        ],
        props.machines.map(({ label, machine }) =>
          graph(`${label} executions`, [
            machine.metricStarted(hourly('Started')),
            machine.metricSucceeded(hourly('Succeeded')),
            // Timed out and aborted executions have their alarms; the dashboard keeps its 50 metrics.
            machine.metricFailed(hourly('Failed')),
          ]),
        ),
        [
          // One search expression draws every function of this stack (their names start with the
          // stack's): a metric per function would pass the 50 metrics of a free dashboard.
          graph('Lambda errors by function', [
            new MathExpression({
              expression: `SEARCH('{AWS/Lambda,FunctionName} MetricName="Errors" "${Stack.of(this).stackName}"', 'Sum', 3600)`,
              label: 'Errors',
              period: Duration.hours(1),
            }),
          ]),
          // Account-wide metrics: the dashboard stays within the 50 metrics of a free dashboard.
          graph(
            'Lambda invocations and throttles (all functions in the account)',
            [LambdaFunction.metricAllInvocations(hourly('Invocations'))],
            [LambdaFunction.metricAllThrottles(hourly('Throttles'))],
          ),
        ],
        [
          graph('API responses', [
            props.api.metricCount(hourly('Requests')),
            props.api.metricClientError(hourly('4xx')),
            props.api.metricServerError(hourly('5xx')),
          ]),
          graph('API latency (ms)', [
            props.api.metricLatency(hourly('p50', 'p50')),
            props.api.metricLatency(hourly('p99', 'p99')),
          ]),
        ],
      ],
    });
  }
}

export const pascal = (name: string) =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
