/**
 * The fixed monthly cost of a deployment, read from the synthesized template (no bundling): CloudWatch
 * alarms (per metric they evaluate), dashboards, KMS keys and Secrets Manager secrets. Everything else
 * is paid per use (the Cognito user pool is free below 10,000 monthly active users; the evidence
 * bucket costs nothing empty). What the evidence documents cost grows with the requests and the years
 * kept: documentStorageMonthlyCost.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as z from 'zod/mini';
import { buildApp } from '../cdk/app.ts';
import { parseConfig } from '../cdk/config.ts';
import { DOCUMENT_TRANSITIONS } from '../cdk/constructs/document-store.ts';
import { cdkContextOf } from '../shared/core/config.ts';
import { PRICES_USD } from './prices.ts';

export interface FixedCost {
  alarms: number;
  alarmMetrics: number;
  customMetrics: number;
  dashboards: number;
  kmsKeys: number;
  secrets: number;
  perMonthUsd: number;
  /** The same, with the dashboards inside CloudWatch's always-free three. */
  perMonthUsdWithFreeDashboards: number;
}

/** What the count reads of the template: each resource's type, an alarm's metrics, a metric filter's. */
const templateSchema = z.object({
  Resources: z.record(
    z.string(),
    z.object({
      Type: z.string(),
      Properties: z.optional(
        z.object({
          Metrics: z.optional(z.array(z.object({ MetricStat: z.optional(z.unknown()) }))),
          MetricTransformations: z.optional(
            z.array(z.object({ MetricNamespace: z.string(), MetricName: z.string() })),
          ),
        }),
      ),
    }),
  ),
});

export function fixedMonthlyCost(): FixedCost {
  // cdk.json's example district (placeholder domains): allowed here, refused by a real deploy.
  const { stack } = buildApp({
    context: { ...cdkContext(), allowPlaceholderDomains: true, 'aws:cdk:bundling-stacks': [] },
  });
  const template = templateSchema.parse(Template.fromStack(stack).toJSON());
  const resources = Object.values(template.Resources);
  const alarms = resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
  // A metric-math alarm is billed per metric it reads; a plain alarm reads one.
  const alarmMetrics = alarms.reduce(
    (n, a) => n + (a.Properties?.Metrics ? a.Properties.Metrics.filter((m) => m.MetricStat).length : 1),
    0,
  );
  const customMetrics = new Set(
    resources
      .filter((r) => r.Type === 'AWS::Logs::MetricFilter')
      .flatMap((r) => r.Properties?.MetricTransformations ?? [])
      .map((t) => `${t.MetricNamespace}/${t.MetricName}`),
  ).size;
  const dashboards = resources.filter((r) => r.Type === 'AWS::CloudWatch::Dashboard').length;
  const kmsKeys = resources.filter((r) => r.Type === 'AWS::KMS::Key').length;
  const secrets = resources.filter((r) => r.Type === 'AWS::SecretsManager::Secret').length;
  const withoutDashboards =
    alarmMetrics * PRICES_USD.alarmMetricMonth +
    customMetrics * PRICES_USD.customMetricMonth +
    kmsKeys * PRICES_USD.kmsKeyMonth +
    secrets * PRICES_USD.secretMonth;
  return {
    alarms: alarms.length,
    alarmMetrics,
    customMetrics,
    dashboards,
    kmsKeys,
    secrets,
    perMonthUsd: withoutDashboards + dashboards * PRICES_USD.dashboardMonth,
    perMonthUsdWithFreeDashboards:
      withoutDashboards + Math.max(0, dashboards - 3) * PRICES_USD.dashboardMonth,
  };
}

/**
 * What the evidence documents weigh (shared/evidence). A scanned, signed DPA is about 1 MB; a
 * privacy-policy snapshot (the page as the reviewer saw it) about 0.25 MB. Each approved request
 * stores both; each yearly renewal stores both again (a renewed DPA, a new snapshot), and as in the
 * cost above there are as many renewals a year as approvals. Replaced versions are not counted.
 */
export const DOCUMENT_ASSUMPTIONS = {
  mbPerApproval: 1.25,
  mbPerRenewal: 1.25,
  documentsPerApproval: 2,
  documentsPerRenewal: 2,
  /** Each renewal reads the last DPA once (from Glacier Instant Retrieval after a year). */
  mbReadPerRenewal: 1,
} as const;

export interface DocumentStorageCost {
  requestsPerYear: number;
  retentionYears: number;
  /** Stored once the first documents reach the end of their retention (the steady state). */
  storedGb: { standard: number; standardIa: number; glacierIr: number };
  perMonthUsd: number;
}

/**
 * The evidence bucket's monthly cost in the steady state, `requestsPerYear` approvals a year: a
 * document spends its first 30 days in S3 Standard, then Standard-IA until its first year ends, then
 * Glacier Instant Retrieval until cdk.json's documentRetentionYears (cdk/constructs/document-store.ts
 * DOCUMENT_TRANSITIONS); plus the PUTs, the two transitions of each document and the renewals' reads.
 */
export function documentStorageMonthlyCost(
  requestsPerYear: number,
  retentionYears = parseConfig({ ...cdkContext(), allowPlaceholderDomains: true }).documentRetentionYears,
  assumed = DOCUMENT_ASSUMPTIONS,
): DocumentStorageCost {
  const [toIa, toGlacier] = DOCUMENT_TRANSITIONS.map((t) => t.afterDays / 365);
  if (toIa === undefined || toGlacier === undefined) throw new Error('Expected two lifecycle transitions');
  const gbPerYear = (requestsPerYear * (assumed.mbPerApproval + assumed.mbPerRenewal)) / 1024;
  const storedGb = {
    standard: gbPerYear * toIa,
    standardIa: gbPerYear * (toGlacier - toIa),
    glacierIr: gbPerYear * Math.max(0, retentionYears - toGlacier),
  };
  const storage =
    storedGb.standard * PRICES_USD.s3StandardGbMonth +
    storedGb.standardIa * PRICES_USD.s3StandardIaGbMonth +
    storedGb.glacierIr * PRICES_USD.s3GlacierIrGbMonth;
  const documentsPerYear = requestsPerYear * (assumed.documentsPerApproval + assumed.documentsPerRenewal);
  const requestsPerMonth =
    (documentsPerYear *
      (PRICES_USD.s3PutRequest + PRICES_USD.s3TransitionToStandardIa + PRICES_USD.s3TransitionToGlacierIr)) /
    12;
  const readsPerMonth =
    ((requestsPerYear * assumed.mbReadPerRenewal) / 1024 / 12) * PRICES_USD.s3GlacierIrRetrievalGb;
  return {
    requestsPerYear,
    retentionYears,
    storedGb,
    perMonthUsd: storage + requestsPerMonth + readsPerMonth,
  };
}

function cdkContext(): Record<string, unknown> {
  return cdkContextOf(readFileSync(join(import.meta.dirname, '..', 'cdk.json'), 'utf8'));
}
