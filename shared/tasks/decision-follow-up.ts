/**
 * What follows a decision Step Functions accepted (SOP 4, 7-15): its facts on the request record,
 * the audit event and the requester's email, each retried or attempted so that a recorded decision
 * is never reported as a plain success when part of it is missing.
 */

import { retryTransient } from '../core/aws/transient.ts';
import { errorName } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import type { Mailer } from '../core/mail/mailer.ts';
import { type ReportCounts, reportDecision } from '../reports/index.ts';
import type { RequestStore } from '../requests/index.ts';
import type {
  AuditEvent,
  DecisionOutput,
  RequestRecord,
  StoredDecision,
  TaskRecord,
  WorkflowResource,
} from '../workflow/index.ts';
import { TEAMS } from '../workflow/index.ts';
import { decisionLabel } from './decisions/labels.ts';
import { renderDecisionEmail } from './emails/decision-email.ts';
import type { TaskStore } from './store.ts';
import type { DecisionOrigin } from './types.ts';

/** What the follow-up writes and sends with. */
export interface FollowUpDeps {
  store: Pick<RequestStore, 'appendAudit' | 'updateRequest' | 'setRequestSecurity' | 'addPolicySnapshotDue'> &
    Pick<TaskStore, 'claimDecisionEmail' | 'releaseDecisionEmail' | 'markDecisionEmailSent' | 'getTask'>;
  mailer: Mailer;
  publicBaseUrl: string;
  now: () => Date;
  /** Waits between attempts of a follow-up write (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  /** The reports' counts (shared/reports); none in tests that do not look at them. */
  reports?: ReportCounts;
}

export interface FollowUpResult {
  /** The follow-up writes that still failed after their retries (the decider is told). */
  incomplete: string[];
  /** The requester's email is due but not sent (its send or its latch failed): the sweep retries it. */
  emailPending: boolean;
}

/**
 * A replay of the follow-up (the decision sweep, after a crash or a failed follow-up): the request's
 * audit trail as it is now, so what already landed is not written twice.
 */
export interface FollowUpReplay {
  audit: readonly AuditEvent[];
  /** An email latch taken before this and never marked sent belongs to a sender that died. */
  staleLatchBefore: string;
}

/** True when the audit trail holds this task's DECISION_RECORDED event. */
export const decisionAudited = (audit: readonly AuditEvent[], taskId: string): boolean =>
  audit.some((e) => e.type === 'DECISION_RECORDED' && e.detail?.taskId === taskId);

/** True when a follow-up of this task reported that its facts did not land (FOLLOW_UP_FAILED). */
const factsFailed = (audit: readonly AuditEvent[], taskId: string): boolean =>
  audit.some(
    (e) =>
      e.type === 'FOLLOW_UP_FAILED' &&
      e.detail?.taskId === taskId &&
      Array.isArray(e.detail.failed) &&
      e.detail.failed.includes('record decision facts'),
  );

/**
 * After Step Functions accepted the decision it counts, whatever happens next, so a failure is never
 * turned into "not recorded" (a retry would then meet "already decided"). The two follow-up writes
 * (the facts, the audit event) are retried with backoff; one that still fails is logged as an error
 * (operators are alarmed), audited when possible, and returned so the decider is told. The requester's
 * email is retried the same way, behind a latch on the task item (`decisionEmailAt`), so that the
 * decision and a replay by the sweep never both send it; if it still fails the latch is given back
 * and the sweep sends it later. The decision stands either way.
 *
 * With `replay` (the sweep), what the audit trail shows as done is skipped: the audit event when
 * this task's DECISION_RECORDED is there, and the facts when they were recorded with it (the facts
 * are written before the audit event, and a follow-up whose facts failed audits FOLLOW_UP_FAILED).
 */
export async function afterDecision(
  task: TaskRecord,
  request: RequestRecord,
  decision: StoredDecision,
  origin: DecisionOrigin,
  deps: FollowUpDeps,
  replay?: FollowUpReplay,
): Promise<FollowUpResult> {
  const { output } = decision;
  const failed: string[] = [];
  const audited = replay ? decisionAudited(replay.audit, task.taskId) : false;
  const factsDone = replay ? audited && !factsFailed(replay.audit, task.taskId) : false;
  // Facts first: the next step's assign-task may already be reading the request.
  if (
    !factsDone &&
    !(await withRetries(
      'record decision facts',
      () => recordFacts(task, decision, request, deps, replay !== undefined),
      deps,
    ))
  )
    failed.push('record decision facts');
  const auditedNow =
    audited ||
    (await withRetries(
      'audit decision',
      () =>
        deps.store.appendAudit({
          requestId: task.requestId,
          at: output.decidedAt,
          sopStep: task.sopStep,
          type: 'DECISION_RECORDED',
          summary: auditSummary(task, decision),
          actor: output.decidedBy,
          detail: {
            sopStep: task.sopStep,
            kind: task.kind,
            taskId: task.taskId,
            // The reply names the step that asked, so that step's next task can show the answer.
            ...(task.question ? { askedBy: task.question.askedBy, recipient: task.question.recipient } : {}),
            ...output,
            ...(decision.licenseKeyStored ? { licenseKeyStored: true } : {}),
            // Given on the form, but the process died before it was stored: say so, never claim it.
            ...(decision.licenseKeyGiven && !decision.licenseKeyStored ? { licenseKeyLost: true } : {}),
            ...origin,
          },
        }),
      deps,
    ));
  if (!auditedNow) failed.push('audit decision');
  if (deps.reports) await reportDecision(deps.reports, task, output.decidedAt);
  // A question reaches its recipient by its own email (the AwaitXAnswer step), and an answer goes
  // back to the team that asked: neither is a decision to tell the requester about.
  const emailPending =
    'asks' in decision || decision.kind === 'answer'
      ? false
      : !(await emailRequester(task, request, decision, deps, replay?.staleLatchBefore));
  if (failed.length) await reportFollowUpFailure(task, output, failed, deps);
  return { incomplete: failed, emailPending };
}

