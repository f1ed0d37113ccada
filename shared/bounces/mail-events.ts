/**
 * What SES reports about the district's emails after it accepted them, as EventBridge delivers it
 * from the configuration set (cdk/constructs/mail-reputation.ts): source `aws.ses`, detail-type
 * "Email Bounced", "Email Complaint Received", "Email Rejected" or "Email Delivery Delayed", and the
 * SES event record as `detail` (eventType, mail with its messageId and tags, and bounce / complaint /
 * reject / deliveryDelay).
 *
 * A permanent bounce or a complaint puts the address on the suppression list (the mailer no longer
 * sends to it) and, when the email carried a request id tag, leaves an audit event on the request
 * that the request's task pages show: a vendor address typed by a teacher that does not exist is then
 * seen by Cybersecurity instead of being a DPA wait that silently times out. A transient bounce, a
 * rejection and a delivery delay are audited only.
 */
import * as z from 'zod/mini';
import { logger } from '../core/logger.ts';
import {
  MAIL_AUDIT_TYPES,
  MAIL_TAG_NAMES,
  normaliseAddress,
  type UndeliverableAddress,
} from '../core/mail/undeliverable.ts';
import type { RequestStore } from '../requests/index.ts';
import type { BounceStore } from './store.ts';

/** The EventBridge detail-types of SES events, by SES eventType (the rule in cdk/ matches these). */
export const SES_EVENT_DETAIL_TYPES = {
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Reject: 'Email Rejected',
  DeliveryDelay: 'Email Delivery Delayed',
} as const;

const recipientSchema = z.looseObject({
  emailAddress: z.string(),
  status: z.optional(z.string()),
  diagnosticCode: z.optional(z.string()),
});

const sesRecordSchema = z.looseObject({
  eventType: z.string(),
  mail: z.looseObject({
    messageId: z.string(),
    timestamp: z.string(),
    destination: z.array(z.string()),
    tags: z.optional(z.record(z.string(), z.array(z.string()))),
  }),
  bounce: z.optional(
    z.looseObject({
      bounceType: z.string(),
      bounceSubType: z.optional(z.string()),
      bouncedRecipients: z.array(recipientSchema),
      timestamp: z.string(),
    }),
  ),
  complaint: z.optional(
    z.looseObject({
      complainedRecipients: z.array(z.looseObject({ emailAddress: z.string() })),
      timestamp: z.string(),
      complaintFeedbackType: z.optional(z.string()),
    }),
  ),
  reject: z.optional(z.looseObject({ reason: z.optional(z.string()) })),
  deliveryDelay: z.optional(
    z.looseObject({
      delayType: z.optional(z.string()),
      delayedRecipients: z.array(recipientSchema),
      timestamp: z.string(),
      expirationTime: z.optional(z.string()),
    }),
  ),
});

/** The EventBridge event the rule delivers (only `detail` is read). */
export const sesMailEventSchema = z.looseObject({
  source: z.literal('aws.ses', { error: 'source must be aws.ses' }),
  'detail-type': z.string(),
  detail: sesRecordSchema,
});
export type SesMailEvent = z.output<typeof sesMailEventSchema>;

export interface RecordMailEventDeps {
  bounces: Pick<BounceStore, 'suppress' | 'mailEventSeen' | 'markMailEventSeen'>;
  store: Pick<RequestStore, 'getRequest' | 'appendAudit'>;
}

export interface MailEventOutcome {
  eventType: string;
  /** Recipients put on the suppression list. */
  suppressed: number;
  /** Audit events written (none when the email named no request, or the event was seen before). */
  audited: number;
}

/** One finding of the event about one recipient. */
interface Finding {
  address: string;
  auditType: string;
  summary: string;
  suppress?: UndeliverableAddress;
  detail: Record<string, unknown>;
}

const firstTag = (tags: Record<string, string[]> | undefined, name: string) => tags?.[name]?.[0];

/** Records one SES event: the suppression list, then an audit event per recipient, then the marker. */
export async function recordMailEvent(
  event: SesMailEvent,
  deps: RecordMailEventDeps,
): Promise<MailEventOutcome> {
  const record = event.detail;
  const { messageId } = record.mail;
  const requestId = firstTag(record.mail.tags, MAIL_TAG_NAMES.requestId);
  const kind = firstTag(record.mail.tags, MAIL_TAG_NAMES.kind);
  const findings = findingsOf(record, { requestId, kind });
  const request = requestId ? await deps.store.getRequest(requestId) : undefined;
  if (requestId && !request) logger.warn('Mail event names an unknown request', { requestId, kind });
  const outcome: MailEventOutcome = { eventType: record.eventType, suppressed: 0, audited: 0 };
  for (const finding of findings) {
    if (await deps.bounces.mailEventSeen(finding.address, messageId, record.eventType)) continue;
    if (finding.suppress) {
      await deps.bounces.suppress(finding.suppress);
      outcome.suppressed++;
    }
    if (request) {
      await deps.store.appendAudit({
        requestId: request.requestId,
        sopStep: request.currentStep,
        type: finding.auditType,
        summary: finding.summary,
        actor: 'Amazon SES (mail delivery report)',
        detail: { ...finding.detail, address: finding.address, messageId, ...(kind ? { kind } : {}) },
      });
      outcome.audited++;
    }
    await deps.bounces.markMailEventSeen(finding.address, messageId, record.eventType);
  }
  logger.info('Mail event recorded', { ...outcome, kind, requestId });
  return outcome;
}

