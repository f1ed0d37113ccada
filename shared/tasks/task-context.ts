/** What a task's email and page say beyond the request's facts. */

import { MAIL_AUDIT_TYPES } from '../core/mail/undeliverable.ts';
import type { RequestStore } from '../requests/index.ts';
import type { AuditEvent, TaskRecord } from '../workflow/index.ts';
import { isReroutingKind, MAX_QUESTIONS_PER_REQUEST, type TaskKind } from '../workflow/index.ts';
import type {
  PolicyChangeContext,
  QuestionContext,
  TaskContext,
  TaskDocument,
  UndeliverableEmail,
} from './emails/task-email.ts';

const decisionsOf = (events: AuditEvent[]) => events.filter((e) => e.type === 'DECISION_RECORDED');
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * Why a replacement is sought (SOP 11): the technical review's comment. A review that comes back
 * after a question (SOP 4 "work with the vendor"): the question and its answer, or that none came.
 * An incident review: its incident. All from the audit trail.
 */
export async function taskContext(
  task: Pick<TaskRecord, 'kind' | 'requestId' | 'incidentId'>,
  store: Pick<RequestStore, 'listAudit'>,
): Promise<TaskContext> {
  const { kind, requestId } = task;
  if (kind === 'answer') return {};
  const trail = await store.listAudit(requestId);
  const mail = undeliverableEmails(trail);
  const withMail = mail.length ? { undeliverable: mail } : {};
  if (kind === 'dpa-signature') return { documents: receivedDocuments(trail, 'dpa'), ...withMail };
  if (kind === 'policy-change') {
    const policyChange = lastPolicyChange(trail);
    return policyChange ? { policyChange, ...withMail } : withMail;
  }
  if (kind === 'incident-review') return { ...incidentContext(trail, task.incidentId), ...withMail };
  if (kind === 'deletion-confirmation') {
    const asked = trail.findLast((e) => e.type === 'DELETION_REQUESTED');
    return {
      documents: receivedDocuments(trail, 'deletion-certificate'),
      ...withMail,
      ...(asked ? { deletion: { requestedAt: asked.at, sentTo: text(asked.detail?.sentTo) ?? '' } } : {}),
    };
  }
  const events = decisionsOf(trail);
  if (kind === 'replacement') {
    const review = events.findLast((e) => e.detail?.kind === 'technical-review');
    const comment = text(review?.detail?.comment);
    return { ...(comment ? { replacementReason: comment } : {}), ...withMail };
  }
  const question = lastQuestion(kind, events);
  const rerouted = isReroutingKind(kind)
    ? events.find((e) => e.detail?.decision === 'reroute' && e.detail.kind !== kind)
    : undefined;
  const reroutedBecause = text(rerouted?.detail?.comment);
  return {
    ...(question ? { question } : {}),
    ...(reroutedBecause ? { reroutedBecause } : {}),
    ...withMail,
  };
}

const MAIL_WHAT: Record<string, UndeliverableEmail['what']> = {
  [MAIL_AUDIT_TYPES.bounced]: 'bounced',
  [MAIL_AUDIT_TYPES.complained]: 'complained',
  [MAIL_AUDIT_TYPES.suppressed]: 'suppressed',
  [MAIL_AUDIT_TYPES.rejected]: 'rejected',
  [MAIL_AUDIT_TYPES.delayed]: 'delayed',
};

/**
 * The request's emails that did not reach their recipient (EMAIL_BOUNCED, EMAIL_COMPLAINED,
 * EMAIL_SUPPRESSED, EMAIL_REJECTED, EMAIL_DELAYED), newest first: every team working on the request
 * sees that the vendor (or the requester) never got what the workflow is waiting for.
 */
function undeliverableEmails(trail: AuditEvent[]): UndeliverableEmail[] {
  return trail
    .flatMap((e): UndeliverableEmail[] => {
      const what = MAIL_WHAT[e.type];
      const address = text(e.detail?.address);
      if (!what || !address) return [];
      const kind = text(e.detail?.kind);
      const bounceType = text(e.detail?.bounceType);
      const diagnostic = text(e.detail?.diagnostic);
      return [
        {
          address,
          what,
          at: e.at,
          suppressed: e.detail?.suppressed === true || what === 'suppressed',
          summary: e.summary,
          ...(kind ? { kind } : {}),
          ...(bounceType ? { bounceType } : {}),
          ...(diagnostic ? { diagnostic } : {}),
        },
      ];
    })
    .reverse();
}