/** The requester's decision email, once: true when it is sent (now or before). */
async function emailRequester(
  task: TaskRecord,
  request: RequestRecord,
  decision: StoredDecision,
  deps: FollowUpDeps,
  staleLatchBefore?: string,
): Promise<boolean> {
  const latchedAt = deps.now().toISOString();
  try {
    if (!(await deps.store.claimDecisionEmail(task.taskId, latchedAt, staleLatchBefore))) {
      // The decision itself meets no latch but its own. A replay that loses it: sent already, or a
      // latch still too young to call its sender dead (pending: the next sweep looks again).
      if (staleLatchBefore === undefined) return true;
      return (await deps.store.getTask(task.taskId))?.decisionEmailSentAt !== undefined;
    }
  } catch (error) {
    logger.warn('Decision email not sent yet; the decision sweep sends it', {
      taskId: task.taskId,
      errorName: errorName(error),
    });
    return false;
  }
  // Retried like the writes: a throttled send is rejected before SES accepts it, so a retry does not
  // send twice.
  const sent = await withRetries(
    'email requester',
    () =>
      deps.mailer.send(
        renderDecisionEmail({
          request,
          kind: task.kind,
          output: decision.output,
          statusUrl: `${deps.publicBaseUrl}/requests/${encodeURIComponent(request.requestId)}`,
        }),
      ),
    deps,
  );
  // Sent: say so, or a sweep would take the latch for a dead sender's and send it again (a lost mark
  // costs a duplicate only if the follow-up is not marked done either).
  if (sent) {
    await bestEffort('mark decision email sent', () =>
      deps.store.markDecisionEmailSent(task.taskId, deps.now().toISOString()),
    );
  }
  // Not sent: give the latch back, so the sweep (the task stays on its index) sends it later.
  if (!sent)
    await bestEffort('release decision email latch', () =>
      deps.store.releaseDecisionEmail(task.taskId, latchedAt),
    );
  return sent;
}

function auditSummary(task: TaskRecord, decision: StoredDecision): string {
  const team = TEAMS[task.team];
  if ('asks' in decision) return `${team} asked the ${decision.output.recipient} a question`;
  if ('reroutes' in decision) {
    const to =
      decision.kind === 'curriculum-review'
        ? 'administrative (DII)'
        : 'curriculum (Instructional Technology)';
    return `${team} sent the request to the ${to} review`;
  }
  if (decision.kind === 'answer')
    return `The ${task.question?.recipient ?? 'requester'} answered ${team}'s question`;
  return `${team}: ${decisionLabel(decision.output.decision)}`;
}

async function reportFollowUpFailure(
  task: TaskRecord,
  output: DecisionOutput,
  failed: string[],
  deps: FollowUpDeps,
): Promise<void> {
  logger.error('Decision recorded but its follow-up writes failed; the request record needs repair', {
    taskId: task.taskId,
    requestId: task.requestId,
    kind: task.kind,
    failed,
  });
  await bestEffort('audit follow-up failure', () =>
    deps.store.appendAudit({
      requestId: task.requestId,
      sopStep: task.sopStep,
      type: 'FOLLOW_UP_FAILED',
      summary: `The decision (${decisionLabel(output.decision)}) counts, but these follow-up writes failed: ${failed.join(', ')}`,
      actor: 'workflow',
      detail: { kind: task.kind, taskId: task.taskId, decision: output.decision, failed },
    }),
  );
}

/** Attempts of a follow-up write, and the wait before each retry (a retry only for a TransientError). */
export const FOLLOW_UP_BACKOFF_MS = [200, 800] as const;
export const FOLLOW_UP_ATTEMPTS = FOLLOW_UP_BACKOFF_MS.length + 1;

