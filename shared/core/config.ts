/**
 * Configuration pieces shared by handlers. Each handler reads what it needs once, at module load,
 * through these functions, so a missing or malformed variable fails the first invocation with its name.
 */

import { type Env, emailEnv, intEnv, requireEnv, urlEnv } from './env.ts';
import { ConfigError } from './errors.ts';
import { fieldOf, isRecord } from './guards.ts';
import { DEFAULT_SES_MAX_SEND_RATE } from './mail/send-rate.ts';

export const readTableName = (env: Env = process.env) => requireEnv('TABLE_NAME', env);
export const readMailFrom = (env: Env = process.env) => emailEnv('MAIL_FROM', env);
/**
 * SES_CONFIGURATION_SET: the configuration set every email names (bounce, complaint and reject events
 * to EventBridge, per-set reputation metrics). Optional: the stack also makes it the domain identity's
 * default set, so mail sent without it is still tracked; the local SES stand-in ignores it.
 */
export const readConfigurationSet = (env: Env = process.env): string | undefined =>
  env.SES_CONFIGURATION_SET?.trim() || undefined;
/**
 * SES_MAX_SEND_RATE: the account's SES send rate in emails a second (sesMaxSendRate; SES's quota page
 * shows it), shared by every function that mails (shared/core/mail/send-rate.ts). At least 1.
 */
export function readSesMaxSendRate(env: Env = process.env): number {
  const rate = intEnv('SES_MAX_SEND_RATE', DEFAULT_SES_MAX_SEND_RATE, env);
  if (rate < 1) {
    throw new ConfigError(
      `Environment variable SES_MAX_SEND_RATE must be at least 1 email a second, got "${rate}"`,
    );
  }
  return rate;
}
/** Where emailed links point: the API Gateway stage URL or a custom domain (no trailing slash). */
export const readPublicBaseUrl = (env: Env = process.env) => urlEnv('PUBLIC_BASE_URL', env);

/** STATE_MACHINE_ARN: the software-request machine that submit-request and recover-requests start. */
export function readStateMachineArn(env: Env = process.env, name = 'STATE_MACHINE_ARN'): string {
  const arn = requireEnv(name, env);
  if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/.test(arn)) {
    throw new ConfigError(`Environment variable ${name} must be a state machine ARN, got "${arn}"`);
  }
  return arn;
}

/** STEWARDSHIP_STATE_MACHINE_ARN: the resource-stewardship machine (deletions, incident reviews). */
export const readStewardshipStateMachineArn = (env: Env = process.env) =>
  readStateMachineArn(env, 'STEWARDSHIP_STATE_MACHINE_ARN');

/**
 * SCHEDULER_DLQ_ARN: the SQS queue EventBridge Scheduler sends a schedule's event to when it cannot
 * deliver it (DeadLetterConfig on every schedule target; CDK sets it with the grant, the local runtime
 * gives a local ARN). Required: no schedule is created without somewhere for a lost event to go.
 */
export function readSchedulerDeadLetterArn(env: Env = process.env): string {
  const value = requireEnv('SCHEDULER_DLQ_ARN', env);
  if (!/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(value)) {
    throw new ConfigError(`Environment variable SCHEDULER_DLQ_ARN must be an SQS queue ARN, got "${value}"`);
  }
  return value;
}

/**
 * The `context` object of cdk.json's text (empty when it has none): the district's settings, which
 * CDK, the local runtime, the limits script and the benchmarks all read.
 */
export function cdkContextOf(cdkJsonText: string): Record<string, unknown> {
  const context = fieldOf(JSON.parse(cdkJsonText), 'context');
  return isRecord(context) ? context : {};
}
