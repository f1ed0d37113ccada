/**
 * What follows a decision Step Functions accepted (SOP 4, 7-15): its facts on the request record,
 * the audit event and the requester's email, each retried or attempted so that a recorded decision
 * is never reported as a plain success when part of it is missing.
 */
import { TransientError } from '../errors.ts';
import { logger } from '../logger.ts';
import { renderDecisionEmail } from '../mail/decision-email.ts';
import type { RequestRecord, TaskRecord } from '../store/records.ts';
import { type DecisionOutput, decisionLabel, type ParsedDecision } from './decisions.ts';
import { TEAMS } from './task-kinds.ts';
import type { DecideDeps, DecisionSubmission } from './task-service.ts';

export const requestOrigin = (s: DecisionSubmission) => ({
  ...(s.sourceIp ? { sourceIp: s.sourceIp } : {}),
  ...(s.userAgent ? { userAgent: s.userAgent.slice(0, 300) } : {}),
  identityVerified: s.verifiedIdentity !== undefined,
});

/**
 * After Step Functions accepted the decision it counts, whatever happens next, so a failure is never
 * turned into "not recorded" (a retry would then meet "already decided"). The two follow-up writes
 * (the facts, the audit event) are retried with backoff; one that still fails is logged as an error
 * (operators are alarmed), audited when possible, and returned so the decider is told. The requester's
 * email is retried the same way; if it still fails it is logged, and the decision stands.
 */
export async function afterDecision(
  task: TaskRecord,
  request: RequestRecord,
  decision: ParsedDecision,
  submission: DecisionSubmission,
  deps: DecideDeps,
): Promise<string[]> {
  const { output } = decision;
  const failed: string[] = [];
  // Facts first: the next step's assign-task may already be reading the request.
  if (!(await withRetries('record decision facts', () => recordFacts(task, decision, request, deps), deps)))
    failed.push('record decision facts');
  const audited = await withRetries(
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
          ...(decision.licenseKey ? { licenseKeyStored: true } : {}),
          ...requestOrigin(submission),
        },
      }),
    deps,
  );
  if (!audited) failed.push('audit decision');
  // A question reaches its recipient by its own email (the AwaitXAnswer step), and an answer goes
  // back to the team that asked: neither is a decision to tell the requester about.
  if ('asks' in decision || decision.kind === 'answer') {
    if (failed.length) await reportFollowUpFailure(task, output, failed, deps);
    return failed;
  }
  // Retried like the writes: a throttled send is rejected before SES accepts it, so a retry does not
  // send twice. One still not sent is logged for operators; the decision counts all the same.
  await withRetries(
    'email requester',
    () =>
      deps.mailer.send(
        renderDecisionEmail({
          request,
          kind: task.kind,
          output,
          statusUrl: `${deps.publicBaseUrl}/requests/${encodeURIComponent(request.requestId)}`,
        }),
      ),
    deps,
  );
  if (failed.length) await reportFollowUpFailure(task, output, failed, deps);
  return failed;
}

function auditSummary(task: TaskRecord, decision: ParsedDecision): string {
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
  deps: DecideDeps,
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
export const FOLLOW_UP_ATTEMPTS = 3;
export const FOLLOW_UP_BACKOFF_MS = [200, 800] as const;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True when `fn` succeeded within FOLLOW_UP_ATTEMPTS; a non-transient failure is not retried. */
async function withRetries(step: string, fn: () => Promise<unknown>, deps: DecideDeps): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await fn();
      return true;
    } catch (error) {
      const retry = error instanceof TransientError && attempt < FOLLOW_UP_ATTEMPTS;
      logger[retry ? 'warn' : 'error']('Follow-up after a recorded decision failed', {
        step,
        attempt,
        errorName: (error as Error)?.name,
      });
      if (!retry) return false;
      await (deps.sleep ?? sleep)(FOLLOW_UP_BACKOFF_MS[attempt - 1] ?? 800);
    }
  }
}

export async function bestEffort<T>(step: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    logger.error('Follow-up after a recorded decision failed', { step, errorName: (error as Error)?.name });
    return undefined;
  }
}

/** The decision's facts on the request record (what get-request, the registry and renewals read). */
async function recordFacts(
  task: TaskRecord,
  parsed: ParsedDecision,
  request: RequestRecord,
  deps: DecideDeps,
): Promise<void> {
  const id = task.requestId;
  const { licenseKey, replacement } = parsed;
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
        at: o.decidedAt,
      });
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
    case 'procurement': {
      const o = parsed.output;
      await deps.store.updateRequest(id, {
        purchaseOrder: {
          poNumber: o.poNumber,
          amount: o.amount,
          quoteReference: o.quoteReference,
          issuedAt: o.decidedAt,
        },
      });
      return;
    }
    case 'license': {
      const o = parsed.output;
      await deps.store.updateRequest(id, {
        license: {
          licenseReference: o.licenseReference,
          seats: o.seats,
          expiresOn: o.expiresOn,
          storedAt: o.decidedAt,
          // Short keys would be given away by their last 4 characters.
          ...(licenseKey && licenseKey.length >= 8 ? { licenseKeyLast4: licenseKey.slice(-4) } : {}),
        },
      });
      return;
    }
    case 'replacement': {
      const o = parsed.output;
      if (!replacement || !o.resource) return;
      const { resourceUrl: _oldUrl, studentDataElements, ...submitted } = request.submitted;
      await deps.store.updateRequest(id, {
        resource: o.resource,
        submitted: {
          ...submitted,
          ...replacement,
          ...(replacement.studentDataShared && studentDataElements ? { studentDataElements } : {}),
        },
        replacementCount: request.replacementCount + 1,
        // SOP 11 → 4: vetting starts again for the replacement, as the state machine does.
        security: undefined,
      });
      return;
    }
    default:
      return;
  }
}
