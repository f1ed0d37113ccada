/**
 * A Step Functions machine whose only definition is its ASL file under statemachine/ (the same file the
 * local engine runs). `${XxxFunctionArn}` placeholders become the ARNs of the functions' published
 * versions (fn.currentVersion) through definitionSubstitutions, and the machine may invoke exactly the
 * functions its ASL names (and their versions).
 *
 * Why versions: an execution lives up to a year and keeps the definition it started with. With
 * unqualified ARNs it would call whatever code the latest deploy put in $LATEST, so a payload change
 * between releases would break every running request. A version ARN freezes code and configuration:
 * each deploy that changes a function publishes a new version, new executions start on the new
 * definition (naming the new versions), running ones keep calling theirs. The HTTP API and the
 * schedules keep calling $LATEST. Old versions are retained (district-function.ts). The human-step
 * deadlines (`"${XDeadlineSeconds}"`) are resolved here, at synth, into plain numbers: CloudFormation's
 * substitutions could only put a string where TimeoutSeconds needs a number.
 */
import { readFileSync } from 'node:fs';
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FUNCTIONS } from '#shared/functions.ts';
import { type DeadlineDays, resolveDeadlines } from '#shared/workflow/deadlines.ts';
import { type DistrictFunction, logicalIdOf, PROJECT_ROOT } from './district-function.ts';

/** Every `${Name}` placeholder in an ASL text, in order of first appearance. */
export function aslPlaceholders(asl: string): string[] {
  return [...new Set([...asl.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].flatMap((m) => (m[1] ? [m[1]] : [])))];
}

export interface WorkflowStateMachineProps {
  /** ASL file relative to the repository root (shared/functions.ts STATE_MACHINES). */
  file: string;
  /** Fixed name, so the ARN is known without a reference (functions it invokes may need it). */
  stateMachineName: string;
  /** Functions by their ASL substitution name (`SendDpaFunctionArn` → send-dpa). */
  functionsByAslArn: ReadonlyMap<string, DistrictFunction>;
  /** Other substitutions the ASL may use (e.g. the machines' own ARNs). */
  extraSubstitutions?: Record<string, string>;
  /** Human-step deadlines (cdk.json humanStepDeadlineDays, validated by cdk/config.ts). */
  deadlines: DeadlineDays;
  logRetention: RetentionDays;
}

export class WorkflowStateMachine extends Construct {
  readonly machine: StateMachine;
  readonly logGroup: LogGroup;
  /** The functions this machine's ASL invokes (and only these may be invoked by it). */
  readonly invokes: DistrictFunction[];

  constructor(scope: Construct, id: string, props: WorkflowStateMachineProps) {
    super(scope, id);
    const asl = resolveDeadlines(readFileSync(`${PROJECT_ROOT}${props.file}`, 'utf8'), props.deadlines);

    const substitutions: Record<string, string> = {};
    this.invokes = [];
    for (const name of aslPlaceholders(asl)) {
      const fn = props.functionsByAslArn.get(name);
      if (fn) {
        substitutions[name] = fn.function.currentVersion.functionArn;
        this.invokes.push(fn);
      } else if (props.extraSubstitutions?.[name] !== undefined) {
        substitutions[name] = props.extraSubstitutions[name];
      } else {
        const known = FUNCTIONS.flatMap((f) => (f.aslArn ? [f.aslArn] : [])).join(', ');
        throw new Error(
          `${props.file} uses \${${name}}, which is neither a function in shared/functions.ts (${known}) nor a known substitution`,
        );
      }
    }

    this.logGroup = new LogGroup(this, 'LogGroup', { retention: props.logRetention });
    this.machine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(asl),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      // ERROR without execution data: ALL with data would write task tokens, vendor emails and reviewers'
      // comments to CloudWatch Logs. Auditors read executions in the Step Functions console (history
      // kept 90 days) and the request's own audit trail in DynamoDB (kept for good).
      logs: { destination: this.logGroup, level: LogLevel.ERROR, includeExecutionData: false },
    });
    Validations.of(this.machine).acknowledge({
      id: 'AwsSolutions-SF1',
      reason:
        "Logging ALL events means logging every state input and output, which carry task tokens, vendor contact emails and reviewers' comments; the machine logs ERROR events without execution data instead. Every execution's full event history stays in the Step Functions console for 90 days, and the request's audit trail (who decided what, when) is kept in DynamoDB for good.",
    });

    for (const fn of this.invokes) {
      // lambda:InvokeFunction on `<arn>` and `<arn>:*`: the versions this definition names, and those
      // the definitions of still-running executions name (IAM is evaluated at each call, not at start).
      fn.function.grantInvoke(this.machine);
      Validations.of(this.machine.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(fn.function.node.defaultChild)}.Arn>:*]`,
        reason: `The machine invokes published versions ("${fn.spec.name}:<version>") of a function its ASL names, including the older versions running executions started with; it is still only that one function.`,
      });
    }
    Validations.of(this.machine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Execution logging (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) do not support resource-level permissions; Step Functions documents Resource "*" for both.',
    });
  }

  /** ARN of a machine named `name` in this stack's account and region (no reference, so no cycle). */
  static arnFor(scope: Construct, name: string): string {
    return Stack.of(scope).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}
