/**
 * The whole product in one stack: table, the two state machines (from their ASL files), one Lambda per
 * entry of shared/functions.ts, the REST API, SES identity, integration event bus, renewal scheduler,
 * and operator alarms + dashboard. Every permission is granted where the variable that needs it is set.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { FUNCTIONS, lambdaTimeoutSeconds, STATE_MACHINES } from '#shared/functions.ts';
import { TABLE_KEYS } from '#shared/store/keys.ts';
import type { DistrictConfig } from './config.ts';
import { DistrictApi } from './constructs/district-api.ts';
import { DistrictFunction } from './constructs/district-function.ts';
import { Monitoring, pascal } from './constructs/monitoring.ts';
import { RenewalScheduler } from './constructs/renewal-scheduler.ts';
import { WorkflowStateMachine } from './constructs/workflow-state-machine.ts';

export interface SoftwareRequestStackProps extends StackProps {
  config: DistrictConfig;
}

export class SoftwareRequestStack extends Stack {
  readonly table: Table;
  readonly functions: ReadonlyMap<string, DistrictFunction>;
  readonly softwareRequest: WorkflowStateMachine;
  readonly annualRenewal: WorkflowStateMachine;
  readonly api: DistrictApi;
  readonly scheduler: RenewalScheduler;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: SoftwareRequestStackProps) {
    super(scope, id, {
      description: `TS-PE-535 digital-resource request workflow for ${props.config.districtName}`,
      ...props,
    });
    const config = props.config;
    const logRetention = config.logRetentionDays as RetentionDays;

    // --- Data: one table, single-table design (shared/store/keys.ts) -----------------------------
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.pk, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sk, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TABLE_KEYS.ttl,
      // The audit trail outlives Step Functions' 90-day history: never delete it with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of [TABLE_KEYS.gsi1, TABLE_KEYS.gsi2]) {
      this.table.addGlobalSecondaryIndex({
        indexName: index,
        partitionKey: { name: `${index}PK`, type: AttributeType.STRING },
        sortKey: { name: `${index}SK`, type: AttributeType.STRING },
      });
    }

    // --- Mail and integration events -----------------------------------------------------------------
    const mailIdentity = new EmailIdentity(this, 'MailIdentity', {
      identity: Identity.domain(config.mailDomain),
    });
    const bus = new EventBus(this, 'IntegrationBus', {
      description: 'Integration events: ResourceStatusChanged, PurchaseOrderRequested, PurchaseOrderIssued',
    });

    // --- Functions: one per shared/functions.ts entry ------------------------------------------------
    const functions = new Map<string, DistrictFunction>();
    for (const spec of FUNCTIONS) {
      functions.set(
        spec.name,
        new DistrictFunction(this, pascal(spec.name), {
          spec,
          logRetention,
          timeout: Duration.seconds(lambdaTimeoutSeconds(spec)),
        }),
      );
    }
    this.functions = functions;
    const fn = (name: string): DistrictFunction => {
      const found = functions.get(name);
      if (!found) throw new Error(`shared/functions.ts has no function "${name}", which the stack wires`);
      return found;
    };
    const functionsByAslArn = new Map(
      FUNCTIONS.flatMap((spec) => (spec.aslArn ? [[spec.aslArn, fn(spec.name)] as const] : [])),
    );

    // --- State machines: the ASL files are the only definition ---------------------------------------
    // Fixed names: their ARNs are then known without a reference, so schedule-renewal (which the
    // renewal machine invokes) can be told the renewal machine's ARN without a dependency cycle.
    const names = {
      softwareRequest: `${this.stackName}-SoftwareRequest`,
      annualRenewal: `${this.stackName}-AnnualRenewal`,
    };
    const machineArns = {
      [STATE_MACHINES.softwareRequest.arnSubstitution]: WorkflowStateMachine.arnFor(
        this,
        names.softwareRequest,
      ),
      [STATE_MACHINES.annualRenewal.arnSubstitution]: WorkflowStateMachine.arnFor(this, names.annualRenewal),
    };
    this.softwareRequest = new WorkflowStateMachine(this, 'SoftwareRequest', {
      file: STATE_MACHINES.softwareRequest.file,
      stateMachineName: names.softwareRequest,
      functionsByAslArn,
      extraSubstitutions: machineArns,
      logRetention,
    });
    this.annualRenewal = new WorkflowStateMachine(this, 'AnnualRenewal', {
      file: STATE_MACHINES.annualRenewal.file,
      stateMachineName: names.annualRenewal,
      functionsByAslArn,
      extraSubstitutions: machineArns,
      logRetention,
    });

    this.scheduler = new RenewalScheduler(this, 'RenewalScheduler', {
      renewalStateMachineArn: machineArns[STATE_MACHINES.annualRenewal.arnSubstitution] as string,
    });

    // --- API -------------------------------------------------------------------------------------------
    this.api = new DistrictApi(this, 'Http', {
      functionsByName: functions,
      throttle: config.apiThrottle,
      logRetention,
      ssoUserPoolArn: config.ssoUserPoolArn,
      customDomain: config.customDomain,
    });
    const publicBaseUrl = this.api.baseUrl(
      config.publicBaseUrl ?? (config.customDomain ? `https://${config.customDomain.domainName}` : undefined),
    );

    // --- Wiring: each function's environment (the handler contract) and exactly its permissions -----
    // bindTable grants each function its entry of shared/store/access.ts (which items it reads/writes).
    const teamEmails = JSON.stringify(config.teamEmails);
    const sandboxRecipients = config.sesSandboxRecipients ?? [];
    const { table } = this;

    // HTTP edge
    fn('registry').bindTable(table);
    fn('get-request').bindTable(table);
    fn('task-page').bindTable(table);
    fn('submit-request')
      .bindTable(table)
      .bindStateMachineStart(this.softwareRequest.machine)
      .bindMail(mailIdentity, config.mailFrom, sandboxRecipients)
      .setEnv('PUBLIC_BASE_URL', publicBaseUrl);
    fn('record-decision')
      .bindTable(table)
      .bindMail(mailIdentity, config.mailFrom, sandboxRecipients)
      .setEnv('PUBLIC_BASE_URL', publicBaseUrl)
      // Both machines have human steps (annual renewal: the renewed DPA).
      .bindTaskResponse(this.softwareRequest.machine, this.annualRenewal.machine);

    // Workflow steps
    fn('record-step').bindTable(table);
    fn('plan-renewal').bindTable(table);
    fn('assign-task')
      .bindTable(table)
      .bindMail(mailIdentity, config.mailFrom, sandboxRecipients)
      .setEnv('PUBLIC_BASE_URL', publicBaseUrl)
      .setEnv('TEAM_EMAILS', teamEmails)
      .bindReminderScheduler({
        group: this.scheduler.group,
        schedulerRole: this.scheduler.addReminderTarget(fn('remind-task').function),
        reminderFunctionArn: fn('remind-task').function.functionArn,
        deadLetterQueue: this.scheduler.deadLetterQueue,
      });
    fn('remind-task')
      .bindTable(table)
      .bindMail(mailIdentity, config.mailFrom, sandboxRecipients)
      .setEnv('PUBLIC_BASE_URL', publicBaseUrl)
      .setEnv('TEAM_EMAILS', teamEmails);
    if (config.escalationEmail) fn('remind-task').setEnv('ESCALATION_EMAIL', config.escalationEmail);
    fn('send-dpa')
      .bindTable(table)
      .bindMail(mailIdentity, config.mailFrom, sandboxRecipients)
      .setEnv('TEAM_EMAILS', teamEmails)
      .setEnv('DPA_TEMPLATE_URL', config.dpaTemplateUrl)
      .setEnv('DPA_RETURN_INSTRUCTIONS', config.dpaReturnInstructions);
    fn('check-ssl')
      .bindTable(table)
      .setEnv('SSLLABS_API_BASE', config.sslLabsApiBase)
      .setEnv('SSLLABS_EMAIL', config.sslLabsEmail)
      .setEnv('SSL_MAX_WAIT_SECONDS', String(config.sslMaxWaitSeconds));
    fn('notify-vendor-ssl')
      .bindTable(table)
      .bindMail(mailIdentity, config.mailFrom, sandboxRecipients)
      .setEnv('TEAM_EMAILS', teamEmails);
    fn('publish-status').bindTable(table).bindEventBus(bus);
    fn('procurement-hook').bindTable(table).bindEventBus(bus);
    fn('schedule-renewal')
      .bindTable(table)
      .bindRenewalScheduler({
        group: this.scheduler.group,
        schedulerRole: this.scheduler.role,
        renewalStateMachineArn: machineArns[STATE_MACHINES.annualRenewal.arnSubstitution] as string,
        leadDays: config.renewalLeadDays,
        deadLetterQueue: this.scheduler.deadLetterQueue,
      });
    fn('close-request')
      .bindTable(table)
      .bindMail(mailIdentity, config.mailFrom, sandboxRecipients)
      .setEnv('PUBLIC_BASE_URL', publicBaseUrl);
    fn('record-error')
      .bindTable(table)
      .bindMail(mailIdentity, config.mailFrom, sandboxRecipients)
      .setEnv('OPERATOR_EMAIL', config.operatorEmail);

    // Scheduled: starts requests whose submission crashed before their workflow started.
    fn('recover-requests')
      .bindTable(table)
      .bindStateMachineStart(this.softwareRequest.machine)
      .bindMail(mailIdentity, config.mailFrom, sandboxRecipients)
      .setEnv('PUBLIC_BASE_URL', publicBaseUrl)
      .runOnSchedule();

    // --- Operations ------------------------------------------------------------------------------------
    this.monitoring = new Monitoring(this, 'Monitoring', {
      districtName: config.districtName,
      operatorEmail: config.operatorEmail,
      machines: [
        { label: 'SoftwareRequest', machine: this.softwareRequest.machine },
        { label: 'AnnualRenewal', machine: this.annualRenewal.machine },
      ],
      functions: [...functions.values()],
      api: this.api.api,
      deadLetterQueues: [{ label: 'SchedulerDeadLetters', queue: this.scheduler.deadLetterQueue }],
    });

    new CfnOutput(this, 'PublicBaseUrl', {
      value: publicBaseUrl,
      description: 'Request form and emailed links',
    });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'SoftwareRequestStateMachineArn', {
      value: this.softwareRequest.machine.stateMachineArn,
    });
    new CfnOutput(this, 'AnnualRenewalStateMachineArn', {
      value: this.annualRenewal.machine.stateMachineArn,
    });
    new CfnOutput(this, 'OperatorAlarmTopicArn', { value: this.monitoring.topic.topicArn });
    mailIdentity.dkimRecords.forEach((record, i) => {
      new CfnOutput(this, `DkimRecord${i + 1}`, {
        value: `${record.name} CNAME ${record.value}`,
        description: `SES Easy DKIM: add this CNAME to the DNS of ${config.mailDomain}`,
      });
    });
  }
}
