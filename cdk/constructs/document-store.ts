/**
 * The evidence documents' bucket (signed DPAs, privacy-policy snapshots, deletion certificates;
 * shared/evidence): private, TLS-only, versioned, kept when the stack goes, and emptied by age alone:
 * each document is deleted `retentionYears` after it was stored (a replaced or removed one,
 * `retentionYears` after that). Browser uploads land under `incoming/` and are gone after a day unless
 * a handler accepted them (copied them out). Reads are logged to a second bucket, as S3 server access
 * logs: who downloaded which DPA is part of the evidence.
 */
import { CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type LifecycleRule,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Browser uploads not yet accepted (shared/evidence: the handler that accepts one moves it out). */
export const INCOMING_PREFIX = 'incoming/';

/**
 * When documents move to cheaper storage. S3 lets nothing reach Standard-IA before 30 days; by then a
 * request's reviewers have read its documents, and later reads are rare (an audit, the yearly
 * renewal). After a year, Glacier Instant Retrieval: still read in milliseconds, so a presigned
 * download works at once (Glacier Flexible Retrieval would need a restore first), at a third of
 * Standard-IA's storage price; its 90-day minimum is nothing next to years of retention.
 */
export const DOCUMENT_TRANSITIONS = [
  { storageClass: StorageClass.INFREQUENT_ACCESS, afterDays: 30 },
  { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, afterDays: 365 },
] as const;

/** Days in `years`, leap days included (7 years: 2,557 days, as CloudWatch Logs counts them). */
export const retentionDays = (years: number) => Math.ceil(years * 365.25);

/** What a function may do with the documents (DistrictFunction.bindDocuments). */
export type DocumentAccess = 'read' | 'put' | 'delete';

/** The S3 actions behind each access, exactly the commands shared/evidence/document-store.ts sends. */
export const DOCUMENT_ACTIONS: Record<DocumentAccess, readonly string[]> = {
  // GetObject (read) and HeadObject (sizeOf) both need s3:GetObject; a presigned GET is signed as the role.
  read: ['s3:GetObject'],
  // PutObject (put), and the browser's POST, which S3 authorises as the role that signed its policy.
  put: ['s3:PutObject'],
  // DeleteObject on a versioned bucket only adds a delete marker: no s3:DeleteObjectVersion, so no
  // function can destroy evidence before the retention rule does.
  delete: ['s3:DeleteObject'],
};

export interface DocumentStoreProps {
  /** cdk.json `documentRetentionYears` (cdk/config.ts: 2-100, default 7). */
  retentionYears: number;
}

export class DocumentStore extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: DocumentStoreProps) {
    super(scope, id);
    const days = retentionDays(props.retentionYears);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // S3 delivers server access logs only to a bucket encrypted with S3-managed keys.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // The record of who read the evidence lives as long as the evidence.
      lifecycleRules: [{ id: 'AccessLogRetention', expiration: Duration.days(days) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the evidence bucket; logging its own access would log the log deliveries themselves, without end.',
    });
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // S3-managed keys: encrypted at rest at no cost. A KMS key would add $1 a month and a KMS call
      // per read and write, and protect against no reader the bucket policy and IAM do not already stop.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // A replaced or removed document stays as a noncurrent version until the retention rule ends it.
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'documents/',
      lifecycleRules: documentLifecycle(days),
      // Evidence outlives the stack, like the table: a stack deletion must never take it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * `access` on the documents under `prefixes` (default: all) for `role`, plus s3:ListBucket so that a
   * missing document reads as 404 (without it S3 answers 403, and sizeOf/read could not tell "none").
   */
  grant(role: Role, access: readonly DocumentAccess[], prefixes: readonly string[] = ['']): void {
    const objects = prefixes.map((prefix) => this.bucket.arnForObjects(`${prefix}*`));
    const actions = [...new Set(access.flatMap((a) => DOCUMENT_ACTIONS[a]))];
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'Documents', actions, resources: objects }));
    if (access.includes('read')) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'ListDocuments',
          actions: ['s3:ListBucket'],
          resources: [this.bucket.bucketArn],
        }),
      );
    }
    const bucket = logicalIdOf(this.bucket.node.defaultChild);
    for (const prefix of prefixes) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/${prefix}*]`,
        reason: `Documents are keyed at run time by request id and kind (shared/evidence), so the grant covers the objects under "${prefix}" in the evidence bucket only, with exactly the actions ${actions.join(', ')} (no s3:DeleteObjectVersion: versions end only by the retention rule).`,
      });
    }
  }
}

function documentLifecycle(days: number): LifecycleRule[] {
  const transitions = DOCUMENT_TRANSITIONS.map((t) => ({
    storageClass: t.storageClass,
    transitionAfter: Duration.days(t.afterDays),
  }));
  return [
    {
      id: 'Retention',
      transitions,
      expiration: Duration.days(days),
      noncurrentVersionTransitions: transitions,
      noncurrentVersionExpiration: Duration.days(days),
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    },
    {
      id: 'IncomingUploads',
      prefix: INCOMING_PREFIX,
      expiration: Duration.days(1),
      noncurrentVersionExpiration: Duration.days(1),
    },
    // Once every version of a key has expired, its delete marker is all that is left: remove it too.
    { id: 'ExpiredDeleteMarkers', expiredObjectDeleteMarker: true },
  ];
}

/** The CloudFormation logical id of a resource, as cdk-nag spells it in finding ids. */
function logicalIdOf(element: unknown): string {
  if (!CfnElement.isCfnElement(element)) throw new Error('Expected a CloudFormation resource');
  const id = Stack.of(element).resolve(element.logicalId);
  if (typeof id !== 'string') throw new Error('Expected a literal logical id');
  return id;
}
