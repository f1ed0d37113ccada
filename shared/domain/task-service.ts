import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ConflictError, type FieldError } from '../errors.ts';
import { logger } from '../logger.ts';
import { renderDecisionEmail } from '../mail/decision-email.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { TaskContext } from '../mail/task-email.ts';
import type { RequestRecord, TaskRecord } from '../store/records.ts';
import type { WorkflowStore } from '../store/store.ts';
import { type DecisionOutput, decisionLabel, type ParsedDecision, parseDecision } from './decisions.ts';
import { taskContext } from './task-context.ts';
import { TEAMS } from './task-kinds.ts';
import { hashSecret, isTaskId, secretMatches } from './task-links.ts';

// ---- the link: GET shows, POST decides -----------------------------------------------------------

export type LinkProblem =
  | { state: 'not-found' }
  | { state: 'forbidden' }
  /** An earlier link of a task that a reminder email gave a new link; it can no longer decide. */
  | { state: 'replaced'; task: TaskRecord }
  | { state: 'decided'; task: TaskRecord }
  | { state: 'expired'; task: TaskRecord };

/**
 * unknown → wrong secret → already used → expired → replaced: a wrong secret learns nothing about the
 * task. An earlier secret of the task (before a reminder replaced it) reads like the current one,
 * except that an open task answers "replaced" instead of showing the form.
 */
export function checkLink(
  task: TaskRecord | undefined,
  secret: string | undefined,
  now: Date,
): LinkProblem | { state: 'open'; task: TaskRecord } {
  if (!task) return { state: 'not-found' };
  const current = secretMatches(secret, task.secretHash);
  if (!current && !(task.previousSecretHashes ?? []).some((hash) => secretMatches(secret, hash))) {
    return { state: 'forbidden' };
  }
  if (task.status === 'DECIDED') return { state: 'decided', task };
  if (task.status === 'TIMED_OUT' || task.expiresAt <= now.toISOString()) return { state: 'expired', task };
  return current ? { state: 'open', task } : { state: 'replaced', task };
}

export interface TaskReadDeps {
  store: Pick<WorkflowStore, 'getTask' | 'requireRequest' | 'listAudit'>;
  now: () => Date;
}

export type OpenTask = {
  state: 'open';
  task: TaskRecord;
  request: RequestRecord;
  context: TaskContext;
};

async function loadLink(taskId: string, secret: string | undefined, deps: TaskReadDeps) {
  const task = isTaskId(taskId) ? await deps.store.getTask(taskId) : undefined;
  return checkLink(task, secret, deps.now());
}

async function loadOpenTask(
  task: TaskRecord,
  deps: TaskReadDeps,
  request?: RequestRecord,
): Promise<OpenTask> {
  return {
    state: 'open',
    task,
    request: request ?? (await deps.store.requireRequest(task.requestId)),
    context: await taskContext(task.kind, task.requestId, deps.store),
  };
}

/** The GET link: reads only, so a mail scanner following it changes nothing. */
export async function openTask(
  taskId: string,
  secret: string | undefined,
  deps: TaskReadDeps,
): Promise<LinkProblem | OpenTask> {
  const link = await loadLink(taskId, secret, deps);
  return link.state === 'open' ? loadOpenTask(link.task, deps) : link;
}

export interface DecideDeps extends TaskReadDeps {
  store: TaskReadDeps['store'] &
    Pick<
      WorkflowStore,
      | 'claimTask'
      | 'releaseTask'
      | 'markTaskTimedOut'
      | 'appendAudit'
      | 'updateRequest'
      | 'setRequestSecurity'
      | 'storeLicenseKey'
    >;
  sfn: Pick<SFNClient, 'send'>;
  mailer: Mailer;
  publicBaseUrl: string;
}

