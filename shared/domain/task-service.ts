/**
 * The human steps of TS-PE-535 (DESIGN.md "Human tasks and links"):
 * - assignTask: the state machine's waitForTaskToken call; stores the token with a random task id and
 *   a hashed 256-bit secret, and emails the team a link carrying only id + secret;
 * - openTask: what the GET link shows (it never writes);
 * - decide: the POSTed decision, accepted once, only with the right secret and before expiry, and
 *   reported as recorded only after Step Functions accepted it (SendTaskSuccess).
 */
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod/mini';
import type { TeamEmails } from '../config.ts';
import { ConflictError, type FieldError, TransientError } from '../errors.ts';
import { logger } from '../logger.ts';
import { renderDecisionEmail } from '../mail/decision-email.ts';
import type { Mailer } from '../mail/mailer.ts';
import { renderTaskEmail, type TaskContext } from '../mail/task-email.ts';
import type { RequestRecord, TaskRecord } from '../store/records.ts';
import type { WorkflowStore } from '../store/store.ts';
import { type DecisionOutput, decisionLabel, type ParsedDecision, parseDecision } from './decisions.ts';
import { parsePayload, requestIdField } from './outcome.ts';
import { type ReminderSchedulerConfig, scheduleReminders } from './reminder-schedules.ts';
import { workflowResourceSchema } from './request-schema.ts';
import { TASK_KINDS, type TaskKind, TEAMS } from './task-kinds.ts';
import { hashSecret, isTaskId, newTaskId, newTaskSecret, secretMatches, taskLink } from './task-links.ts';
import type {
  AssignTaskInput,
  DpaSignatureOutput,
  LicenseOutput,
  PrivacyReviewOutput,
  ProcurementOutput,
  ReplacementOutput,
} from './workflow.ts';

// ---- assign (the state machine's waitForTaskToken call) ------------------------------------------

export interface AssignTaskDeps {
  store: Pick<WorkflowStore, 'requireRequest' | 'createTask' | 'updateRequest' | 'appendAudit' | 'listAudit'>;
  mailer: Mailer;
  now: () => Date;
  publicBaseUrl: string;
  teamEmails: TeamEmails;
  /** One-time schedules that invoke remind-task before the deadline. */
  reminders: { scheduler: SchedulerClient; config: ReminderSchedulerConfig };
}

const assignTaskInputSchema = z.object({
  taskToken: z
    .string({ error: 'taskToken is required' })
    .check(z.minLength(1, 'taskToken is required'), z.maxLength(8192, 'taskToken is too long')),
  requestId: requestIdField,
  kind: z.enum(Object.keys(TASK_KINDS) as TaskKind[], {
    error: `kind must be one of ${Object.keys(TASK_KINDS).join(', ')}`,
  }),
  timeoutSeconds: z
    .int({ error: 'timeoutSeconds must be a positive whole number of seconds' })
    .check(z.gt(0, 'timeoutSeconds must be a positive whole number of seconds')),
  executionId: z.optional(z.string({ error: 'executionId must be a string' })),
  stateName: z.optional(z.string({ error: 'stateName must be a string' })),
  resource: z.optional(workflowResourceSchema),
});

/** Validates the Payload a waitForTaskToken state sends; ValidationError names each bad field. */
export function parseAssignTaskInput(input: unknown): AssignTaskInput {
  return parsePayload(assignTaskInputSchema, input);
}

/** Why a replacement is sought (SOP 11): the technical review's comment, from the audit trail. */
export async function taskContext(
  kind: TaskKind,
  requestId: string,
  store: Pick<WorkflowStore, 'listAudit'>,
): Promise<TaskContext> {
  if (kind !== 'replacement') return {};
  const events = await store.listAudit(requestId);
  const review = events.findLast(
    (e) => e.type === 'DECISION_RECORDED' && e.detail?.kind === 'technical-review',
  );
  const comment = review?.detail?.comment;
  return typeof comment === 'string' && comment ? { replacementReason: comment } : {};
}

