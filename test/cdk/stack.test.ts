/**
 * CDK assertions on specific properties of the synthesized stack (never a whole-template snapshot).
 * The app is built by the same `buildApp` the CLI runs, with cdk.json's context, and synthesized once
 * (esbuild bundles every function, which takes seconds).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveDeadlines } from '#shared/workflow/deadlines.ts';
import type { TaskKind } from '#shared/workflow/task-kinds.ts';
import { buildApp } from '../../cdk/app.ts';
import { parseConfig } from '../../cdk/config.ts';
import { ACCESS_LOG_FIELDS, STAGE_NAME } from '../../cdk/constructs/district-api.ts';
import { HANDLED_ERROR_PATTERN } from '../../cdk/constructs/monitoring.ts';
import { TABLE_ACTIONS } from '../../cdk/constructs/table-grants.ts';
import { aslPlaceholders } from '../../cdk/constructs/workflow-state-machine.ts';
import type { SoftwareRequestStack } from '../../cdk/stack.ts';
import { TABLE_ACCESS } from '../../shared/core/store/access.ts';
import {
  INDEX_PARTITIONS,
  idempotencyKey,
  licenseKeyKey,
  PARTITIONS,
  registryKey,
  registrySearchKey,
  requestKey,
  taskKey,
} from '../../shared/core/store/keys.ts';
import { FUNCTIONS, lambdaTimeoutSeconds, routesOf, STATE_MACHINES } from '../../shared/functions.ts';
import { renewalScheduleName } from '../../shared/renewal/renewal.ts';
import { reminderScheduleName } from '../../shared/tasks/reminder-schedules.ts';
import {
  CHECK_SSL_LAMBDA_TIMEOUT_SECONDS,
  SSLLABS_MAX_SHARE_OF_LAMBDA_TIMEOUT,
  sslLabsWorstCaseMs,
} from '../../shared/vetting/ssl/limits.ts';
import { REMINDER_SCHEDULE_PREFIX, RENEWAL_SCHEDULE_PREFIX } from '../../shared/workflow/schedule-names.ts';

const ROOT = new URL('../../', import.meta.url);
const cdkJson = JSON.parse(readFileSync(new URL('cdk.json', ROOT), 'utf8')) as {
  context: Record<string, unknown>;
};
// cdk.json's example district names placeholder domains, which a real deploy refuses (cdk/placeholders.ts).
cdkJson.context.allowPlaceholderDomains = true;
const config = parseConfig(cdkJson.context);
// Synthesis bundles every function with esbuild: about a minute on a quiet 2-core machine, four beside
// other heavy work (helpers bundling at once measured 234 s).
const SYNTH_TIMEOUT = 480_000;

/** The handler contract: the configuration variables each Lambda reads (shared/functions.ts `env`). */
const ENV_CONTRACT: Record<string, readonly string[]> = Object.fromEntries(
  FUNCTIONS.map((f) => [f.name, f.env]),
);
const COMMON_ENV = ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME'];
const MAIL_SENDERS = Object.entries(ENV_CONTRACT)
  .filter(([, vars]) => vars.includes('MAIL_FROM'))
  .map(([name]) => name);

type Json = Record<string, unknown>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}
interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

let app: App;
let stack: SoftwareRequestStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  ({ app, stack } = buildApp({ context: cdkJson.context }));
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
}, SYNTH_TIMEOUT);

const idOf = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const fnOf = (name: string) => {
  const fn = stack.functions.get(name);
  if (!fn) throw new Error(`no function ${name}`);
  return fn;
};
const fnId = (name: string) => idOf(fnOf(name).function);
const roleId = (name: string) => idOf(fnOf(name).role);
const fnProps = (name: string) => resources[fnId(name)]?.Properties as Json;
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

/** Every Allow statement of every inline policy, with the logical ids of the roles it is attached to. */
function statements(): { roles: string[]; statement: Statement }[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => {
      const roles = ((r.Properties.Roles as { Ref: string }[]) ?? []).map((ref) => ref.Ref);
      const doc = r.Properties.PolicyDocument as { Statement: Statement[] };
      return doc.Statement.filter((s) => s.Effect === 'Allow').map((statement) => ({ roles, statement }));
    });
}
const withAction = (action: string) =>
  statements().filter(({ statement }) => actionsOf(statement).includes(action));
const roleOfFunction = new Map<string, string>();
const functionOfRole = (role: string) => {
  if (!roleOfFunction.size) for (const spec of FUNCTIONS) roleOfFunction.set(roleId(spec.name), spec.name);
  return roleOfFunction.get(role) ?? role;
};

/** The DynamoDB statements of a function's role: actions, resource and dynamodb:LeadingKeys patterns. */
function dynamoGrants(name: string): { actions: string[]; resource: unknown; leadingKeys: string[] }[] {
  return statements()
    .filter(({ roles }) => roles.includes(roleId(name)))
    .filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('dynamodb:')))
    .map(({ statement }) => {
      const condition = statement.Condition as
        | { 'ForAllValues:StringLike'?: { 'dynamodb:LeadingKeys'?: string[] } }
        | undefined;
      const leadingKeys = condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
      if (!leadingKeys?.length) throw new Error(`${name}: a DynamoDB statement without dynamodb:LeadingKeys`);
      return { actions: actionsOf(statement), resource: statement.Resource, leadingKeys };
    });
}

/** IAM StringLike: `*` any characters, `?` one character. */
const globMatches = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  ).test(value);

/** All state names of an ASL definition, including those inside Map and Parallel states. */
function stateNames(definition: { States: Record<string, Json> }): string[] {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    const nested: { States: Record<string, Json> }[] = [];
    const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, Json> } | undefined;
    if (processor) nested.push(processor);
    for (const branch of (state.Branches as { States: Record<string, Json> }[] | undefined) ?? [])
      nested.push(branch);
    return [name, ...nested.flatMap(stateNames)];
  });
}

