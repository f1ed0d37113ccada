/**
 * Scheduled every `policyCheckDays` (issue 22 item 1): fetches every Approved resource's reviewed
 * privacy policy pages and compares them with the kept snapshot, normalised; a material change, or a
 * page that cannot be fetched three times running, starts a resource-watch execution that opens the
 * `policy-change` task (shared/watch/policy-watch.ts).
 *
 * Env: TABLE_NAME, DOCUMENTS_BUCKET, WATCH_STATE_MACHINE_ARN (and, locally only, VENDOR_WEB_STAND_IN).
 * IAM: the table (shared/core/store/access.ts); s3:GetObject, s3:PutObject on documents/;
 * states:StartExecution on the resource-watch machine. Outbound HTTPS to vendors.
 */
import { unparsedPayload, workflowStep } from '#shared/core/lambda.ts';
import { policyWatchDeps } from '#shared/deps.ts';
import { type PolicyWatchDeps, watchPolicies } from '#shared/watch/policy-watch.ts';

const step = workflowStep(
  unparsedPayload,
  (_event: unknown, deps: PolicyWatchDeps) => watchPolicies(deps),
  policyWatchDeps,
);

export const watch = step.run;
export const handler = step.handler;
