/**
 * Scheduled: keeps a copy of each privacy policy page a privacy review named (SOP 4 evidence;
 * shared/evidence/policy-snapshots.ts): fetched from the vendor's public site, its text stored with its
 * SHA-256; a page that cannot be fetched is recorded with the reason.
 *
 * Env: TABLE_NAME, DOCUMENTS_BUCKET (and, locally only, VENDOR_WEB_STAND_IN: the vendors' web stand-in).
 * IAM: the table (shared/core/store/access.ts); s3:PutObject on the bucket. Outbound HTTPS to vendors.
 */
import { unparsedPayload, workflowStep } from '#shared/core/lambda.ts';
import { snapshotDeps } from '#shared/deps.ts';
import { type KeepSnapshotsDeps, keepPolicySnapshots } from '#shared/evidence/policy-snapshots.ts';

const step = workflowStep(
  unparsedPayload,
  (_event: unknown, deps: KeepSnapshotsDeps) => keepPolicySnapshots(deps),
  snapshotDeps,
);

export const keepSnapshots = step.run;
export const handler = step.handler;