describe('Lambda functions', () => {
  it('deploys one function per entry of shared/functions.ts: nodejs24.x on arm64, 256 MB, active tracing', () => {
    // Assess
    expect(stack.functions.size).toBe(FUNCTIONS.length);
    template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length);
    for (const spec of FUNCTIONS) {
      expect(fnProps(spec.name), spec.name).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 256,
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Timeout: lambdaTimeoutSeconds(spec),
        Role: { 'Fn::GetAtt': [roleId(spec.name), 'Arn'] },
      });
    }
  });

  it('check-ssl: the deployed Lambda timeout is at least twice the SSL Labs client worst case', () => {
    // Act
    const timeoutSeconds = fnProps('check-ssl').Timeout as number;

    // Assess
    expect(timeoutSeconds).toBe(CHECK_SSL_LAMBDA_TIMEOUT_SECONDS);
    expect(sslLabsWorstCaseMs()).toBeLessThanOrEqual(
      timeoutSeconds * 1000 * SSLLABS_MAX_SHARE_OF_LAMBDA_TIMEOUT,
    );
  });

  it('bundles every entry as self-contained ESM with a source map (the pinned AWS SDK is inside)', () => {
    // Prepare
    const outdir = app.outdir;

    for (const spec of FUNCTIONS) {
      // Act
      const key = (fnProps(spec.name).Code as { S3Key: string }).S3Key;
      const dir = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');

      // Assess
      expect(existsSync(join(dir, 'index.mjs.map')), spec.name).toBe(true);
      expect(bundle, spec.name).toMatch(
        /^import\s*\{\s*createRequire as __createRequire\s*\}\s*from\s*'node:module'/,
      );
      // import … from / import() / require() of the SDK (outside the SDK's own error-message text).
      expect(bundle, `${spec.name} must not load the AWS SDK from the runtime`).not.toMatch(
        /((?<!\[)\brequire\(\s*|\bimport\(\s*|\bfrom\s*)["']@(aws-sdk|smithy)\//,
      );
      expect(bundle, spec.name).toMatch(/export\s*\{[^}]*\bas handler\b|export\s*\{\s*handler\b/);
    }
  });

  it('gives each function exactly the configuration variables its handler reads', () => {
    // Assess
    expect(Object.keys(ENV_CONTRACT).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
    for (const spec of FUNCTIONS) {
      const env = ((fnProps(spec.name).Environment as { Variables: Json } | undefined)?.Variables ??
        {}) as Json;
      expect(Object.keys(env).sort(), spec.name).toEqual(
        [...COMMON_ENV, ...(ENV_CONTRACT[spec.name] ?? [])].sort(),
      );
      expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it('fills the variables from the district configuration', () => {
    // Prepare
    const env = (name: string) => (fnProps(name).Environment as { Variables: Json }).Variables;

    // Assess
    expect(JSON.parse(env('assign-task').TEAM_EMAILS as string)).toEqual(config.teamEmails);
    expect(env('send-dpa')).toMatchObject({
      MAIL_FROM: config.mailFrom,
      DPA_TEMPLATE_URL: config.dpaTemplateUrl,
      DPA_RETURN_INSTRUCTIONS: config.dpaReturnInstructions,
    });
    expect(env('check-ssl')).toMatchObject({
      SSLLABS_API_BASE: config.sslLabsApiBase,
      SSLLABS_EMAIL: config.sslLabsEmail,
      SSL_MAX_WAIT_SECONDS: String(config.sslMaxWaitSeconds),
    });
    expect(env('record-error').OPERATOR_EMAIL).toBe(config.operatorEmail);
    expect(env('schedule-renewal').RENEWAL_LEAD_DAYS).toBe(String(config.renewalLeadDays));
    expect(env('submit-request').STATE_MACHINE_ARN).toEqual({ Ref: idOf(stack.softwareRequest.machine) });
    expect(env('recover-requests').STATE_MACHINE_ARN).toEqual({ Ref: idOf(stack.softwareRequest.machine) });
    // The incident sweep starts the review a crashed report left (shared/recovery/incident-recovery.ts).
    expect(env('recover-requests').STEWARDSHIP_STATE_MACHINE_ARN).toEqual({
      Ref: idOf(stack.resourceStewardship.machine),
    });
  });

  it('builds PUBLIC_BASE_URL from the API id and stage name only, so the API-integrated functions have no cycle', () => {
    // Prepare
    const apiId = idOf(stack.api.api);

    for (const name of [
      'submit-request',
      'record-decision',
      'assign-task',
      'close-request',
      'recover-requests',
    ]) {
      // Act
      const url = (fnProps(name).Environment as { Variables: Json }).Variables.PUBLIC_BASE_URL;
      const text = JSON.stringify(url);

      // Assess
      expect(text, name).toContain(JSON.stringify({ Ref: apiId }));
      expect(text, name).toContain(`/${STAGE_NAME}`);
      expect(text, name).not.toMatch(/Deployment|Stage[0-9A-F]{8}/);
    }
  });

  it('logs each function to its own log group with the configured retention', () => {
    for (const spec of FUNCTIONS) {
      // Act
      const logGroupId = idOf(fnOf(spec.name).logGroup);

      // Assess
      expect(fnProps(spec.name).LoggingConfig, spec.name).toEqual({ LogGroup: { Ref: logGroupId } });
      expect(resources[logGroupId]?.Properties.RetentionInDays).toBe(config.logRetentionDays);
      expect(resources[logGroupId]?.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('DynamoDB table', () => {
  it('is on-demand, with point-in-time recovery, deletion protection, TTL, and is retained', () => {
    // Assess
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'expiresAtEpoch', Enabled: true },
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
      }),
    });
  });

  it('has GSI1 (GSI1PK/GSI1SK) and GSI2 (GSI2PK/GSI2SK) for the store access patterns', () => {
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith(
        ['GSI1', 'GSI2'].map((index) =>
          Match.objectLike({
            IndexName: index,
            KeySchema: [
              { AttributeName: `${index}PK`, KeyType: 'HASH' },
              { AttributeName: `${index}SK`, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          }),
        ),
      ),
    });
  });

  it('grants each function exactly its entry of shared/core/store/access.ts, every statement limited by dynamodb:LeadingKeys', () => {
    // Prepare
    const tableArn = { 'Fn::GetAtt': [idOf(stack.table), 'Arn'] };
    const indexArn = (index: string) => ({ 'Fn::Join': ['', [tableArn, `/index/${index}`]] });

    for (const spec of FUNCTIONS) {
      const access = TABLE_ACCESS[spec.name];
      const expected: unknown[] = [];
      if (access?.read.length)
        expected.push([TABLE_ACTIONS.read, tableArn, access.read.map((k) => `${PARTITIONS[k]}*`)]);
      if (access?.write.length)
        expected.push([TABLE_ACTIONS.write, tableArn, access.write.map((k) => `${PARTITIONS[k]}*`)]);
      if (access?.batchWrite.length)
        expected.push([
          TABLE_ACTIONS.batchWrite,
          tableArn,
          access.batchWrite.map((k) => `${PARTITIONS[k]}*`),
        ]);
      for (const index of ['GSI1', 'GSI2']) {
        const patterns = (access?.query ?? [])
          .map((k) => INDEX_PARTITIONS[k])
          .filter((p) => p.index === index)
          .map((p) => (p.prefix ? `${p.key}*` : p.key));
        if (patterns.length) expected.push([TABLE_ACTIONS.query, indexArn(index), patterns]);
      }

      // Act
      const actual = dynamoGrants(spec.name).map(({ actions, resource, leadingKeys }) => [
        actions,
        resource,
        leadingKeys,
      ]);

      // Assess
      expect(actual, spec.name).toEqual(expected);
      expect(access === undefined, spec.name).toBe(!spec.env.includes('TABLE_NAME'));
    }
    expect(Object.keys(TABLE_ACCESS).sort()).toEqual(
      FUNCTIONS.filter((f) => f.env.includes('TABLE_NAME'))
        .map((f) => f.name)
        .sort(),
    );
  });

  it('read-only HTTP functions cannot write, and cannot read licence keys; only record-decision may touch them (write only)', () => {
    // Prepare
    const licenceKey = licenseKeyKey('SR-20261128-TEST0001').PK;
    // task-page writes one thing: the audit event of a member of another team it refused (AUTH_MODE=sso).
    const taskPageWrites = dynamoGrants('task-page').filter((g) => g.actions.includes('dynamodb:PutItem'));
    expect(taskPageWrites.map((g) => g.leadingKeys)).toEqual([[`${PARTITIONS.request}*`]]);

    for (const name of [
      'get-request',
      'reply-page',
      'reports-page',
      'reports-summary',
      'reports-tasks',
      'registry',
      'registry-resource',
      'registry-export',
      'request-form',
    ]) {
      // Act
      const grants = dynamoGrants(name);

      // Assess
      for (const grant of grants) {
        expect(grant.actions, name).not.toContain('dynamodb:PutItem');
        expect(grant.actions, name).not.toContain('dynamodb:UpdateItem');
        expect(grant.actions, name).not.toContain('dynamodb:BatchWriteItem');
        expect(
          grant.leadingKeys.some((p) => globMatches(p, licenceKey)),
          name,
        ).toBe(false);
      }
    }
    const licenceGrants = FUNCTIONS.flatMap((spec) =>
      dynamoGrants(spec.name)
        .filter((g) => g.leadingKeys.some((p) => globMatches(p, licenceKey)))
        .map((g) => [spec.name, g.actions]),
    );
    expect(licenceGrants).toEqual([['record-decision', TABLE_ACTIONS.write]]);
    // Requests and their audit trail share a partition, licence keys do not.
    expect(licenseKeyKey('SR-1').PK).not.toBe(requestKey('SR-1').PK);
  });

  it('each kind of item is written only by the functions whose code writes it', () => {
    // Prepare: an example key of each kind
    const examples = {
      request: requestKey('SR-1').PK,
      task: taskKey('t').PK,
      license: licenseKeyKey('SR-1').PK,
      registry: registryKey('math-blaster-0123456789ab').PK,
      idempotency: idempotencyKey('k').PK,
    };
    const writersOf = (key: string) =>
      FUNCTIONS.filter((spec) =>
        dynamoGrants(spec.name).some(
          (g) => g.actions.includes('dynamodb:PutItem') && g.leadingKeys.some((p) => globMatches(p, key)),
        ),
      )
        .map((spec) => spec.name)
        .sort();

    // Assess
    // recover-requests: the decision sweep marks the decisions it finishes.
    // queue-action: taking, giving back and assigning a task from the team work queue.
    expect(writersOf(examples.task)).toEqual([
      'assign-task',
      'queue-action',
      'record-answer',
      'record-decision',
      'recover-requests',
      'remind-task',
      // upload-received: the certificate of destruction settles the deletion task.
      'upload-received',
    ]);
    expect(writersOf(examples.license)).toEqual(['record-decision']);
    // record-stewardship and send-deletion-request: the deletion's dates on the entry.
    // apply-policy-decision: the "Under review" mark while a changed policy is vetted again (issue 22).
    expect(writersOf(examples.registry)).toEqual([
      'apply-policy-decision',
      'publish-status',
      'record-stewardship',
      'schedule-renewal',
      'send-deletion-request',
    ]);
    // Only submit-request claims keys (the acknowledgement goes through the outbox, a request item).
    expect(writersOf(examples.idempotency)).toEqual(['submit-request']);
    expect(writersOf(examples.request)).not.toContain('get-request');
    expect(writersOf('SOMETHING#else')).toEqual([]);
  });

  it('the registry pages may only read the registry and its search index; only publish-status writes the index', () => {
    // Prepare
    const tableArn = { 'Fn::GetAtt': [idOf(stack.table), 'Arn'] };
    const searchKey = registrySearchKey('A', 'math', 'math blaster\u0001x').PK;
    const writersOfIndex = FUNCTIONS.filter((spec) =>
      dynamoGrants(spec.name).some(
        (g) =>
          g.actions.includes('dynamodb:BatchWriteItem') &&
          g.leadingKeys.some((p) => globMatches(p, searchKey)),
      ),
    ).map((spec) => spec.name);

    // Assess
    for (const name of ['registry', 'registry-export']) {
      expect(dynamoGrants(name), name).toEqual([
        { actions: TABLE_ACTIONS.read, resource: tableArn, leadingKeys: ['RSEARCH#*', 'RESOURCE#*'] },
      ]);
    }
    expect(dynamoGrants('registry-resource')).toEqual([
      { actions: TABLE_ACTIONS.read, resource: tableArn, leadingKeys: ['RESOURCE#*'] },
    ]);
    expect(writersOfIndex).toEqual(['publish-status']);
    // RegistryStore.registrySearchPage queries the table's RSEARCH# partitions (the key LeadingKeys sees).
    expect(searchKey.startsWith('RSEARCH#')).toBe(true);
    expect(readFileSync(new URL('shared/registry/store.ts', ROOT), 'utf8')).toMatch(
      /KeyConditionExpression: afterSortKey \? 'PK = :pk AND SK > :after' : 'PK = :pk',\s*ExpressionAttributeValues: \{\s*':pk': registrySearchPartition\(bucket, prefix\)/,
    );
  });

  it('the grant covers every DynamoDB command the WorkflowStore sends', () => {
    // Prepare
    const store = readFileSync(new URL('shared/core/store/table.ts', ROOT), 'utf8');
    const actionOf: Record<string, string> = {
      GetCommand: 'dynamodb:GetItem',
      BatchGetCommand: 'dynamodb:BatchGetItem',
      BatchWriteCommand: 'dynamodb:BatchWriteItem',
      QueryCommand: 'dynamodb:Query',
      PutCommand: 'dynamodb:PutItem',
      UpdateCommand: 'dynamodb:UpdateItem',
    };

    // Act
    const commands = [...new Set([...store.matchAll(/new (\w+Command)\(/g)].map((m) => m[1] as string))];

    // Assess
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      expect(actionOf[command], `${command} is not covered by TABLE_ACTIONS`).toBeDefined();
      expect([...TABLE_ACTIONS.read, ...TABLE_ACTIONS.write, ...TABLE_ACTIONS.batchWrite]).toContain(
        actionOf[command],
      );
    }
  });

  it('only publish-status may BatchWriteItem (which can delete), and only on the registry search index', () => {
    // Act
    const batchWriters = withAction('dynamodb:BatchWriteItem');

    // Assess
    expect(batchWriters.flatMap(({ roles }) => roles.map(functionOfRole))).toEqual(['publish-status']);
    expect(batchWriters.map(({ statement }) => actionsOf(statement))).toEqual([['dynamodb:BatchWriteItem']]);
    expect(batchWriters[0]?.statement.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${PARTITIONS.registrySearch}*`] },
    });
  });
});

describe('state machines', () => {
  const machines = () => [
    { file: STATE_MACHINES.softwareRequest.file, construct: stack.softwareRequest },
    { file: STATE_MACHINES.annualRenewal.file, construct: stack.annualRenewal },
    { file: STATE_MACHINES.resourceStewardship.file, construct: stack.resourceStewardship },
    { file: STATE_MACHINES.resourceWatch.file, construct: stack.resourceWatch },
  ];

  it('deploy exactly the ASL files with the configured human-step deadlines: every state name present, the definition identical', () => {
    for (const { file, construct } of machines()) {
      // Prepare
      const asl = JSON.parse(
        resolveDeadlines(readFileSync(new URL(file, ROOT), 'utf8'), config.humanStepDeadlineDays),
      ) as { States: Record<string, Json> };

      // Act
      const props = resources[idOf(construct.machine)]?.Properties as Json;
      const definition = JSON.parse(props.DefinitionString as string) as { States: Record<string, Json> };

      // Assess
      expect(stateNames(definition).sort(), file).toEqual(stateNames(asl).sort());
      expect(definition, file).toEqual(asl);
      for (const state of Object.values(definition.States)) {
        const kind = (state.Parameters as { Payload?: { kind?: TaskKind } } | undefined)?.Payload?.kind;
        if (String(state.Resource).endsWith('.waitForTaskToken') && kind && kind !== 'ssl-remediation') {
          expect(state.TimeoutSeconds, `${file} ${kind}`).toBe(config.humanStepDeadlineDays[kind] * 86_400);
        }
      }
    }
  });

  /** The AWS::Lambda::Version a substitution refers to (`{ Ref: <version> }`), with its logical id. */
  const versionOf = (value: unknown) => {
    const id = (value as { Ref?: string }).Ref ?? '';
    return { id, version: resources[id] };
  };

  it('substitute every <Name>FunctionArn placeholder with the published version of the function shared/functions.ts names', () => {
    for (const { file, construct } of machines()) {
      // Prepare
      const props = resources[idOf(construct.machine)]?.Properties as Json;
      const substitutions = props.DefinitionSubstitutions as Record<string, unknown>;
      let text = props.DefinitionString as string;

      // Act
      for (const [key, value] of Object.entries(substitutions)) {
        const spec = FUNCTIONS.find((f) => f.aslArn === key);
        if (spec) {
          const { id, version } = versionOf(value);
          expect(version?.Type, `${file} ${key} (${id})`).toBe('AWS::Lambda::Version');
          expect(version?.Properties.FunctionName, `${file} ${key}`).toEqual({ Ref: fnId(spec.name) });
        }
        text = text.replaceAll(`\${${key}}`, 'arn:aws:lambda:us-east-1:123456789012:function:x:1');
      }

      // Assess
      expect(aslPlaceholders(props.DefinitionString as string).length, file).toBeGreaterThan(0);
      expect(text, `${file} has an unsubstituted placeholder`).not.toContain('${');
    }
  });

  it('keep every published version on update and on delete, so the next deploy cannot remove the code running executions call', () => {
    // Prepare
    const versions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Version');
    const named = new Set(
      machines().flatMap(({ construct }) => {
        const props = resources[idOf(construct.machine)]?.Properties as Json;
        return Object.values(props.DefinitionSubstitutions as Record<string, unknown>).map(
          (v) => versionOf(v).id,
        );
      }),
    );

    // Assess: exactly the versions the definitions name, each retained
    expect(versions.map(([id]) => id).sort()).toEqual([...named].filter((id) => resources[id]).sort());
    for (const [id, version] of versions) {
      expect(version.DeletionPolicy, id).toBe('Retain');
      expect(version.UpdateReplacePolicy, id).toBe('Retain');
    }
  });

  it('leave the HTTP API on the newest code: its integrations call the unqualified function ARNs', () => {
    const uris = Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGateway::Method')
      .map((r) => JSON.stringify((r.Properties.Integration as Json | undefined)?.Uri ?? ''));
    expect(uris.length).toBeGreaterThan(0);
    for (const uri of uris) {
      expect(uri).toContain('"Arn"');
      expect(uri).not.toMatch(/CurrentVersion/);
    }
  });

  it('are STANDARD, log errors only and without execution data (no task tokens, emails or comments in CloudWatch Logs), and are traced', () => {
    for (const { construct } of machines()) {
      // Act
      const props = resources[idOf(construct.machine)]?.Properties as Json;

      // Assess
      expect(props).toMatchObject({
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: {
          Level: 'ERROR',
          IncludeExecutionData: false,
          Destinations: [
            { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [idOf(construct.logGroup), 'Arn'] } } },
          ],
        },
      });
      expect(resources[idOf(construct.logGroup)]?.Properties.RetentionInDays).toBe(config.logRetentionDays);
    }
  });

  it('may invoke exactly the functions their ASL references, and no others', () => {
    for (const { file, construct } of machines()) {
      // Prepare
      const asl = readFileSync(new URL(file, ROOT), 'utf8');
      const expected = aslPlaceholders(asl)
        .map((name) => FUNCTIONS.find((f) => f.aslArn === name)?.name)
        .filter((name): name is string => Boolean(name));
      const machineRole = idOf(construct.machine.role);

      // Act
      const invokable = withAction('lambda:InvokeFunction')
        .filter(({ roles }) => roles.includes(machineRole))
        .flatMap(({ statement }) => resourcesOf(statement))
        .map((r) => JSON.stringify(r));

      // Assess
      const expectedArns = expected.flatMap((name) => [
        JSON.stringify({ 'Fn::GetAtt': [fnId(name), 'Arn'] }),
        JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [fnId(name), 'Arn'] }, ':*']] }),
      ]);
      expect(invokable.sort(), file).toEqual(expectedArns.sort());
    }
  });
});

describe('least privilege for the workflow', () => {
  it('only record-decision and recover-requests (both machines: the decision sweep delivers what a crash left) and record-answer (software-request: its reviews ask) may send task results', () => {
    // Act
    const grants = withAction('states:SendTaskSuccess');
    // One function's grant may be split over statements (IAM merges it with other grants on a machine).
    const byFunction: Record<string, unknown[]> = {};
    for (const { roles, statement } of grants) {
      for (const r of roles) {
        const name = functionOfRole(r);
        byFunction[name] = [...(byFunction[name] ?? []), ...resourcesOf(statement)];
      }
    }

    // Assess
    expect(Object.keys(byFunction).sort()).toEqual([
      'record-answer',
      'record-decision',
      'recover-requests',
      'upload-received',
    ]);
    for (const name of ['record-decision', 'recover-requests']) {
      expect(byFunction[name]).toEqual(
        expect.arrayContaining([
          { Ref: idOf(stack.softwareRequest.machine) },
          { Ref: idOf(stack.annualRenewal.machine) },
          { Ref: idOf(stack.resourceStewardship.machine) },
          { Ref: idOf(stack.resourceWatch.machine) },
        ]),
      );
      expect(byFunction[name]).toHaveLength(4);
    }
    expect(byFunction['record-answer']).toEqual([{ Ref: idOf(stack.softwareRequest.machine) }]);
    // The certificate of destruction settles the deletion task: the stewardship machine only.
    expect(byFunction['upload-received']).toEqual([{ Ref: idOf(stack.resourceStewardship.machine) }]);
  });

  it('only submit-request and recover-requests may start the software-request machine; only the scheduler role the renewal machine; only publish-status, report-incident and recover-requests the stewardship machine; the watch its own and the renewal (re-vet)', () => {
    // Prepare
    const schedulerRole = idOf(stack.scheduler.role);
    const renewalName = resources[idOf(stack.annualRenewal.machine)]?.Properties.StateMachineName as string;

    // Act
    const grants = withAction('states:StartExecution');
    const byRole = Object.fromEntries(
      grants.map(({ roles, statement }) => [functionOfRole(roles[0] as string), resourcesOf(statement)]),
    );

    // Assess
    expect(Object.keys(byRole).sort()).toEqual(
      [
        'apply-policy-decision',
        'publish-status',
        'recover-requests',
        'report-incident',
        'start-ssl-spot-checks',
        'submit-request',
        'watch-policies',
        schedulerRole,
      ].sort(),
    );
    // Issue 22: the watch starts its own machine; a re-vet of a changed policy starts the renewal's vetting.
    expect(byRole['watch-policies']).toEqual([{ Ref: idOf(stack.resourceWatch.machine) }]);
    expect(byRole['start-ssl-spot-checks']).toEqual([{ Ref: idOf(stack.resourceWatch.machine) }]);
    expect(byRole['apply-policy-decision']).toEqual([{ Ref: idOf(stack.annualRenewal.machine) }]);
    expect(byRole['submit-request']).toEqual([{ Ref: idOf(stack.softwareRequest.machine) }]);
    // Ending an approval starts a deletion; a reported incident starts its review: that machine only.
    expect(byRole['publish-status']).toEqual([{ Ref: idOf(stack.resourceStewardship.machine) }]);
    expect(byRole['report-incident']).toEqual([{ Ref: idOf(stack.resourceStewardship.machine) }]);
    // The recovery sweep: a crashed submission's workflow, and a crashed incident report's review.
    expect(byRole['recover-requests']).toHaveLength(2);
    expect(byRole['recover-requests']).toEqual(
      expect.arrayContaining([
        { Ref: idOf(stack.softwareRequest.machine) },
        { Ref: idOf(stack.resourceStewardship.machine) },
      ]),
    );
    expect(byRole[schedulerRole]).toHaveLength(1);
    expect(JSON.stringify(byRole[schedulerRole])).toContain(`:stateMachine:${renewalName}"`);
    expect(renewalName).toBe(`${stack.stackName}-AnnualRenewal`);
  });

  it('the schedule group is retained on update and delete, so a redeploy keeps pending renewals and reminders, but not when the first create rolls back (its name is fixed)', () => {
    // Act
    const group = resources[idOf(stack.scheduler.group)];

    // Assess
    expect(group?.Type).toBe('AWS::Scheduler::ScheduleGroup');
    expect(group?.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(group?.UpdateReplacePolicy).toBe('Retain');
  });

  it('schedules have an encrypted, TLS-only dead-letter queue that only the two scheduler roles and the asynchronously invoked functions (their failed runs) may send to', () => {
    // Prepare
    const queueId = idOf(stack.scheduler.deadLetterQueue);
    const queueArn = { 'Fn::GetAtt': [queueId, 'Arn'] };
    const reminderRole = stack.scheduler.reminderRole;
    if (!reminderRole) throw new Error('no reminder role');

    // Act
    const senders = withAction('sqs:SendMessage').filter(({ statement }) =>
      resourcesOf(statement).some((r) => JSON.stringify(r) === JSON.stringify(queueArn)),
    );
    const policy = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::SQS::QueuePolicy' &&
        JSON.stringify(r.Properties.Queues).includes(JSON.stringify({ Ref: queueId })),
    );

    // Assess
    expect(resources[queueId]?.Properties).toMatchObject({ SqsManagedSseEnabled: true });
    expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    expect(senders.flatMap(({ roles }) => roles).sort()).toEqual(
      [
        idOf(stack.scheduler.role),
        idOf(reminderRole),
        ...FUNCTIONS.filter((spec) => spec.everyMinutes || spec.sesEvents || spec.everyDays).map((spec) =>
          roleId(spec.name),
        ),
        roleId('remind-task'),
        // Issue 22: the watch's recurring schedules, each with its own scheduler role.
        ...Object.entries(resources)
          .filter(
            ([id, r]) =>
              r.Type === 'AWS::IAM::Role' && /^RenewalScheduler(WatchPolicies|StartSslSpotChecks)/.test(id),
          )
          .map(([id]) => id),
      ].sort(),
    );
    for (const { statement } of senders) {
      expect(actionsOf(statement)).toEqual(['sqs:SendMessage']);
      expect(statement.Resource).toEqual(queueArn);
    }
  });

  it('assign-task and schedule-renewal name that queue in SCHEDULER_DLQ_ARN (DeadLetterConfig of every schedule)', () => {
    for (const name of ['assign-task', 'schedule-renewal']) {
      expect(fnProps(name).Environment, name).toMatchObject({
        Variables: { SCHEDULER_DLQ_ARN: { 'Fn::GetAtt': [idOf(stack.scheduler.deadLetterQueue), 'Arn'] } },
      });
    }
  });

  it('the scheduler role can be assumed only by EventBridge Scheduler for this account and group', () => {
    // Act
    const role = resources[idOf(stack.scheduler.role)]?.Properties as Json;

    // Assess
    expect(role.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [idOf(stack.scheduler.group), 'Arn'] } },
          },
        },
      ],
    });
    const ownStatements = statements().filter(({ roles }) => roles.includes(idOf(stack.scheduler.role)));
    expect(ownStatements.flatMap(({ statement }) => actionsOf(statement)).sort()).toEqual([
      'sqs:SendMessage',
      'states:StartExecution',
    ]);
  });

  it('only schedule-renewal (renewal-* only) and assign-task (remind-* only) create schedules in the group, each passing its own role to Scheduler only', () => {
    // Prepare
    const groupName = resources[idOf(stack.scheduler.group)]?.Properties.Name as string;
    const reminderRole = stack.scheduler.reminderRole;
    if (!reminderRole) throw new Error('no reminder role');

    // Act
    const create = Object.fromEntries(
      withAction('scheduler:CreateSchedule').map(({ roles, statement }) => [
        functionOfRole(roles[0] as string),
        JSON.stringify(statement.Resource),
      ]),
    );
    const pass = Object.fromEntries(
      withAction('iam:PassRole').map(({ roles, statement }) => [
        functionOfRole(roles[0] as string),
        statement,
      ]),
    );

    // Assess
    expect(Object.keys(create).sort()).toEqual(['assign-task', 'schedule-renewal']);
    expect(create['schedule-renewal']).toContain(`:schedule/${groupName}/${RENEWAL_SCHEDULE_PREFIX}*"`);
    expect(renewalScheduleName('SR-2026-0001', new Date('2027-09-01T00:00:00Z'))).toMatch(
      new RegExp(`^${RENEWAL_SCHEDULE_PREFIX}`),
    );
    expect(create['assign-task']).toContain(`:schedule/${groupName}/${REMINDER_SCHEDULE_PREFIX}*"`);
    expect(reminderScheduleName('AAAAAAAAAAAAAAAAAAAAAA', 1)).toMatch(
      new RegExp(`^${REMINDER_SCHEDULE_PREFIX}`),
    );
    expect(Object.keys(pass).sort()).toEqual(['assign-task', 'schedule-renewal']);
    expect(pass['schedule-renewal']).toMatchObject({
      Resource: { 'Fn::GetAtt': [idOf(stack.scheduler.role), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
    expect(pass['assign-task']).toMatchObject({
      Resource: { 'Fn::GetAtt': [idOf(reminderRole), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
  });

  it('reminder schedules run as a role that may only invoke remind-task, assumable only by Scheduler for this group', () => {
    // Prepare
    const reminderRole = stack.scheduler.reminderRole;
    if (!reminderRole) throw new Error('no reminder role');

    // Act
    const role = resources[idOf(reminderRole)]?.Properties as Json;
    const own = statements().filter(({ roles }) => roles.includes(idOf(reminderRole)));
    const invokers = withAction('lambda:InvokeFunction')
      .filter(({ statement }) => JSON.stringify(statement.Resource).includes(fnId('remind-task')))
      .flatMap(({ roles }) => roles);

    // Assess
    expect(role.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [idOf(stack.scheduler.group), 'Arn'] } },
          },
        },
      ],
    });
    expect(own.map(({ statement }) => [actionsOf(statement), statement.Resource])).toEqual([
      [['lambda:InvokeFunction'], { 'Fn::GetAtt': [fnId('remind-task'), 'Arn'] }],
      [['sqs:SendMessage'], { 'Fn::GetAtt': [idOf(stack.scheduler.deadLetterQueue), 'Arn'] }],
    ]);
    expect(invokers).toEqual([idOf(reminderRole)]);
    expect(fnProps('assign-task').Environment).toMatchObject({
      Variables: {
        REMINDER_FUNCTION_ARN: { 'Fn::GetAtt': [fnId('remind-task'), 'Arn'] },
        SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [idOf(reminderRole), 'Arn'] },
      },
    });
  });

  it('only the functions that email may send, and only as the district domain identity with the stack configuration set', () => {
    // Prepare
    const identityId = Object.entries(resources).find(([, r]) => r.Type === 'AWS::SES::EmailIdentity')?.[0];
    const configurationSetId = idOf(stack.mailReputation.configurationSet);

    // Act
    const grants = withAction('ses:SendEmail');
    const onIdentity = grants.filter(({ statement }) =>
      JSON.stringify(statement.Resource).includes(`":identity/",{"Ref":"${identityId}"}`),
    );
    const onConfigurationSet = grants.filter(({ statement }) =>
      JSON.stringify(statement.Resource).includes(`":configuration-set/",{"Ref":"${configurationSetId}"}`),
    );

    // Assess
    for (const subset of [onIdentity, onConfigurationSet]) {
      expect(subset.map(({ roles }) => functionOfRole(roles[0] as string)).sort()).toEqual(
        [...MAIL_SENDERS].sort(),
      );
      for (const { statement } of subset) expect(resourcesOf(statement)).toHaveLength(1);
    }
    expect(grants).toHaveLength(onIdentity.length + onConfigurationSet.length);
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: config.mailDomain,
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: configurationSetId } },
    });
    for (const name of MAIL_SENDERS) {
      const variables = (fnProps(name).Environment as { Variables: Json }).Variables;
      expect(variables.SES_CONFIGURATION_SET, name).toEqual({ Ref: configurationSetId });
      // The account's send rate (cdk.json sesMaxSendRate), which every sender counts against.
      expect(variables.SES_MAX_SEND_RATE, name).toBe(String(config.sesMaxSendRate));
    }
  });

  it('grants ses:SendEmail only: no role may call SendRawEmail (shared/core/mail/ses-mailer.ts sends SendEmailCommand only)', () => {
    // Prepare
    const mailer = readFileSync(new URL('shared/core/mail/ses-mailer.ts', ROOT), 'utf8');

    // Act
    const sesActions = statements().flatMap(({ statement }) =>
      actionsOf(statement).filter((a) => a.startsWith('ses:')),
    );

    // Assess
    expect(mailer).toContain('SendEmailCommand');
    expect(mailer).not.toContain('SendRawEmailCommand');
    expect(sesActions.length).toBeGreaterThan(0);
    expect([...new Set(sesActions)]).toEqual(['ses:SendEmail']);
  });

  it('only publish-status and procurement-hook put events, and only on the integration bus', () => {
    // Act
    const grants = withAction('events:PutEvents');

    // Assess
    expect(grants.map(({ roles }) => functionOfRole(roles[0] as string)).sort()).toEqual([
      'procurement-hook',
      'publish-status',
    ]);
    const busId = Object.entries(resources).find(([, r]) => r.Type === 'AWS::Events::EventBus')?.[0];
    for (const { statement } of grants) expect(statement.Resource).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
  });

  it('function roles carry no managed policies and write logs only to their own log group', () => {
    for (const spec of FUNCTIONS) {
      // Act
      const role = resources[roleId(spec.name)]?.Properties as Json;
      const logGrants = statements()
        .filter(({ roles }) => roles.includes(roleId(spec.name)))
        .filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('logs:')));

      // Assess
      expect(role.ManagedPolicyArns, spec.name).toBeUndefined();
      expect(logGrants.map(({ statement }) => statement.Resource)).toEqual([
        { 'Fn::GetAtt': [idOf(fnOf(spec.name).logGroup), 'Arn'] },
      ]);
    }
  });
});