export interface DecisionSubmission {
  taskId: string;
  /** The link secret, from the form's hidden `t` field. */
  secret: string | undefined;
  /** The form or JSON body. */
  values: Record<string, unknown>;
  verifiedIdentity?: string;
  sourceIp?: string;
  userAgent?: string;
}

export type DecideResult =
  | LinkProblem
  | { state: 'invalid'; open: OpenTask; errors: FieldError[] }
  /** Lost a race with another submission that is still being delivered. */
  | { state: 'conflict'; task: TaskRecord }
  /** Step Functions had already stopped waiting (timed out, execution stopped): nothing counted. */
  | { state: 'too-late'; task: TaskRecord }
  /** Step Functions did not accept the decision (throttling, outage): the claim was released. */
  | { state: 'not-recorded'; task: TaskRecord }
  | { state: 'recorded'; task: TaskRecord; output: DecisionOutput };

/** SendTaskSuccess errors that mean the wait is over: retrying can never succeed. */
const WAIT_OVER = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/**
 * Records a decision: check the link, validate, claim the task (once), deliver it to Step Functions,
 * and only then write the facts, the audit event and the requester's email.
 */
/** True when the task holds exactly this claim (same decision time and decider). */
async function claimLanded(
  taskId: string,
  decidedAt: string,
  decidedBy: string,
  deps: DecideDeps,
): Promise<boolean> {
  try {
    const now = await deps.store.getTask(taskId);
    return now?.status === 'DECIDED' && now.decidedAt === decidedAt && now.decidedBy === decidedBy;
  } catch {
    return false;
  }
}

