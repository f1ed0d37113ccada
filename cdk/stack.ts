/**
 * The whole product in one stack: table, the two state machines (from their ASL files), one Lambda per
 * entry of shared/functions.ts, the REST API, SES identity, integration event bus, renewal scheduler,
 * and operator alarms + dashboard. Every permission is granted where the variable that needs it is set.
 */

import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { keysOf } from '#shared/core/guards.ts';
import { TABLE_KEYS } from '#shared/core/store/keys.ts';
import { FUNCTIONS, lambdaTimeoutSeconds, STATE_MACHINES } from '#shared/functions.ts';
import type { DistrictConfig } from './config.ts';
import { DistrictApi } from './constructs/district-api.ts';
import { DistrictFunction } from './constructs/district-function.ts';
import { DistrictIdentity } from './constructs/district-identity.ts';
import { DocumentStore } from './constructs/document-store.ts';
import { MailReputation } from './constructs/mail-reputation.ts';
import { Monitoring, pascal } from './constructs/monitoring.ts';
import { RenewalScheduler } from './constructs/renewal-scheduler.ts';
import { TableBackup } from './constructs/table-backup.ts';
import { WorkflowStateMachine } from './constructs/workflow-state-machine.ts';
import { addOutputs } from './outputs.ts';
import { wireMailEvents, wireScheduled } from './scheduled.ts';
import type { Wiring } from './wiring.ts';

export interface SoftwareRequestStackProps extends StackProps {
  config: DistrictConfig;
}

/** Construct ids of the state machines (their names are `<stack>-<id>`). */
const MACHINE_IDS = {
  softwareRequest: 'SoftwareRequest',
  annualRenewal: 'AnnualRenewal',
  resourceWatch: 'ResourceWatch',
  resourceStewardship: 'ResourceStewardship',
} as const;

/** The enum member aws-cdk-lib takes for a period config.ts accepted (every one it accepts is one). */
function retentionOf(days: number): RetentionDays {
  const member = Object.values(RetentionDays).find((value) => value === days);
  if (typeof member !== 'number') throw new Error(`No log retention period of ${days} days`);
  return member;
}

export class SoftwareRequestStack extends Stack {
  /** The stack's table, or the restored one named by `restoredTableName` (docs/operations.md). */
  readonly table: ITable;
  /**
   * The evidence documents' bucket. Wire a function with `fn(name).bindDocuments(this.documents)`
   * (DOCUMENTS_BUCKET + its grant); none is wired yet.
   */
  readonly documents: DocumentStore;
  readonly functions: ReadonlyMap<string, DistrictFunction>;
  readonly softwareRequest: WorkflowStateMachine;
  readonly annualRenewal: WorkflowStateMachine;
  /** Issue 22: one Approved resource between renewals (a changed policy, an SSL spot check). */
  readonly resourceWatch: WorkflowStateMachine;
  /** Deletion of students' data once a resource is no longer approved; data incident reviews. */
  readonly resourceStewardship: WorkflowStateMachine;
  readonly api: DistrictApi;
  readonly scheduler: RenewalScheduler;
  readonly monitoring: Monitoring;
  readonly identity: DistrictIdentity;
  readonly mailReputation: MailReputation;
  readonly backup: TableBackup;