describe('recovery sweep (recover-requests)', () => {
  const ruleOf = (name: string) => {
    const rule = fnOf(name).schedule;
    if (!rule) throw new Error(`${name} has no schedule`);
    return idOf(rule);
  };

  it('an EventBridge rule invokes it every 15 minutes (the weekly digest every hour); every function with everyMinutes has its rule, the others none', () => {
    // Act
    const rule = resources[ruleOf('recover-requests')]?.Properties as Json;
    const scheduled = FUNCTIONS.filter((spec) => fnOf(spec.name).schedule).map((spec) => spec.name);

    // Assess
    expect(rule).toMatchObject({
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [expect.objectContaining({ Arn: { 'Fn::GetAtt': [fnId('recover-requests'), 'Arn'] } })],
    });
    expect((rule.Targets as unknown[]).length).toBe(1);
    expect(scheduled).toEqual(FUNCTIONS.filter((spec) => spec.everyMinutes).map((spec) => spec.name));
    expect(scheduled.sort()).toEqual(['keep-policy-snapshots', 'recover-requests', 'weekly-digest']);
    expect(resources[ruleOf('weekly-digest')]?.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 hour)',
    });
    // The three schedules, and the rule that brings SES's bounce and complaint reports (record-mail-event).
    template.resourceCountIs('AWS::Events::Rule', 4);
  });

  it('only that rule may invoke it (events.amazonaws.com, SourceArn = the rule)', () => {
    // Act
    const permissions = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Permission' &&
        JSON.stringify(r.Properties.FunctionName).includes(fnId('recover-requests')),
    );

    // Assess
    expect(permissions.map((p) => p.Properties)).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleOf('recover-requests'), 'Arn'] },
      }),
    ]);
  });

  it('may do exactly what the sweep does: requests (and their outbox items), tasks, the UNSTARTED, UNDELIVERED and OUTBOX indexes, start the software-request machine, send task results, email', () => {
    // Prepare
    const tableArn = { 'Fn::GetAtt': [idOf(stack.table), 'Arn'] };

    // Act
    const own = statements()
      .filter(({ roles }) => roles.includes(roleId('recover-requests')))
      .map(({ statement }) => statement)
      .filter((st) => !actionsOf(st).some((a) => a.startsWith('logs:') || a.startsWith('xray:')));

    // Assess
    expect(dynamoGrants('recover-requests')).toEqual([
      {
        actions: [...TABLE_ACTIONS.read],
        resource: tableArn,
        // REPORT#: the weekly digest's outbox entries (REPORT#digests), which the outbox sweep sends.
        // BOUNCED#: the suppression list, asked before each email it sends (shared/bounces).
        // INCIDENT#: the incidents whose review the incident sweep starts.
        leadingKeys: ['REQUEST#*', 'TASK#*', 'REPORT#*', 'INCIDENT#*', 'BOUNCED#*'],
      },
      {
        actions: [...TABLE_ACTIONS.write],
        resource: tableArn,
        // REPORT#: the reports' counts of the decisions it finishes (shared/reports), and the marks of
        // the weekly digest's outbox entries it sends. SESRATE#: its emails' turns of the account's SES
        // send rate (shared/core/mail/send-rate.ts).
        // INCIDENT#: the mark of an incident whose review it started.
        leadingKeys: ['REQUEST#*', 'TASK#*', 'REPORT#*', 'INCIDENT#*', 'SESRATE#*'],
      },
      {
        actions: [...TABLE_ACTIONS.query],
        resource: { 'Fn::Join': ['', [tableArn, '/index/GSI1']] },
        leadingKeys: ['INCIDENT_UNSTARTED'],
      },
      {
        actions: [...TABLE_ACTIONS.query],
        resource: { 'Fn::Join': ['', [tableArn, '/index/GSI2']] },
        leadingKeys: ['UNSTARTED', 'UNDELIVERED', 'OUTBOX'],
      },
    ]);
    // Task results: SendTaskSuccess only (no SendTaskFailure or SendTaskHeartbeat: nothing sends them);
    // sqs:SendMessage: its failed runs go to the async-failures queue.
    expect(
      [
        ...new Set(
          own
            .filter((st) => !actionsOf(st).some((a) => a.startsWith('dynamodb:')))
            .flatMap((st) => actionsOf(st)),
        ),
      ].sort(),
    ).toEqual(['ses:SendEmail', 'sqs:SendMessage', 'states:SendTaskSuccess', 'states:StartExecution']);
    // RequestStore.listUnstartedRequests queries GSI2 with GSI2PK = 'UNSTARTED' (the partition LeadingKeys sees).
    expect(INDEX_PARTITIONS.unstartedRequests).toEqual({ index: 'GSI2', key: 'UNSTARTED', prefix: false });
    expect(readFileSync(new URL('shared/requests/store.ts', ROOT), 'utf8')).toMatch(
      /IndexName: 'GSI2',\s*KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :before',\s*ExpressionAttributeValues: \{ ':pk': INDEX_PARTITIONS\.unstartedRequests\.key/,
    );
    // OutboxStore.listUnsentEffects queries GSI2 with GSI2PK = 'OUTBOX'.
    expect(INDEX_PARTITIONS.unsentEffects).toEqual({ index: 'GSI2', key: 'OUTBOX', prefix: false });
    expect(readFileSync(new URL('shared/core/store/outbox.ts', ROOT), 'utf8')).toMatch(
      /IndexName: 'GSI2',\s*KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :before',\s*ExpressionAttributeValues: \{ ':pk': UNSENT/,
    );
    // TaskStore.listUndeliveredTasks queries GSI2 with GSI2PK = 'UNDELIVERED'.
    expect(INDEX_PARTITIONS.undeliveredDecisions).toEqual({
      index: 'GSI2',
      key: 'UNDELIVERED',
      prefix: false,
    });
    expect(readFileSync(new URL('shared/tasks/store.ts', ROOT), 'utf8')).toMatch(
      /IndexName: 'GSI2',\s*KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :before',\s*ExpressionAttributeValues: \{\s*':pk': INDEX_PARTITIONS\.undeliveredDecisions\.key/,
    );
    // IncidentStore.listUnstartedIncidentReviews queries GSI1 with GSI1PK = 'INCIDENT_UNSTARTED'.
    expect(INDEX_PARTITIONS.unstartedIncidentReviews).toEqual({
      index: 'GSI1',
      key: 'INCIDENT_UNSTARTED',
      prefix: false,
    });
    expect(readFileSync(new URL('shared/stewardship/incident-store.ts', ROOT), 'utf8')).toMatch(
      /IndexName: 'GSI1',\s*KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK < :before',\s*ExpressionAttributeValues: \{\s*':pk': INDEX_PARTITIONS\.unstartedIncidentReviews\.key/,
    );
  });
});

