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
} as const;