  constructor(scope: Construct, id: string, props: SoftwareRequestStackProps) {
    super(scope, id, {
      description: `TS-PE-535 digital-resource request workflow for ${props.config.districtName}`,
      ...props,
    });
    const config = props.config;
    const logRetention = retentionOf(config.logRetentionDays);

    // Data: one table, single-table design (shared/core/store/keys.ts), backed up daily
    this.table = this.createTable(config.restoredTableName);
    this.backup = new TableBackup(this, 'Backup', {
      table: this.table,
      copyVaultArn: config.backupCopyVaultArn,
    });
    // Evidence documents: signed DPAs, privacy-policy snapshots, deletion certificates (shared/evidence)
    this.documents = new DocumentStore(this, 'Documents', { retentionYears: config.documentRetentionYears });
    // Mail (with its configuration set: bounce and complaint events, reputation) and integration events
    this.mailReputation = new MailReputation(this, 'MailReputation');
    const mailIdentity = this.mailIdentity(config.mailDomain);
    const bus = this.integrationBus(config.integrationEventArchiveDays);
    // One function per shared/functions.ts entry
    this.functions = this.createFunctions(logRetention);
    const fn = (name: string): DistrictFunction => this.functionNamed(name);
    // The state machines: the ASL files are the only definition
    const machineArns = this.machineArns();
    const machine = (key: keyof typeof STATE_MACHINES) =>
      this.stateMachine(key, fn, machineArns, logRetention, config);
    this.softwareRequest = machine('softwareRequest');
    this.annualRenewal = machine('annualRenewal');
    this.resourceWatch = machine('resourceWatch');
    this.resourceStewardship = machine('resourceStewardship');
    this.scheduler = new RenewalScheduler(this, 'RenewalScheduler', {
      renewalStateMachineArn: WorkflowStateMachine.arnFor(this, this.machineName('annualRenewal')),
    });
    // API
    this.api = new DistrictApi(this, 'Http', {
      functionsByName: this.functions,
      limits: config,
      logRetention,
      customDomain: config.customDomain,
    });
    const publicBaseUrl = this.api.baseUrl(
      config.publicBaseUrl ?? (config.customDomain ? `https://${config.customDomain.domainName}` : undefined),
    );

    this.identity = new DistrictIdentity(this, 'Identity', { config: config.identity, publicBaseUrl });

    // Wiring: each function's environment (the handler contract) and exactly its permissions.
    // Every function that knows who is asking (shared/functions.ts IDENTITY_ENV) gets the same identity.
    for (const spec of FUNCTIONS) {
      if (spec.env.includes('SESSION_SECRET_ARN')) fn(spec.name).bindIdentity(this.identity, publicBaseUrl);
    }
    // bindTable grants each function its entry of shared/core/store/access.ts (which items it reads/writes).
    const wiring: Wiring = {
      fn,
      table: this.table,
      config,
      mail: this.mailWiring(config, mailIdentity),
      publicBaseUrl,
      teamEmails: JSON.stringify(config.teamEmails),
      bus,
      // One queue for every asynchronous event that was lost: schedules Scheduler could not deliver,
      // rule events EventBridge could not deliver, invocations that failed after Lambda's retries.
      asyncFailures: this.scheduler.deadLetterQueue,
      machines: this.machines,
      machineArns,
    };
    this.wireHttpEdge(wiring);
    this.wireWorkflowSteps(wiring);
    wireScheduled(wiring, { documents: this.documents, scheduler: this.scheduler });
    wireMailEvents(wiring);

    this.monitoring = this.createMonitoring(config);
    addOutputs(this, { publicBaseUrl, mailIdentity, config });
  }

  private functionNamed(name: string): DistrictFunction {
    const found = this.functions.get(name);
    if (!found) throw new Error(`shared/functions.ts has no function "${name}", which the stack wires`);
    return found;
  }

  private get machines(): Wiring['machines'] {
    const { softwareRequest, annualRenewal, resourceWatch, resourceStewardship } = this;
    return {
      softwareRequest: softwareRequest.machine,
      annualRenewal: annualRenewal.machine,
      resourceWatch: resourceWatch.machine,
      resourceStewardship: resourceStewardship.machine,
    };
  }