describe('REST API', () => {
  it('routes every path of shared/functions.ts to its function through a Lambda proxy integration', () => {
    for (const spec of FUNCTIONS) {
      for (const route of routesOf(spec)) {
        // Act
        const method = stack.api.methods.get(`${route.method} ${route.path}`);
        const props = method ? (resources[idOf(method)]?.Properties as Json) : undefined;

        // Assess
        expect(method?.resource.path, spec.name).toBe(route.path);
        expect(props, spec.name).toMatchObject({
          HttpMethod: route.method,
          AuthorizationType: 'NONE',
          Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
        });
        expect(JSON.stringify((props?.Integration as Json | undefined)?.Uri), spec.name).toContain(
          `"${fnId(spec.name)}","Arn"`,
        );
      }
    }
    expect(stack.api.methods.size).toBe(FUNCTIONS.flatMap(routesOf).length);
  });

  it('validates requests: every method uses the validator, path parameters are required', () => {
    // Prepare
    const validatorId = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::ApiGateway::RequestValidator',
    )?.[0];

    // Assess
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    for (const [key, method] of stack.api.methods) {
      const props = resources[idOf(method)]?.Properties as Json;
      expect(props.RequestValidatorId, key).toEqual({ Ref: validatorId });
      const params = (key.match(/\{(\w+)\}/g) ?? []).map((p) => [
        `method.request.path.${p.slice(1, -1)}`,
        true,
      ]);
      if (params.length) expect(props.RequestParameters, key).toEqual(Object.fromEntries(params));
    }
  });

  it('throttles the stage with the configured rate and burst, and traces it', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: STAGE_NAME,
      TracingEnabled: true,
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: config.apiThrottle.rateLimit,
          ThrottlingBurstLimit: config.apiThrottle.burstLimit,
          DataTraceEnabled: false,
        }),
      ]),
    });
  });

  it('writes access logs without query strings or concrete paths (the task link secret never reaches a log)', () => {
    // Act
    const stage = Object.values(resources).find((r) => r.Type === 'AWS::ApiGateway::Stage');
    const setting = stage?.Properties.AccessLogSetting as { Format: string; DestinationArn: unknown };
    const format = JSON.parse(setting.Format) as Record<string, string>;

    // Assess
    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(format.resourcePath).toBe('$context.resourcePath');
    for (const value of Object.values(format)) {
      expect(value).not.toMatch(
        /querystring|\$context\.path\b|\$input|\$request|requestOverride|\$method\.request/i,
      );
    }
    expect(JSON.stringify(setting.DestinationArn)).toContain(
      JSON.stringify({ Ref: idOf(stack.api.accessLogGroup) }),
    );
  });
});

