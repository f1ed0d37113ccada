/**
 * The evidence bucket (cdk/constructs/document-store.ts) in the synthesized stack: private, TLS-only,
 * versioned, S3-managed encryption, kept on stack deletion, access-logged, its lifecycle (cheaper
 * classes, retention from cdk.json, incoming uploads gone after a day), and the grant a function gets
 * from bindDocuments, which cdk-nag accepts. Bundling is skipped: only the template matters here.
 */
import { readFileSync } from 'node:fs';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../cdk/app.ts';
import { INCOMING_PREFIX, retentionDays } from '../../cdk/constructs/document-store.ts';
import type { SoftwareRequestStack } from '../../cdk/stack.ts';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};
const build = (extra: Record<string, unknown> = {}) =>
  buildApp({
    context: { ...cdkJson.context, allowPlaceholderDomains: true, ...extra, 'aws:cdk:bundling-stacks': [] },
  });
const idOf = (stack: Stack, construct: IConstruct) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

type Json = Record<string, unknown>;
let stack: SoftwareRequestStack;
let template: Template;
let bucket: { Properties: Json; DeletionPolicy?: string; UpdateReplacePolicy?: string };
let nagViolations: string[];

beforeAll(() => {
  const built = build();
  stack = built.stack;
  template = Template.fromStack(stack);
  const found = template.toJSON().Resources[idOf(stack, stack.documents.bucket)];
  bucket = found;
  nagViolations = new AwsSolutionsChecks()
    .validateScope(built.app)
    .violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}, 120_000);

describe('the evidence bucket', () => {
  it('blocks all public access, refuses plain HTTP and TLS below 1.2, and encrypts with S3-managed keys', () => {
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: idOf(stack, stack.documents.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  it('is versioned and kept when the stack is deleted or the bucket replaced', () => {
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
  });

  it('moves documents to Standard-IA after 30 days and Glacier Instant Retrieval after a year, current and noncurrent', () => {
    const rule = lifecycleRule(bucket, 'Retention');
    const transitions = [
      { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
      { StorageClass: 'GLACIER_IR', TransitionInDays: 365 },
    ];
    expect(rule).toMatchObject({
      Status: 'Enabled',
      Transitions: transitions,
      NoncurrentVersionTransitions: transitions,
    });
    expect(rule.Prefix).toBeUndefined();
  });

  it('deletes documents and their old versions after cdk.json’s documentRetentionYears (7: 2,557 days)', () => {
    expect(cdkJson.context.documentRetentionYears).toBe(7);
    expect(lifecycleRule(bucket, 'Retention')).toMatchObject({
      ExpirationInDays: 2557,
      NoncurrentVersionExpiration: { NoncurrentDays: 2557 },
    });
    expect(lifecycleRule(bucket, 'ExpiredDeleteMarkers')).toMatchObject({ ExpiredObjectDeleteMarker: true });
  });

  it('follows another retention from the context', () => {
    // Act
    const other = build({ documentRetentionYears: 10 }).stack;
    const otherBucket = Template.fromStack(other).toJSON().Resources[idOf(other, other.documents.bucket)];

    // Assess
    expect(retentionDays(10)).toBe(3653);
    expect(lifecycleRule(otherBucket, 'Retention')).toMatchObject({
      ExpirationInDays: 3653,
      NoncurrentVersionExpiration: { NoncurrentDays: 3653 },
    });
  });

  it('expires browser uploads not yet accepted (incoming/) after one day', () => {
    expect(lifecycleRule(bucket, 'IncomingUploads')).toMatchObject({
      Prefix: INCOMING_PREFIX,
      ExpirationInDays: 1,
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      Status: 'Enabled',
    });
  });

  it('logs every access to a private, TLS-only log bucket kept as long as the documents', () => {
    const logsId = idOf(stack, stack.documents.accessLogs);
    expect(bucket.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logsId },
      LogFilePrefix: 'documents/',
    });
    const logs = template.toJSON().Resources[logsId];
    expect(logs.DeletionPolicy).toBe('Retain');
    expect(logs.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 2557, Status: 'Enabled' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' } }),
        ]),
      },
    });
  });

  it('names the bucket in the outputs, and only the evidence functions get it', () => {
    template.hasOutput('DocumentsBucketName', { Value: { Ref: idOf(stack, stack.documents.bucket) } });
    const functionsWithBucket = [...stack.functions.values()].filter(
      (fn) =>
        template.toJSON().Resources[idOf(stack, fn.function)]?.Properties?.Environment?.Variables
          ?.DOCUMENTS_BUCKET !== undefined,
    );
    expect(functionsWithBucket.map((fn) => fn.spec.name).sort()).toEqual([
      'document',
      'keep-policy-snapshots',
      'public-agreement',
      'upload-page',
      'upload-received',
      // Issue 22: a changed policy's text is kept as the new snapshot.
      'watch-policies',
    ]);
  });
});

describe('bindDocuments', () => {
  it('upload-received: DOCUMENTS_BUCKET, and GetObject, PutObject, DeleteObject on incoming/ and documents/ only', () => {
    // Prepare
    const fn = stack.functions.get('upload-received');
    if (!fn) throw new Error('no upload-received');
    const bucketArn = { 'Fn::GetAtt': [idOf(stack, stack.documents.bucket), 'Arn'] };

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ DOCUMENTS_BUCKET: { Ref: idOf(stack, stack.documents.bucket) } }),
      },
      Role: { 'Fn::GetAtt': [idOf(stack, fn.role), 'Arn'] },
    });
    expect(statementsOf(fn.role)).toEqual(
      expect.arrayContaining([
        {
          Sid: 'Documents',
          Effect: 'Allow',
          Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          Resource: [
            { 'Fn::Join': ['', [bucketArn, '/documents/*']] },
            { 'Fn::Join': ['', [bucketArn, '/incoming/*']] },
          ],
        },
        expect.objectContaining({
          Sid: 'ListDocuments',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: bucketArn,
        }),
      ]),
    );
    expect(JSON.stringify(statementsOf(fn.role))).not.toContain('DeleteObjectVersion');
  });

  it('document (the staff download): GetObject under documents/ only', () => {
    const fn = stack.functions.get('document');
    if (!fn) throw new Error('no document');
    const documents = statementsOf(fn.role).filter((s) => s.Sid === 'Documents');
    expect(documents).toEqual([
      expect.objectContaining({
        Action: 's3:GetObject',
        Resource: {
          'Fn::Join': ['', [{ 'Fn::GetAtt': [idOf(stack, stack.documents.bucket), 'Arn'] }, '/documents/*']],
        },
      }),
    ]);
  });

  it('leaves cdk-nag (AWS Solutions) with no unacknowledged finding', () => {
    expect(nagViolations).toEqual([]);
  });
});

function lifecycleRule(resource: { Properties: Json }, id: string): Json {
  const rules = (resource.Properties.LifecycleConfiguration as { Rules: Json[] }).Rules;
  const rule = rules.find((r) => r.Id === id);
  if (!rule) throw new Error(`no lifecycle rule ${id}`);
  return rule;
}

/** The statements of the inline policies attached to `role`. */
function statementsOf(role: IConstruct): Json[] {
  const roleId = idOf(stack, role);
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => {
    const props = policy.Properties as { Roles: { Ref: string }[]; PolicyDocument: { Statement: Json[] } };
    return props.Roles.some((r) => r.Ref === roleId) ? props.PolicyDocument.Statement : [];
  });
}
