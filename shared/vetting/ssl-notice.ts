/**
 * SOP 5: "If substandard grade is scored, cybersecurity team will notify vendor to improve SSL Grade."
 * A scan that failed (a grade below A, or no grade at all after check-ssl's automatic retries) opens
 * or continues the SSL remediation of this execution: the vendor contact is emailed (Cybersecurity in
 * copy and as reply-to) each website's grade per endpoint or its error, and what to fix; the state
 * machine then gives Cybersecurity an `ssl-remediation` task (re-test or deny).
 *
 * Remediation is bounded (SOP 6 denies at the end): at most MAX_SSL_RETESTS re-tests and a window
 * of SSL_REMEDIATION_WINDOW_DAYS from the first notice, both counted per execution (the vetting of a
 * request with all its replacement rounds, or one annual renewal). When either is used up the vendor
 * is not asked again: the output says `open: false` with the reason, and the state machine denies.
 *
 * The notice goes through the outbox (docs/design.md "Outbox") under `ssl-notice#<execution>#<scan
 * start>`: a retried step finds it, the next failed scan is a new notice.
 *
 * Env: TABLE_NAME, MAIL_FROM, TEAM_EMAILS, SSL_REMEDIATION_WINDOW_DAYS (optional, 1-30, default 30).
 * IAM: dynamodb:GetItem, dynamodb:UpdateItem, dynamodb:PutItem on the table; ses:SendEmail.
 */

import { randomUUID } from 'node:crypto';
import { retryAfterEmail } from '../core/aws/transient.ts';
import { logger } from '../core/logger.ts';
import type { Mailer } from '../core/mail/mailer.ts';
import { type SendOnceDeps, sendOnce } from '../core/mail/send-once.ts';
import { hostnameOf } from '../core/text/hostname.ts';
import type { RequestStore } from '../requests/index.ts';
import type { RequestRecord, SslRemediationRecord } from '../workflow/index.ts';
import { MAX_SSL_RETESTS, type NotifyVendorSslInput, type NotifyVendorSslOutput } from '../workflow/index.ts';
import { renderSslNoticeEmail } from './vendor-emails.ts';

export const SSL_SOP_STEP = 5;
export const RENEWAL_SOP_STEP = 17;

export const DEFAULT_REMEDIATION_WINDOW_DAYS = 30;
/** The largest window the configuration accepts (scripts/aws-limits.ts counts it once per execution). */
export const MAX_REMEDIATION_WINDOW_DAYS = 30;
/**
 * One ssl-remediation task waits at most this long (21 days, like the other vendor-facing steps),
 * and never past the window: a longer Node timer would overflow on the local engine (24.8 days).
 */
export const MAX_REMEDIATION_WAIT_SECONDS = 21 * 86_400;
const DAY_MS = 86_400_000;
/** The current activity while the vendor remediates (after "W" or "Annual renewal: w"). */
const SSL_REMEDIATION_WAITING = 'aiting for the vendor to improve the SSL grade';
/** The denial reasons in the state: at most this long (the registry and the emails show them). */
const MAX_REASON = 1000;
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export interface NotifyVendorSslConfig {
  tableName: string;
  mailFrom: string;
  cybersecurityEmail: string;
  remediationWindowDays: number;
}

export interface NotifyVendorSslDeps {
  store: Pick<RequestStore, 'requireRequest' | 'appendAudit' | 'setRequestSecurity' | 'updateRequest'> &
    SendOnceDeps['outbox'];
  mailer: Mailer;
  now: () => Date;
  config: Pick<NotifyVendorSslConfig, 'cybersecurityEmail' | 'remediationWindowDays'>;
}

/**
 * The notice's outbox key: one per execution and failed scan. Without them (an invocation outside the
 * state machine) nothing can find it again: a key of its own.
 */
export function sslNoticeEffectKey(payload: NotifyVendorSslInput): string {
  if (!payload.executionId || !payload.scanStartedAt) return `ssl-notice#${randomUUID()}`;
  return `ssl-notice#${payload.executionId}#${payload.scanStartedAt}`;
}

/** The websites scanned, and the one name the notice gives them (the only host, or the resource's). */
function websitesOf(request: RequestRecord) {
  const hosts = request.security?.ssl?.hosts ?? [];
  const hostname = hosts.length === 1 ? hosts[0]?.host : hostnameOf(request.resource.url);
  return { hosts, hostname };
}

/** The vendor's notice, once per execution and failed scan (the outbox). */
async function sendNotice(
  payload: NotifyVendorSslInput,
  request: RequestRecord,
  scan: { grade: string | undefined; retests: number; remediation: SslRemediationRecord },
  deps: NotifyVendorSslDeps,
): Promise<void> {
  const ssl = request.security?.ssl;
  const { hosts, hostname } = websitesOf(request);
  await sendOnce(
    { outbox: deps.store, mailer: deps.mailer, now: deps.now },
    payload.requestId,
    sslNoticeEffectKey(payload),
    renderSslNoticeEmail({
      requestId: payload.requestId,
      vendorContactEmail: payload.vendorContactEmail,
      cybersecurityEmail: deps.config.cybersecurityEmail,
      resourceName: request.resource.name,
      vendorName: request.resource.vendorName,
      ...(hostname ? { hostname } : {}),
      ...(scan.grade ? { grade: scan.grade } : {}),
      endpoints: ssl?.endpoints ?? [],
      hosts,
      reason: payload.reason,
      renewal: request.status === 'APPROVED',
      retests: scan.retests,
      maxRetests: MAX_SSL_RETESTS,
      windowEndsAt: scan.remediation.windowEndsAt,
    }),
  );
}