type SesRecord = SesMailEvent['detail'];
type About = { requestId?: string; kind?: string };

/** What the event says about each recipient, by SES event type. */
function findingsOf(
  record: SesRecord,
  tags: { requestId?: string | undefined; kind?: string | undefined },
): Finding[] {
  const about: About = {
    ...(tags.requestId ? { requestId: tags.requestId } : {}),
    ...(tags.kind ? { kind: tags.kind } : {}),
  };
  const what = tags.kind ? `The ${tags.kind.replace(/-/g, ' ')} email` : 'An email';
  if (record.eventType === 'Bounce' && record.bounce)
    return bounceFindings(record, record.bounce, about, what);
  if (record.eventType === 'Complaint' && record.complaint) {
    return complaintFindings(record, record.complaint, about, what);
  }
  if (record.eventType === 'DeliveryDelay' && record.deliveryDelay)
    return delayFindings(record.deliveryDelay, what);
  if (record.eventType === 'Reject') return rejectFindings(record, what);
  logger.warn('Mail event not recorded', { eventType: record.eventType });
  return [];
}

/** A permanent bounce suppresses the address; a transient one (a full mailbox) is only told. */
function bounceFindings(
  record: SesRecord,
  bounce: NonNullable<SesRecord['bounce']>,
  about: About,
  what: string,
): Finding[] {
  const { bounceType, bounceSubType, timestamp } = bounce;
  const permanent = bounceType === 'Permanent';
  return bounce.bouncedRecipients.map((r) => {
    const address = normaliseAddress(r.emailAddress);
    const facts = {
      bounceType,
      ...(bounceSubType ? { bounceSubType } : {}),
      ...(r.diagnosticCode ? { diagnostic: r.diagnosticCode } : {}),
    };
    return {
      address,
      auditType: MAIL_AUDIT_TYPES.bounced,
      summary: permanent
        ? `${what} to ${address} bounced: the address does not accept mail (no more email is sent to it)`
        : `${what} to ${address} bounced for now (${bounceSubType ?? bounceType}): SES gave up delivering it`,
      detail: { reason: 'bounce', ...facts, reportedAt: timestamp, suppressed: permanent },
      ...(permanent
        ? {
            suppress: {
              address,
              reason: 'bounce' as const,
              ...facts,
              messageId: record.mail.messageId,
              at: timestamp,
              ...about,
            },
          }
        : {}),
    };
  });
}

function complaintFindings(
  record: SesRecord,
  complaint: NonNullable<SesRecord['complaint']>,
  about: About,
  what: string,
): Finding[] {
  const { timestamp, complaintFeedbackType } = complaint;
  return complaint.complainedRecipients.map((r) => {
    const address = normaliseAddress(r.emailAddress);
    return {
      address,
      auditType: MAIL_AUDIT_TYPES.complained,
      summary: `${address} marked ${what.toLowerCase()} as spam (no more email is sent to it)`,
      detail: {
        reason: 'complaint',
        ...(complaintFeedbackType ? { feedbackType: complaintFeedbackType } : {}),
        reportedAt: timestamp,
        suppressed: true,
      },
      suppress: {
        address,
        reason: 'complaint' as const,
        messageId: record.mail.messageId,
        at: timestamp,
        ...about,
      },
    };
  });
}

function delayFindings(delay: NonNullable<SesRecord['deliveryDelay']>, what: string): Finding[] {
  const { delayType, timestamp, expirationTime } = delay;
  return delay.delayedRecipients.map((r) => {
    const address = normaliseAddress(r.emailAddress);
    return {
      address,
      auditType: MAIL_AUDIT_TYPES.delayed,
      summary: `${what} to ${address} is delayed (${delayType ?? 'delivery delay'}); SES keeps trying`,
      detail: {
        reason: 'delay',
        ...(delayType ? { delayType } : {}),
        ...(expirationTime ? { givesUpAt: expirationTime } : {}),
        reportedAt: timestamp,
        suppressed: false,
      },
    };
  });
}

/** SES refused the email itself (its virus scan): every recipient is told about, none suppressed. */
function rejectFindings(record: SesRecord, what: string): Finding[] {
  const reason = record.reject?.reason;
  return record.mail.destination.map((to) => {
    const address = normaliseAddress(to);
    return {
      address,
      auditType: MAIL_AUDIT_TYPES.rejected,
      summary: `${what} to ${address} was rejected by SES (${reason ?? 'no reason given'}) and not sent`,
      detail: { reason: 'reject', ...(reason ? { rejectReason: reason } : {}), suppressed: false },
    };
  });
}