export async function assignTask(
  rawInput: unknown,
  deps: AssignTaskDeps,
): Promise<{ taskId: string; expiresAt: string; reminders: string[] }> {
  const input = parseAssignTaskInput(rawInput);
  const spec = TASK_KINDS[input.kind];
  const team = TEAMS[spec.team];
  const stored = await deps.store.requireRequest(input.requestId);
  // The execution says which resource is under review: after a replacement its state is ahead of
  // the table until record-decision's follow-up write lands, so the email uses (and records) it.
  const resourceChanged =
    input.resource && JSON.stringify(input.resource) !== JSON.stringify(stored.resource);
  const request = input.resource ? { ...stored, resource: input.resource } : stored;
  const context = await taskContext(input.kind, input.requestId, deps.store);

  const now = deps.now();
  const taskId = newTaskId();
  const secret = newTaskSecret();
  const expiresAt = new Date(now.getTime() + input.timeoutSeconds * 1000).toISOString();
  const task: TaskRecord = {
    taskId,
    requestId: input.requestId,
    kind: input.kind,
    team: spec.team,
    sopStep: spec.sopStep,
    taskToken: input.taskToken,
    secretHash: hashSecret(secret),
    status: 'PENDING',
    createdAt: now.toISOString(),
    expiresAt,
    ...(input.executionId ? { executionId: input.executionId } : {}),
  };

  await deps.store.createTask(task);
  await deps.store.updateRequest(input.requestId, {
    currentStep: spec.sopStep,
    currentActivity: `Waiting for ${team}: ${spec.title}`,
    ...(resourceChanged ? { resource: request.resource } : {}),
  });
  // The email goes before the audit event: TASK_ASSIGNED means the team was told. If sending fails,
  // the state machine retries the whole call and the unsent task simply expires.
  await deps.mailer.send(
    renderTaskEmail({
      to: deps.teamEmails[spec.team],
      kind: input.kind,
      request,
      expiresAt,
      link: taskLink(deps.publicBaseUrl, taskId, secret),
      context,
    }),
  );
  await deps.store.appendAudit({
    requestId: input.requestId,
    at: now.toISOString(),
    sopStep: spec.sopStep,
    type: 'TASK_ASSIGNED',
    summary: `Assigned to ${team}: ${spec.title}`,
    actor: 'workflow',
    detail: {
      sopStep: spec.sopStep,
      team: spec.team,
      kind: input.kind,
      taskId,
      expiresAt,
      ...(input.stateName ? { stateName: input.stateName } : {}),
    },
  });
  // Reminders last, and best effort: a failure is logged, never thrown. Thrown, it would make the
  // state machine retry the whole call, which creates a second task and emails the team twice; and a
  // reminder scheduled before a later step failed would remind of a task that the retry replaced.
  const reminders = await scheduleReminders(task, deps.reminders);
  logger.info('Task assigned', {
    requestId: input.requestId,
    taskId,
    kind: input.kind,
    sopStep: spec.sopStep,
    reminders: reminders.length,
  });
  return { taskId, expiresAt, reminders: reminders.map((r) => r.at.toISOString()) };
}

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
  /** Waits between attempts of a follow-up write (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
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
  /**
   * Step Functions accepted the decision: it counts. `incomplete` names the follow-up writes that
   * still failed after their retries (the request record or the audit trail lags behind; operators
   * were alerted), so the answer can say so instead of reporting a plain success.
   */
  | { state: 'recorded'; task: TaskRecord; output: DecisionOutput; incomplete?: string[] };

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
  const incomplete = await afterDecision(decided, request, parsed.value, submission, deps);
  return { state: 'recorded', task: decided, output, ...(incomplete.length ? { incomplete } : {}) };
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
 * After Step Functions accepted the decision it counts, whatever happens next, so a failure is never
 * turned into "not recorded" (a retry would then meet "already decided"). The two follow-up writes
 * (the facts, the audit event) are retried with backoff; one that still fails is logged as an error
 * (operators are alarmed), audited when possible, and returned so the decider is told. The email is
 * sent once, best effort (a retry could send it twice).
 */
async function afterDecision(
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
    deps,
  );
  if (!audited) failed.push('audit decision');
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
  if (failed.length) {
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
  return failed;
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
  { output, licenseKey, replacement }: ParsedDecision,
  request: RequestRecord,
  deps: DecideDeps,
): Promise<void> {
  const id = task.requestId;
  switch (task.kind) {
    case 'privacy-review': {
      const o = output as PrivacyReviewOutput;
      await deps.store.setRequestSecurity(id, 'privacyReview', {
        decision: o.decision,
        studentDataRequired: o.studentDataRequired,
        vendorContactEmail: o.vendorContactEmail,
        at: o.decidedAt,
      });
      return;
    }
    case 'dpa-signature': {
      const o = output as DpaSignatureOutput;
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
      const o = output as ProcurementOutput;
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
      const o = output as LicenseOutput;
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
      const o = output as ReplacementOutput;
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