/** True when `fn` succeeded within FOLLOW_UP_ATTEMPTS; a non-transient failure is not retried. */
async function withRetries(
  step: string,
  fn: () => Promise<unknown>,
  deps: Pick<FollowUpDeps, 'sleep'>,
): Promise<boolean> {
  try {
    await retryTransient(fn, {
      backoffMs: FOLLOW_UP_BACKOFF_MS,
      sleep: deps.sleep,
      onFailure: (error, attempt, retrying) =>
        logger[retrying ? 'warn' : 'error']('Follow-up after a recorded decision failed', {
          step,
          attempt,
          errorName: errorName(error),
        }),
    });
    return true;
  } catch {
    return false;
  }
}

export async function bestEffort<T>(step: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    logger.error('Follow-up after a recorded decision failed', { step, errorName: errorName(error) });
    return undefined;
  }
}

/** The decision's facts on the request record (what get-request, the registry and renewals read). */
async function recordFacts(
  task: TaskRecord,
  parsed: StoredDecision,
  request: RequestRecord,
  deps: FollowUpDeps,
  replay: boolean,
): Promise<void> {
  const id = task.requestId;
  // A question settles nothing: no facts change (the audit trail has it).
  if ('asks' in parsed) return;
  // SOP 3/7: the request is now of the other type, as the state machine's routing now says.
  if ('reroutes' in parsed) {
    const requestType = parsed.kind === 'curriculum-review' ? 'administrative' : 'instructional';
    await deps.store.updateRequest(id, { submitted: { ...request.submitted, requestType } });
    return;
  }
  switch (parsed.kind) {
    case 'privacy-review': {
      const o = parsed.output;
      await deps.store.setRequestSecurity(id, 'privacyReview', {
        decision: o.decision,
        studentDataRequired: o.studentDataRequired,
        vendorContactEmail: o.vendorContactEmail,
        websites: o.websites,
        ...(o.privacyPolicyUrls?.length ? { privacyPolicyUrls: o.privacyPolicyUrls } : {}),
        ...(o.subprocessors?.length ? { subprocessors: o.subprocessors } : {}),
        at: o.decidedAt,
      });
      if (o.privacyPolicyUrls?.length) {
        await deps.store.addPolicySnapshotDue(id, o.decidedAt, o.privacyPolicyUrls);
      }
      return;
    }
    case 'dpa-signature': {
      const o = parsed.output;
      const { expiresOn: _previous, ...sent } = request.security?.dpa ?? {};
      await deps.store.setRequestSecurity(id, 'dpa', {
        ...sent,
        decision: o.decision,
        decidedAt: o.decidedAt,
        ...(o.dpaExpiresOn ? { expiresOn: o.dpaExpiresOn } : {}),
      });
      return;
    }
    case 'procurement':
      return recordPurchaseOrder(id, parsed, deps);
    case 'license':
      return recordLicense(id, parsed, deps);
    case 'replacement':
      return recordReplacement(parsed, request, deps, replay);
    default:
      return;
  }
}

type Settled<K extends StoredDecision['kind']> = Extract<StoredDecision, { kind: K }>;

/** SOP 13: the purchase order Procurement issued. */
async function recordPurchaseOrder(id: string, { output: o }: Settled<'procurement'>, deps: FollowUpDeps) {
  await deps.store.updateRequest(id, {
    purchaseOrder: {
      poNumber: o.poNumber,
      amount: o.amount,
      quoteReference: o.quoteReference,
      issuedAt: o.decidedAt,
    },
  });
}

/** SOP 14: the licence's details; the key itself is stored apart, shown by its last 4 characters. */
async function recordLicense(id: string, parsed: Settled<'license'>, deps: FollowUpDeps) {
  const o = parsed.output;
  await deps.store.updateRequest(id, {
    license: {
      licenseReference: o.licenseReference,
      seats: o.seats,
      expiresOn: o.expiresOn,
      storedAt: o.decidedAt,
      // Short keys would be given away by their last 4 characters (toStoredDecision).
      ...(parsed.licenseKeyStored && parsed.licenseKeyLast4
        ? { licenseKeyLast4: parsed.licenseKeyLast4 }
        : {}),
    },
  });
}

/** SOP 11 → 4: the request is now about the replacement, and its vetting starts again. */
async function recordReplacement(
  { output: o, replacement }: Settled<'replacement'>,
  request: RequestRecord,
  deps: FollowUpDeps,
  replay: boolean,
) {
  if (!replacement || !o.resource) return;
  // A replay after the replacement landed must not count it twice nor clear the vetting that
  // started again for it (the request is about the replacement already).
  if (replay && sameResource(request.resource, o.resource)) return;
  const { resourceUrl: _oldUrl, studentDataElements, ...submitted } = request.submitted;
  await deps.store.updateRequest(request.requestId, {
    resource: o.resource,
    submitted: {
      ...submitted,
      ...replacement,
      ...(replacement.studentDataShared && studentDataElements ? { studentDataElements } : {}),
    },
    replacementCount: request.replacementCount + 1,
    // As the state machine does: vetting starts again for the replacement.
    security: undefined,
  });
}

const sameResource = (a: WorkflowResource, b: WorkflowResource): boolean =>
  a.name === b.name && a.vendorName === b.vendorName && (a.url ?? '') === (b.url ?? '');
