/**
 * AWS list prices the benchmark multiplies by, in one place: us-east-1, on-demand, no free tier.
 * Source: the AWS pricing pages of each service (aws.amazon.com/<service>/pricing), as published in
 * 2025 (DynamoDB on-demand after its November 2024 reduction); checked 2026-11-30. Update the
 * numbers and the date together.
 */
export const PRICES_CHECKED_ON = '2026-11-30';

export const PRICES_USD = {
  /** Step Functions Standard: per state transition ($0.025 per 1,000). */
  stepFunctionsTransition: 0.025 / 1000,
  /** Lambda arm64: per GB-second and per request ($0.20 per million). */
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** DynamoDB on-demand: per write request unit ($0.625 per million) and read request unit ($0.125). */
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  /** SES: per email sent ($0.10 per 1,000). */
  sesEmail: 0.1 / 1000,
  /** API Gateway REST API: per request ($3.50 per million, first 333 million). */
  apiGatewayRestRequest: 3.5 / 1e6,
  /** CloudWatch Logs: per GB ingested (standard class). */
  logsIngestedGb: 0.5,
  /** EventBridge Scheduler: per invocation ($1.00 per million). */
  schedulerInvocation: 1 / 1e6,
  /** EventBridge custom events: per event ($1.00 per million). */
  eventBridgeEvent: 1 / 1e6,
  /**
   * Fixed, per month: CloudWatch standard alarm (per metric), custom metric (a log metric filter's),
   * dashboard (the first 3 of an account are free: CloudWatch's always-free tier), KMS customer key,
   * Secrets Manager secret (the session key). The Cognito user pool (Essentials) is free up to 10,000
   * monthly active users, which a district's staff stay below.
   */
  alarmMetricMonth: 0.1,
  customMetricMonth: 0.3,
  dashboardMonth: 3,
  kmsKeyMonth: 1,
  secretMonth: 0.4,
  /**
   * S3 (the evidence documents), from the "Amazon S3 pricing" page (aws.amazon.com/s3/pricing):
   * "Storage" tab, per GB-month for the first 50 TB: S3 Standard $0.023, S3 Standard-Infrequent Access
   * $0.0125, S3 Glacier Instant Retrieval $0.004; "Requests & data retrievals" tab: PUT/COPY/POST $0.005
   * per 1,000, lifecycle transitions into Standard-IA $0.01 and into Glacier Instant Retrieval $0.02 per
   * 1,000, retrievals $0.01 per GB (Standard-IA) and $0.03 per GB (Glacier Instant Retrieval). These are
   * the 2025 list prices; they were not re-read on the date above (no network where they were added).
   */
  s3StandardGbMonth: 0.023,
  s3StandardIaGbMonth: 0.0125,
  s3GlacierIrGbMonth: 0.004,
  s3PutRequest: 0.005 / 1000,
  s3TransitionToStandardIa: 0.01 / 1000,
  s3TransitionToGlacierIr: 0.02 / 1000,
  s3StandardIaRetrievalGb: 0.01,
  s3GlacierIrRetrievalGb: 0.03,
} as const;