const texts = (value: unknown) => (Array.isArray(value) ? value.filter((v) => typeof v === 'string') : []);

/** What the policy watch saw last: the watch audits it before it starts the execution that asks. */
function lastPolicyChange(events: AuditEvent[]): PolicyChangeContext | undefined {
  const seen = events.findLast((e) => e.type === 'POLICY_CHANGED' || e.type === 'POLICY_UNREACHABLE');
  const url = text(seen?.detail?.url);
  if (!seen || !url) return undefined;
  const error = text(seen.detail?.error);
  const failures = seen.detail?.failures;
  return {
    url,
    added: texts(seen.detail?.added),
    removed: texts(seen.detail?.removed),
    ...(error ? { error } : {}),
    ...(typeof failures === 'number' ? { failures } : {}),
  };
}

/**
 * The incident under review: the INCIDENT_REPORTED audit event of the task's incident (shared/stewardship
 * writes the whole incident into it before the review starts). Two incidents can be open on one resource
 * at once, and the recovery sweep may start an earlier one's review late: the task's own id decides.
 */
function incidentContext(trail: AuditEvent[], incidentId: string | undefined): TaskContext {
  const reported = trail.filter((e) => e.type === 'INCIDENT_REPORTED');
  // A review assigned before tasks kept their incident has only the request to go by: it shows the
  // request's last incident, as it always did (right while one incident at a time is open).
  const d = (incidentId ? reported.find((e) => e.detail?.incidentId === incidentId) : reported.at(-1))
    ?.detail;
  if (!d) return {};
  const clocks = Array.isArray(d.clocks) ? d.clocks : [];
  return {
    incident: {
      incidentId: text(d.incidentId) ?? '',
      reportedOn: text(d.reportedOn) ?? '',
      reportedBy: text(d.reportedBy) ?? '',
      description: text(d.description) ?? '',
      studentsAffected: typeof d.studentsAffected === 'number' ? d.studentsAffected : null,
      dataElements: Array.isArray(d.dataElements) ? d.dataElements.map(String) : [],
      clocks: clocks.flatMap((c: unknown) =>
        typeof c === 'object' && c !== null && 'name' in c && 'days' in c && 'dueOn' in c
          ? [{ name: String(c.name), days: Number(c.days), dueOn: String(c.dueOn) }]
          : [],
      ),
    },
  };
}

/** The documents a vendor returned through an upload link (DOCUMENT_RECEIVED), oldest first. */
function receivedDocuments(events: AuditEvent[], kind: string): TaskDocument[] {
  return events
    .filter((e) => e.type === 'DOCUMENT_RECEIVED' && e.detail?.kind === kind)
    .map((e) => {
      const by = e.detail?.uploadedBy;
      const flags = e.detail?.flags;
      return {
        documentId: text(e.detail?.documentId) ?? '',
        sha256: text(e.detail?.sha256) ?? '',
        receivedAt: e.at,
        uploadedBy: typeof by === 'object' && by !== null && 'email' in by ? String(by.email) : e.actor,
        flags: Array.isArray(flags) ? flags.map(String) : [],
      };
    });
}

/** The step's own last decision was a question: this assignment is the step coming back to it. */
function lastQuestion(kind: TaskKind, events: AuditEvent[]): QuestionContext | undefined {
  const index = events.findLastIndex((e) => e.detail?.kind === kind);
  const asked = events[index]?.detail;
  if (asked?.decision !== 'ask') return undefined;
  const question = text(asked.question) ?? '';
  const recipient = asked.recipient === 'vendor' ? 'vendor' : 'requester';
  const reply = events.slice(index + 1).find((e) => e.detail?.kind === 'answer' && e.detail.askedBy === kind);
  const answer = text(reply?.detail?.answer);
  return {
    question,
    recipient,
    ...(answer ? { answer, answeredBy: reply?.actor ?? '', answeredAt: reply?.at ?? '' } : {}),
  };
}

/** Outcomes this request can no longer choose: its questions are used up, or it was re-routed. */
export async function withheldOutcomes(
  requestId: string,
  store: Pick<RequestStore, 'listAudit'>,
): Promise<string[]> {
  const events = decisionsOf(await store.listAudit(requestId));
  const asked = events.filter((e) => e.detail?.decision === 'ask').length;
  const rerouted = events.some((e) => e.detail?.decision === 'reroute');
  return [...(asked >= MAX_QUESTIONS_PER_REQUEST ? ['ask'] : []), ...(rerouted ? ['reroute'] : [])];
}