/** "B, no grade, B": what the vendor's websites scored at each failed scan. */
const gradesSeen = (r: SslRemediationRecord) => r.grades.join(', ');

/** `payload` was parsed by workflowStep with notifyVendorSslInputSchema (shared/workflow/step-inputs.ts). */
export async function notifyVendorSsl(
  payload: NotifyVendorSslInput,
  deps: NotifyVendorSslDeps,
): Promise<NotifyVendorSslOutput> {
  const { requestId } = payload;
  const request = await deps.store.requireRequest(requestId);
  const grade = payload.grade ?? request.security?.ssl?.grade;
  const { hosts, hostname } = websitesOf(request);
  const renewal = request.status === 'APPROVED';
  const now = deps.now();
  const days = deps.config.remediationWindowDays;
  const { remediation, repeated } = countScan(request, payload, grade, now, days);
  const verdict = judge(remediation, now, days, payload.reason);
  const { open, retests, windowDay } = verdict;

  if (open && !repeated) await sendNotice(payload, request, { grade, retests, remediation }, deps);
  // Retried here: failed, the step's retry would find the notice sent and this write missing.
  await retryAfterEmail(() => deps.store.setRequestSecurity(requestId, 'sslRemediation', remediation));
  const seen = gradesSeen(remediation);
  await deps.store.updateRequest(requestId, {
    currentActivity: open
      ? `${renewal ? 'Annual renewal: w' : 'W'}${SSL_REMEDIATION_WAITING} (grades seen: ${seen}; re-tests ${retests} of ${MAX_SSL_RETESTS}; window ends ${windowDay})`
      : `${renewal ? 'Annual renewal: ' : ''}SSL remediation ended: ${verdict.closedReason}`,
  });
  const notifiedAt = now.toISOString();
  const sopStep = renewal ? RENEWAL_SOP_STEP : SSL_SOP_STEP;
  if (!repeated) {
    await deps.store.appendAudit({
      requestId,
      at: notifiedAt,
      sopStep,
      type: open ? 'VENDOR_NOTIFIED_SSL' : 'SSL_REMEDIATION_ENDED',
      summary: open
        ? `The vendor was asked to improve the SSL grade${grade ? ` (${grade})` : ' (no grade)'} to A or better (re-tests ${retests} of ${MAX_SSL_RETESTS}, window ends ${windowDay})`
        : verdict.closedReason,
      actor: 'Cybersecurity (CCS) workflow',
      detail: {
        ...(grade ? { grade } : {}),
        ...(hostname ? { host: hostname } : {}),
        hosts: hosts.map((h) => h.host),
        renewal,
        retests,
        windowEndsAt: remediation.windowEndsAt,
      },
    });
  }
  logger.info('SSL remediation', { sopStep, grade, open, retests });
  return {
    notifiedAt,
    open,
    retests,
    waitSeconds: verdict.waitSeconds,
    windowEndsAt: remediation.windowEndsAt,
    reason: clip(verdict.closedReason, MAX_REASON),
    timeoutReason: clip(verdict.timeoutReason, MAX_REASON),
  };
}

/**
 * This execution's remediation record with this scan counted. A retried notice for the same scan is
 * not a new re-test (`repeated`: it does not email twice).
 */
function countScan(
  request: RequestRecord,
  payload: { executionId?: string; scanStartedAt?: string },
  grade: string | undefined,
  now: Date,
  days: number,
): { remediation: SslRemediationRecord; repeated: boolean } {
  const executionId = payload.executionId ?? 'unknown';
  const previous = request.security?.sslRemediation;
  const remediation: SslRemediationRecord =
    previous && previous.executionId === executionId
      ? { ...previous, scans: [...previous.scans], grades: [...previous.grades] }
      : {
          executionId,
          startedAt: now.toISOString(),
          windowEndsAt: new Date(now.getTime() + days * DAY_MS).toISOString(),
          scans: [],
          grades: [],
        };
  const scanKey = payload.scanStartedAt ?? request.security?.ssl?.testedAt ?? now.toISOString();
  const repeated = remediation.scans.includes(scanKey);
  if (!repeated) {
    remediation.scans.push(scanKey);
    remediation.grades.push(grade ?? 'no grade');
  }
  return { remediation, repeated };
}

/** Whether the remediation stays open (re-tests and window left), how long the task waits, and why it ends. */
function judge(remediation: SslRemediationRecord, now: Date, days: number, reason: string) {
  const retests = remediation.scans.length - 1;
  const windowDay = remediation.windowEndsAt.slice(0, 10);
  const leftSeconds = Math.floor((new Date(remediation.windowEndsAt).getTime() - now.getTime()) / 1000);
  const windowMissed = `The vendor did not bring the SSL grade to A within the ${days}-day remediation window (ended ${windowDay}; grades seen: ${gradesSeen(remediation)})`;
  let closedReason = '';
  if (retests >= MAX_SSL_RETESTS) {
    closedReason = `The SSL grade still fails after ${MAX_SSL_RETESTS} re-tests (grades seen: ${gradesSeen(remediation)}): ${reason}`;
  } else if (leftSeconds <= 0) {
    closedReason = `${windowMissed}: ${reason}`;
  }
  const open = closedReason === '';
  return {
    open,
    retests,
    windowDay,
    closedReason,
    waitSeconds: open ? Math.max(1, Math.min(MAX_REMEDIATION_WAIT_SECONDS, leftSeconds)) : 1,
    // Kept short: the state carries both reasons (256 KB cap); the record and audit keep the details.
    timeoutReason:
      leftSeconds <= MAX_REMEDIATION_WAIT_SECONDS
        ? windowMissed
        : 'Cybersecurity did not ask for an SSL re-test or deny within 21 days of the vendor notice',
  };
}