describe('operations', () => {
  it("stays within CloudFormation's 500 resources per stack (a deploy past it fails; move a part to a nested stack first)", () => {
    expect(Object.keys(resources).length).toBeLessThanOrEqual(500);
  });

  it('alarms operators on failed, timed-out and aborted executions of both machines', () => {
    for (const machine of [
      stack.softwareRequest.machine,
      stack.annualRenewal.machine,
      stack.resourceStewardship.machine,
    ]) {
      for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
        // Assess
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/States',
          MetricName: metric,
          Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: idOf(machine) } }],
          Threshold: 1,
          AlarmActions: [{ Ref: idOf(stack.monitoring.topic) }],
        });
      }
    }
  });

  it('alarms on errors and on throttles of every function (one account-wide alarm each) and on API 5xx', () => {
    for (const metricName of ['Errors', 'Throttles']) {
      const alarms = Object.values(resources).filter(
        (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === metricName,
      );
      // Assess: one alarm on Lambda's account-wide metric (no FunctionName dimension): it counts every function
      expect(alarms.map((r) => r.Properties)).toEqual([
        expect.objectContaining({
          Namespace: 'AWS/Lambda',
          Statistic: 'Sum',
          Threshold: 1,
          AlarmActions: [{ Ref: idOf(stack.monitoring.topic) }],
        }),
      ]);
      expect(alarms[0]?.Properties.Dimensions).toBeUndefined();
    }
    // the dashboard still shows errors per function, so operators see which one failed
    const dashboard = JSON.stringify(
      Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')?.Properties.DashboardBody,
    );
    // One search over the function names, which CloudFormation starts with the stack's name.
    expect(dashboard).toContain('{AWS/Lambda,FunctionName}');
    expect(dashboard).toContain(`${stack.stackName}\\\\\\"', 'Sum'`);
    for (const spec of FUNCTIONS) expect(resources[fnId(spec.name)]?.Properties.FunctionName).toBeUndefined();
    // API 5xx, on this stack's API only: its name is unique per stack (ApiName is the alarm's dimension).
    const apiName = resources[idOf(stack.api.api)]?.Properties.Name;
    expect(apiName).toBe(`${stack.stackName}-Api`);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Dimensions: [{ Name: 'ApiName', Value: apiName }],
      AlarmActions: [{ Ref: idOf(stack.monitoring.topic) }],
    });
    // 4 machines × failed/timed-out/aborted, Lambda errors, throttles, API 5xx, handled errors, the
    // dead-letter queue, SES bounce and complaint rates.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4 * 3 + 1 + 1 + 1 + 1 + 1 + 2);
  });

  it("alarms as soon as the schedules' dead-letter queue holds a message", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(stack.scheduler.deadLetterQueue), 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: idOf(stack.monitoring.topic) }],
    });
  });

  it('alarms when any function logs an error it handled (e.g. a reminder that could not be scheduled)', () => {
    template.resourceCountIs('AWS::Logs::MetricFilter', FUNCTIONS.length);
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: HANDLED_ERROR_PATTERN,
      MetricTransformations: [
        Match.objectLike({
          MetricNamespace: 'SoftwareRequests',
          MetricName: 'HandledErrors',
          MetricValue: '1',
        }),
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SoftwareRequests',
      MetricName: 'HandledErrors',
      Threshold: 1,
      AlarmActions: [{ Ref: idOf(stack.monitoring.topic) }],
    });
  });

  it('sends alarms to a TLS-only topic that emails the operators, with no key to pay for', () => {
    // Assess
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: config.operatorEmail,
      TopicArn: { Ref: idOf(stack.monitoring.topic) },
    });
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('has one dashboard of at most 50 metrics (a free dashboard) with executions, errors of every function and API responses', () => {
    // Act
    const dashboard = Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    const metrics = body.match(/\[\\"AWS\/\w+\\",/g) ?? [];

    // Assess
    // Every function's errors come from one search over the stack's function names.
    expect(body).toContain('SEARCH(');
    expect(metrics.length).toBeLessThanOrEqual(50);
  });

  it('has one dashboard with executions, Lambda errors and API responses', () => {
    // Act
    const dashboard = Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);

    // Assess
    for (const metric of [
      'ExecutionsStarted',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'Errors',
      '4XXError',
      '5XXError',
      'Latency',
    ]) {
      expect(body).toContain(metric);
    }
  });
});

