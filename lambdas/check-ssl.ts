/**
 * SOP 5 (and SOP 17's annual re-test): start or poll the Qualys SSL Labs server test of the
 * resource's website. The state machine calls it first without `startedAt` (start), then, while
 * `finished` is false, Waits `nextPollSeconds` and calls again with `{ requestId, url, startedAt, polls }`.
 * While SSL Labs has no free slot (issue 22) it answers `slotWait`: the state machine Waits its
 * `waitSeconds` and starts again with `{ requestId, websites, slotWait }`.
 *
 * Env: TABLE_NAME, SSLLABS_EMAIL (registered organisation email), SSLLABS_API_BASE (optional,
 * default https://api.ssllabs.com/api/v4), SSL_MAX_WAIT_SECONDS (optional, default 3600).
 * IAM: dynamodb:GetItem, dynamodb:UpdateItem, dynamodb:PutItem on the table; outbound HTTPS.
 */
import { readTableName } from '#shared/core/config.ts';
import { type Env, emailEnv, httpUrlEnv, intEnv } from '#shared/core/env.ts';
import { ConfigError } from '#shared/core/errors.ts';
import { workflowStep } from '#shared/core/lambda.ts';
import { logger } from '#shared/core/logger.ts';
import { now, store } from '#shared/deps.ts';
import { runSslScanStep, type SslScanDeps } from '#shared/vetting/ssl/scan.ts';
import { sslSlotsIn } from '#shared/vetting/ssl/slot-store.ts';
import { DEFAULT_SSLLABS_API_BASE, SslLabsClient } from '#shared/vetting/ssl/ssllabs-client.ts';
import type { CheckSslOutput } from '#shared/workflow/payloads.ts';
import { type CheckSslRequest, checkSslInputSchema } from '#shared/workflow/ssl-scan-input.ts';

export interface CheckSslConfig {
  tableName: string;
  ssllabsApiBase: string;
  ssllabsEmail: string;
  maxWaitSeconds: number;
}

export function readCheckSslConfig(env: Env = process.env): CheckSslConfig {
  const ssllabsApiBase = httpUrlEnv('SSLLABS_API_BASE', env, DEFAULT_SSLLABS_API_BASE);
  const maxWaitSeconds = intEnv('SSL_MAX_WAIT_SECONDS', 3600, env);
  if (maxWaitSeconds < 1)
    throw new ConfigError('Environment variable SSL_MAX_WAIT_SECONDS must be at least 1');
  return {
    tableName: readTableName(env),
    ssllabsApiBase,
    ssllabsEmail: emailEnv('SSLLABS_EMAIL', env),
    maxWaitSeconds,
  };
}

/** One start or poll of the scan, logged. */
async function checkSslStep(input: CheckSslRequest, deps: SslScanDeps): Promise<CheckSslOutput> {
  const output = await runSslScanStep(input, deps);
  logger.info('SSL Labs scan step', {
    sopStep: 5,
    finished: output.finished,
    passed: output.passed,
    grade: output.grade,
    polls: output.polls,
    nextPollSeconds: output.nextPollSeconds,
    ...(output.slotWait ? { slotWaits: output.slotWait.waits } : {}),
  });
  return output;
}

const step = workflowStep(checkSslInputSchema, checkSslStep, (): SslScanDeps => {
  const config = readCheckSslConfig();
  return {
    ssllabs: new SslLabsClient({ baseUrl: config.ssllabsApiBase, email: config.ssllabsEmail }),
    store: store(),
    now,
    maxWaitSeconds: config.maxWaitSeconds,
    // One limit on SSL Labs across every execution (issue 22): the slot pool in the table.
    slots: sslSlotsIn(store()),
  };
});

export const checkSsl = step.run;
export const handler = step.handler;
