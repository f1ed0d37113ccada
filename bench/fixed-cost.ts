/**
 * The fixed monthly cost of a deployment, read from the synthesized template (no bundling): CloudWatch
 * alarms (per metric they evaluate), dashboards, KMS keys and Secrets Manager secrets. Everything else
 * is paid per use (the Cognito user pool is free below 10,000 monthly active users).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as z from 'zod/mini';
import { buildApp } from '../cdk/app.ts';
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
  const context = cdkContextOf(readFileSync(join(import.meta.dirname, '..', 'cdk.json'), 'utf8'));
  // cdk.json's example district (placeholder domains): allowed here, refused by a real deploy.
  const { stack } = buildApp({
    context: { ...context, allowPlaceholderDomains: true, 'aws:cdk:bundling-stacks': [] },
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