export async function decide(submission: DecisionSubmission, deps: DecideDeps): Promise<DecideResult> {
  const decidedAt = deps.now().toISOString();
  const link = await loadLink(submission.taskId, submission.secret, deps);
  if (link.state !== 'open') return link;
  const { task } = link;
  const log = { taskId: task.taskId, requestId: task.requestId, kind: task.kind };

  const parsed = parseDecision(task.kind, submission.values, {
    decidedAt,
    ...(submission.verifiedIdentity ? { verifiedIdentity: submission.verifiedIdentity } : {}),
  });
  // Read now, not after delivery: the facts must land before the next step's assign-task reads them.
  const request = await deps.store.requireRequest(task.requestId);
  if (!parsed.ok) {
    return { state: 'invalid', open: await loadOpenTask(task, deps, request), errors: parsed.errors };
  }
  const { output, licenseKey } = parsed.value;

  try {
    await deps.store.claimTask(task.taskId, {
      secretHash: hashSecret(submission.secret ?? ''),
      decision: output.decision,
      decidedBy: output.decidedBy,
      decidedAt,
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) {
      // The write may have landed with its answer lost (timeout, reset): then the claim is ours and
      // the decision must still reach Step Functions, or the execution would wait until it times out.
      if (!(await claimLanded(task.taskId, decidedAt, output.decidedBy, deps))) throw error;
      logger.warn('Claim answer lost but the claim landed; delivering the decision', log);
    } else {
      const current = await loadLink(task.taskId, submission.secret, deps);
      logger.info('Decision lost the claim', { ...log, state: current.state });
      return current.state === 'open' ? { state: 'conflict', task } : current;
    }
  }

  try {
    if (licenseKey) {
      await deps.store.storeLicenseKey(task.requestId, {
        licenseKey,
        taskId: task.taskId,
        storedAt: decidedAt,
        storedBy: output.decidedBy,
      });
    }
    await deps.sfn.send(
      new SendTaskSuccessCommand({ taskToken: task.taskToken, output: JSON.stringify(output) }),
    );
  } catch (error) {
    const name = (error as Error)?.name ?? 'Error';
    if (WAIT_OVER.has(name)) return tooLate(task, output, name, submission, deps);
    logger.error('Decision not delivered to Step Functions; claim released', { ...log, errorName: name });
    try {
      await deps.store.releaseTask(task.taskId, { decidedAt, team: task.team });
    } catch (releaseError) {
      logger.error('Could not release the task claim: the link now reports "already decided"', {
        ...log,
        errorName: (releaseError as Error)?.name,
      });
    }
    return { state: 'not-recorded', task };
  }

  logger.info('Decision recorded', { ...log, decision: output.decision });
  const decided: TaskRecord = { ...task, status: 'DECIDED', decidedAt, decidedBy: output.decidedBy };
  await afterDecision(decided, request, parsed.value, submission, deps);
  return { state: 'recorded', task: decided, output };
}

async function tooLate(
  task: TaskRecord,
  output: DecisionOutput,
  errorName: string,
  submission: DecisionSubmission,
  deps: DecideDeps,
): Promise<DecideResult> {
  logger.warn('Decision arrived after the wait ended', {
    taskId: task.taskId,
    requestId: task.requestId,
    kind: task.kind,
    errorName,
  });
  await bestEffort('mark task timed out', () => deps.store.markTaskTimedOut(task.taskId));
  await bestEffort('audit late decision', () =>
    deps.store.appendAudit({
      requestId: task.requestId,
      sopStep: task.sopStep,
      type: 'DECISION_TOO_LATE',
      summary: `A decision (${decisionLabel(output.decision)}) arrived after this step had timed out; nothing was recorded`,
      actor: output.decidedBy,
      detail: {
        kind: task.kind,
        taskId: task.taskId,
        decision: output.decision,
        decidedBy: output.decidedBy,
        attemptedAt: output.decidedAt,
        stepFunctionsError: errorName,
        ...requestOrigin(submission),
      },
    }),
  );
  return { state: 'too-late', task: { ...task, status: 'TIMED_OUT' } };
}

const requestOrigin = (s: DecisionSubmission) => ({
  ...(s.sourceIp ? { sourceIp: s.sourceIp } : {}),
  ...(s.userAgent ? { userAgent: s.userAgent.slice(0, 300) } : {}),
  identityVerified: s.verifiedIdentity !== undefined,
});

/**
 * After Step Functions accepted the decision it counts, whatever happens next: the facts, the audit
 * event and the requester's email are each attempted and a failure is logged for operators, never
 * turned into "not recorded" (a retry would then meet "already decided").
 */
async function afterDecision(
  task: TaskRecord,
  request: RequestRecord,
  decision: ParsedDecision,
  submission: DecisionSubmission,
  deps: DecideDeps,
): Promise<void> {
  const { output } = decision;
  // Facts first: the next step's assign-task may already be reading the request.
  await bestEffort('record decision facts', () => recordFacts(task, decision, request, deps));
  await bestEffort('audit decision', () =>
    deps.store.appendAudit({
      requestId: task.requestId,
      at: output.decidedAt,
      sopStep: task.sopStep,
      type: 'DECISION_RECORDED',
      summary: `${TEAMS[task.team]}: ${decisionLabel(output.decision)}`,
      actor: output.decidedBy,
      detail: {
        sopStep: task.sopStep,
        kind: task.kind,
        taskId: task.taskId,
        ...output,
        ...(decision.licenseKey ? { licenseKeyStored: true } : {}),
        ...requestOrigin(submission),
      },
    }),
  );
  await bestEffort('email requester', () =>
    deps.mailer.send(
      renderDecisionEmail({
        request,
        kind: task.kind,
        output,
        statusUrl: `${deps.publicBaseUrl}/requests/${encodeURIComponent(request.requestId)}`,
      }),
    ),
  );
}

async function bestEffort<T>(step: string, fn: () => Promise<T>): Promise<T | undefined> {
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
  switch (parsed.kind) {
    case 'privacy-review': {
      const o = parsed.output;
      await deps.store.setRequestSecurity(id, 'privacyReview', {
        decision: o.decision,
        studentDataRequired: o.studentDataRequired,
        vendorContactEmail: o.vendorContactEmail,
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