  /** The stack's table, or after a restore the restored table, which the stack does not own. */
  private createTable(restoredTableName: string | undefined): ITable {
    if (restoredTableName) return Table.fromTableName(this, 'RestoredTable', restoredTableName);
    const table = new Table(this, 'Table', {
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
      table.addGlobalSecondaryIndex({
        indexName: index,
        partitionKey: { name: `${index}PK`, type: AttributeType.STRING },
        sortKey: { name: `${index}SK`, type: AttributeType.STRING },
      });
    }
    return table;
  }

  /** Alarms (to the operator topic) and the dashboard. */
  private createMonitoring(config: DistrictConfig): Monitoring {
    return new Monitoring(this, 'Monitoring', {
      districtName: config.districtName,
      operatorEmail: config.operatorEmail,
      machines: [
        { label: 'SoftwareRequest', machine: this.softwareRequest.machine },
        { label: 'AnnualRenewal', machine: this.annualRenewal.machine },
        { label: 'ResourceWatch', machine: this.resourceWatch.machine },
        { label: 'ResourceStewardship', machine: this.resourceStewardship.machine },
      ],
      functions: [...this.functions.values()],
      api: this.api.api,
      deadLetterQueues: [
        {
          label: 'SchedulerDeadLetters',
          queue: this.scheduler.deadLetterQueue,
          description:
            "A message is waiting in SchedulerDeadLetters: an event was not delivered, or its function failed after its retries. Either EventBridge Scheduler could not deliver a schedule (an annual renewal or a reminder did not start; the body is the schedule's input), or a run of weekly-digest, recover-requests, remind-task or record-mail-event (an SES bounce or complaint report) failed (the body names the function, the event and the error). See docs/operations.md, then delete the message.",
        },
      ],
    });
  }

  /** The SES domain identity, with the configuration set as its default (mail sent without one). */
  private mailIdentity(mailDomain: string): EmailIdentity {
    return new EmailIdentity(this, 'MailIdentity', {
      identity: Identity.domain(mailDomain),
      configurationSet: this.mailReputation.configurationSet,
    });
  }

  /** The integration bus, with an archive of its events for replay (0 days: kept indefinitely). */
  /** What every function that sends email is bound to (DistrictFunction.bindMail). */
  private mailWiring(config: DistrictConfig, identity: EmailIdentity): Wiring['mail'] {
    return {
      identity,
      configurationSet: this.mailReputation.configurationSet,
      mailFrom: config.mailFrom,
      maxSendRate: config.sesMaxSendRate,
      sandboxRecipients: config.sesSandboxRecipients ?? [],
    };
  }

  private integrationBus(archiveDays: number): EventBus {
    const bus = new EventBus(this, 'IntegrationBus', {
      description: 'Integration events: ResourceStatusChanged, PurchaseOrderRequested, PurchaseOrderIssued',
    });
    bus.archive('Archive', {
      description: 'Every integration event, for replay to a consumer that missed some',
      eventPattern: { account: [this.account] },
      retention: Duration.days(archiveDays),
    });
    return bus;
  }

  private createFunctions(logRetention: RetentionDays): Map<string, DistrictFunction> {
    return new Map(
      FUNCTIONS.map((spec) => [
        spec.name,
        new DistrictFunction(this, pascal(spec.name), {
          spec,
          logRetention,
          timeout: Duration.seconds(lambdaTimeoutSeconds(spec)),
        }),
      ]),
    );
  }

  /**
   * Fixed state machine names: their ARNs are then known without a reference, so schedule-renewal
   * (which the renewal machine invokes) can be told the renewal machine's ARN without a dependency cycle.
   */
  private machineName(key: keyof typeof STATE_MACHINES): string {
    return `${this.stackName}-${MACHINE_IDS[key]}`;
  }

  private machineArns(): Record<string, string> {
    return Object.fromEntries(
      keysOf(STATE_MACHINES).map((key) => [
        STATE_MACHINES[key].arnSubstitution,
        WorkflowStateMachine.arnFor(this, this.machineName(key)),
      ]),
    );
  }

  private stateMachine(
    key: keyof typeof STATE_MACHINES,
    fn: (name: string) => DistrictFunction,
    machineArns: Record<string, string>,
    logRetention: RetentionDays,
    config: DistrictConfig,
  ): WorkflowStateMachine {
    return new WorkflowStateMachine(this, MACHINE_IDS[key], {
      file: STATE_MACHINES[key].file,
      stateMachineName: this.machineName(key),
      functionsByAslArn: new Map(
        FUNCTIONS.flatMap((spec) => (spec.aslArn ? [[spec.aslArn, fn(spec.name)] as const] : [])),
      ),
      extraSubstitutions: machineArns,
      deadlines: config.humanStepDeadlineDays,
      logRetention,
    });
  }

  private wireHttpEdge(w: Wiring): void {
    // Signed-in people: sign-in keeps the people list; the queue and the reports read the table.
    w.fn('auth-callback').bindTable(w.table);
    for (const name of ['work-queue', 'queue-action', 'queue-away', 'my-requests'])
      w.fn(name).bindTable(w.table);
    for (const name of ['reports-page', 'reports-summary', 'reports-tasks']) {
      w.fn(name).bindTable(w.table).setEnv('SERVICE_LEVEL_DAYS', JSON.stringify(w.config.serviceLevelDays));
    }
    w.fn('registry').bindTable(w.table);
    for (const name of ['public-page', 'public-json', 'public-csv']) {
      w.fn(name).bindTable(w.table).setEnv('PUBLISH_AGREEMENTS', String(w.config.publishAgreements));
    }
    for (const name of ['request-audit', 'request-audit-page', 'audit-export']) w.fn(name).bindTable(w.table);
    // A vendor's upload link: the page signs a POST of incoming/<uploadId>/… (the browser sends the
    // file to S3); the received step reads it there, keeps it under documents/ and deletes the upload.
    w.fn('upload-page')
      .bindTable(w.table)
      .bindDocuments(this.documents, ['put'], ['incoming/'])
      .setEnv('PUBLIC_BASE_URL', w.publicBaseUrl);
    // A certificate of destruction settles Cybersecurity's deletion-confirmation task.
    w.fn('upload-received')
      .bindTable(w.table)
      .bindDocuments(this.documents, ['read', 'put', 'delete'], ['incoming/', 'documents/'])
      .setEnv('PUBLIC_BASE_URL', w.publicBaseUrl)
      .bindTaskResponse(w.machines.resourceStewardship);
    w.fn('report-incident')
      .bindTable(w.table)
      .bindStewardshipStart(w.machines.resourceStewardship)
      .setEnv('INCIDENT_CLOCKS', JSON.stringify(w.config.incidentClocks));
    w.fn('document').bindTable(w.table).bindDocuments(this.documents, ['read'], ['documents/']);
    w.fn('public-agreement')
      .bindTable(w.table)
      .bindDocuments(this.documents, ['read'], ['documents/'])
      .setEnv('PUBLISH_AGREEMENTS', String(w.config.publishAgreements));
    w.fn('registry-resource').bindTable(w.table);
    w.fn('registry-export').bindTable(w.table);
    w.fn('get-request').bindTable(w.table);
    w.fn('task-page').bindTable(w.table);
    w.fn('reply-page').bindTable(w.table);
    w.fn('submit-request')
      .bindTable(w.table)
      .bindStateMachineStart(w.machines.softwareRequest)
      .bindMail(w.mail)
      .setEnv('PUBLIC_BASE_URL', w.publicBaseUrl)
      .setEnv('REQUESTER_EMAIL_DOMAINS', w.config.requesterEmailDomains.join(','))
      .setEnv('SUBMISSION_LIMITS', JSON.stringify(w.config.submissionLimits));
    w.fn('record-decision')
      .bindTable(w.table)
      .bindMail(w.mail)
      .setEnv('PUBLIC_BASE_URL', w.publicBaseUrl)
      // Every machine has human steps (annual renewal: the renewed DPA; the watch: a changed policy;
      // stewardship: deletions, incidents).
      .bindTaskResponse(...Object.values(w.machines));
    // Questions are asked only in the software-request machine's reviews (SOP 4, 7-10).
    w.fn('record-answer')
      .bindTable(w.table)
      .bindMail(w.mail)
      .setEnv('PUBLIC_BASE_URL', w.publicBaseUrl)
      .bindTaskResponse(w.machines.softwareRequest);
  }

  private wireWorkflowSteps(w: Wiring): void {
    w.fn('check-current-vetting').bindTable(w.table);
    w.fn('plan-renewal').bindTable(w.table);
    w.fn('assign-task')
      .bindTable(w.table)
      .bindMail(w.mail)
      .setEnv('PUBLIC_BASE_URL', w.publicBaseUrl)
      .setEnv('TEAM_EMAILS', w.teamEmails)
      .setEnv('SERVICE_LEVEL_DAYS', JSON.stringify(w.config.serviceLevelDays))
      .bindReminderScheduler({
        group: this.scheduler.group,
        schedulerRole: this.scheduler.addReminderTarget(w.fn('remind-task').function),
        reminderFunctionArn: w.fn('remind-task').function.functionArn,
        deadLetterQueue: this.scheduler.deadLetterQueue,
      });
    // Reminder schedules invoke remind-task asynchronously (Scheduler's own failures go to its queue).
    w.fn('remind-task')
      .onAsyncFailure(w.asyncFailures)
      .bindTable(w.table)
      .bindMail(w.mail)
      .setEnv('PUBLIC_BASE_URL', w.publicBaseUrl)
      .setEnv('TEAM_EMAILS', w.teamEmails);
    if (w.config.escalationEmail) w.fn('remind-task').setEnv('ESCALATION_EMAIL', w.config.escalationEmail);
    w.fn('send-dpa')
      .bindTable(w.table)
      .bindMail(w.mail)
      .setEnv('TEAM_EMAILS', w.teamEmails)
      .setEnv('DPA_TEMPLATE_URL', w.config.dpaTemplateUrl)
      .setEnv('DPA_RETURN_INSTRUCTIONS', w.config.dpaReturnInstructions)
      .setEnv('PUBLIC_BASE_URL', w.publicBaseUrl);
    w.fn('check-ssl')
      .bindTable(w.table)
      .setEnv('SSLLABS_API_BASE', w.config.sslLabsApiBase)
      .setEnv('SSLLABS_EMAIL', w.config.sslLabsEmail)
      .setEnv('SSL_MAX_WAIT_SECONDS', String(w.config.sslMaxWaitSeconds));
    w.fn('notify-vendor-ssl')
      .bindTable(w.table)
      .bindMail(w.mail)
      .setEnv('TEAM_EMAILS', w.teamEmails)
      .setEnv('SSL_REMEDIATION_WINDOW_DAYS', String(w.config.sslRemediationWindowDays));
    w.fn('record-renewal')
      .bindTable(w.table)
      .bindMail(w.mail)
      .setEnv('PUBLIC_BASE_URL', w.publicBaseUrl)
      .setEnv('TEAM_EMAILS', w.teamEmails);
    // Ending an approval starts the deletion of students' data (the resource-stewardship machine).
    w.fn('publish-status')
      .bindTable(w.table)
      .bindEventBus(w.bus)
      .bindStewardshipStart(w.machines.resourceStewardship);
    w.fn('send-deletion-request')
      .bindTable(w.table)
      .bindMail(w.mail)
      .setEnv('TEAM_EMAILS', w.teamEmails)
      .setEnv('PUBLIC_BASE_URL', w.publicBaseUrl);
    w.fn('record-stewardship').bindTable(w.table);
    w.fn('procurement-hook').bindTable(w.table).bindEventBus(w.bus);
    w.fn('schedule-renewal')
      .bindTable(w.table)
      .bindRenewalScheduler({
        group: this.scheduler.group,
        schedulerRole: this.scheduler.role,
        renewalStateMachineArn: WorkflowStateMachine.arnFor(this, this.machineName('annualRenewal')),
        leadDays: w.config.renewalLeadDays,
        deadLetterQueue: this.scheduler.deadLetterQueue,
      });
    w.fn('close-request').bindTable(w.table).bindMail(w.mail).setEnv('PUBLIC_BASE_URL', w.publicBaseUrl);
    w.fn('record-error').bindTable(w.table).bindMail(w.mail).setEnv('OPERATOR_EMAIL', w.config.operatorEmail);
  }
}