describe('cdk-nag (AWS Solutions)', () => {
  it('finds no unacknowledged violations', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assess
    expect(
      report.violations.map(
        (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgement names a rule and gives a specific reason', () => {
    // Prepare
    const acknowledgements: { id: string; reason: string; path: string }[] = [];
    const visit = (node: IConstruct) => {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
          acknowledgements.push({
            id: id.replace(/^annotation::/i, ''),
            reason: String(reason),
            path: node.node.path,
          });
        }
      }
      node.node.children.forEach(visit);
    };

    // Act
    visit(app);

    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const ack of acknowledgements) {
      expect(ack.id, ack.path).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(80);
    }
  });
});

describe('variants (bundling skipped)', () => {
  const variant = (extra: Json) =>
    buildApp({ context: { ...cdkJson.context, ...extra, 'aws:cdk:bundling-stacks': [] } });

  it('signs people in with a Cognito user pool: the six groups, a public code-flow client with PKCE and the site callback, a session key', () => {
    // Prepare
    const { app: idApp, stack: idStack } = variant({ publicBaseUrl: 'https://requests.example.org/' });

    // Act
    const t = Template.fromStack(idStack);
    const report = new AwsSolutionsChecks().validateScope(idApp);

    // Assess
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      DeletionProtection: 'ACTIVE',
    });
    const groups = Object.values(t.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => (g.Properties as Json).GroupName,
    );
    expect(groups.sort()).toEqual(
      ['aas', 'auditors', 'cybersecurity', 'dii', 'instructional-technology', 'technology-services'].sort(),
    );
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: ['https://requests.example.org/auth/callback'],
      SupportedIdentityProviders: ['COGNITO'],
    });
    t.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(report.violations).toEqual([]);
  });

  it('gives the functions that know who is asking the identity variables, the session key and the pool groups, and no other function', () => {
    // Prepare
    const { stack: idStack } = variant({});
    const t = Template.fromStack(idStack);
    const identityFunctions = FUNCTIONS.filter((f) => f.env.includes('SESSION_SECRET_ARN')).map(
      (f) => f.name,
    );

    // Assess
    expect(identityFunctions).toEqual(expect.arrayContaining(['task-page', 'record-decision', 'work-queue']));
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).map((p) =>
      JSON.stringify(p.Properties),
    );
    const readsKey = policies.filter((p) => p.includes('secretsmanager:GetSecretValue')).length;
    const readsTeams = policies.filter((p) => p.includes('cognito-idp:AdminListGroupsForUser')).length;
    expect(readsKey).toBe(identityFunctions.length);
    expect(readsTeams).toBe(identityFunctions.length);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ AUTH_MODE: 'sso' }) },
    });
  });

  it.each([
    [
      'oidc (Google Workspace)',
      {
        type: 'oidc',
        name: 'Google',
        issuer: 'https://accounts.google.com',
        clientId: 'abc.apps.googleusercontent.com',
        clientSecretName: 'district/google-oidc',
      },
      'OIDC',
    ],
    [
      'saml (Entra ID)',
      {
        type: 'saml',
        name: 'EntraID',
        metadataUrl:
          'https://login.microsoftonline.com/tenant/federationmetadata/2007-06/federationmetadata.xml',
      },
      'SAML',
    ],
  ])(
    'federates the district sign-in by %s, and the site client offers it',
    (_name, federation, providerType) => {
      // Prepare
      const { app: fedApp, stack: fedStack } = variant({
        identity: { authMode: 'sso', domainPrefix: 'district-requests', federation },
      });

      // Act
      const t = Template.fromStack(fedStack);

      // Assess
      t.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
        ProviderName: federation.name,
        ProviderType: providerType,
      });
      t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        SupportedIdentityProviders: [
          'COGNITO',
          { Ref: Match.stringLikeRegexp(`District${providerType === 'OIDC' ? 'Oidc' : 'Saml'}`) },
        ],
      });
      t.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'district-requests' });
      expect(JSON.stringify(t.toJSON())).not.toContain('"ClientSecret":"district');
      expect(new AwsSolutionsChecks().validateScope(fedApp).violations).toEqual([]);
    },
  );

  it('with authMode "link", the handlers get AUTH_MODE=link (emailed links alone)', () => {
    const { stack: linkStack } = variant({ identity: { authMode: 'link' } });
    Template.fromStack(linkStack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ AUTH_MODE: 'link' }) },
    });
  });

  it('an unacknowledged finding fails the synth (cdk-nag runs as a validation plugin)', () => {
    // Prepare
    const { stack: badStack } = variant({});
    new Topic(Stack.of(badStack), 'UnencryptedTopic');

    // Act + Assess
    expect(() => Template.fromStack(badStack)).toThrow(/AwsSolutions-SNS3/);
  });
});
