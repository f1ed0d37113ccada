import type { SFNClient } from '@aws-sdk/client-sfn';
import { ConflictError, errorName, type FieldError } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import type { Mailer } from '../core/mail/mailer.ts';
import type { RequestStore } from '../requests/index.ts';
import type {
  DecisionOutput,
  ParsedDecision,
  RequestRecord,
  StoredDecision,
  TaskRecord,
} from '../workflow/index.ts';
import { isAskingKind, isReroutingKind } from '../workflow/index.ts';
import { afterDecision, bestEffort, type FollowUpDeps } from './decision-follow-up.ts';
import { parseDecision, toStoredDecision } from './decisions/parse.ts';
import { deliverDecision, recordTooLate, requestOrigin } from './delivery.ts';
import type { TaskContext } from './emails/task-email.ts';
import { replyWaitOver } from './reply-links.ts';
import type { TaskStore } from './store.ts';
import { taskContext, withheldOutcomes } from './task-context.ts';
import { hashSecret, isTaskId, secretMatches } from './task-links.ts';
import type { DecisionOrigin, DecisionSubmission, LinkAudience, LinkProblem } from './types.ts';

// ---- the link: GET shows, POST decides -----------------------------------------------------------

/**
 * unknown → wrong secret → already used → expired → replaced: a wrong secret learns nothing about the
 * task. An earlier secret of the task (before a reminder replaced it) reads like the current one,
 * except that an open task answers "replaced" instead of showing the form.
 */
export function checkLink(
  task: TaskRecord | undefined,
  secret: string | undefined,
  now: Date,
  audience: LinkAudience = 'team',
  access: LinkAccess = 'link',
): LinkProblem | { state: 'open'; task: TaskRecord } {
  if (!task || (task.kind === 'answer') !== (audience === 'reply')) return { state: 'not-found' };
  // A verified member of the team (the queue) needs no link; a link they do bring is still checked.
  const current = (access === 'member' && !secret) || secretMatches(secret, task.secretHash);
  if (!current && !(task.previousSecretHashes ?? []).some((hash) => secretMatches(secret, hash))) {
    return { state: 'forbidden' };
  }
  if (task.status === 'DECIDED') return { state: 'decided', task };
  if (task.status === 'TIMED_OUT' || task.expiresAt <= now.toISOString()) return { state: 'expired', task };
  return current ? { state: 'open', task } : { state: 'replaced', task };
}

export interface TaskReadDeps {
  store: Pick<TaskStore, 'getTask'> & Pick<RequestStore, 'requireRequest' | 'listAudit'>;
  now: () => Date;
}

export type OpenTask = {
  state: 'open';
  task: TaskRecord;
  request: RequestRecord;
  context: TaskContext;
  /** Outcomes this request can no longer choose (questions used up, already re-routed). */
  withheld: string[];
};

/**
 * `link`: whoever holds the emailed link (its secret decides); `member`: a signed-in member of the
 * task's team, checked by the caller before (team-access.ts), who may come without the link.
 */
export type LinkAccess = 'link' | 'member';

async function loadLink(
  taskId: string,
  secret: string | undefined,
  deps: TaskReadDeps,
  audience: LinkAudience = 'team',
  access: LinkAccess = 'link',
) {
  const task = isTaskId(taskId) ? await deps.store.getTask(taskId) : undefined;
  return checkLink(task, secret, deps.now(), audience, access);
}

/** Only the steps that may ask or re-route need the audit trail read for it. */
async function withheldFor(task: TaskRecord, deps: TaskReadDeps): Promise<string[]> {
  return isAskingKind(task.kind) || isReroutingKind(task.kind)
    ? withheldOutcomes(task.requestId, deps.store)
    : [];
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
    context: await taskContext(task, deps.store),
    withheld: await withheldFor(task, deps),
  };
}

/** The GET link: reads only, so a mail scanner following it changes nothing. */
export async function openTask(
  taskId: string,
  secret: string | undefined,
  deps: TaskReadDeps,
  audience: LinkAudience = 'team',
  access: LinkAccess = 'link',
): Promise<LinkProblem | OpenTask> {
  const link = await loadLink(taskId, secret, deps, audience, access);
  if (link.state !== 'open') return link;
  const open = await loadOpenTask(link.task, deps);
  // Closed meanwhile (its deadline passed, or an error stopped it): its open links decide nothing. The
  // task record is only marked when someone answers, so the request says it first.
  const closed = open.request.status === 'DENIED' || open.request.status === 'ERROR';
  if (closed || (await replyWaitOver(link.task, deps.store))) return { state: 'expired', task: link.task };
  return open;
}

export interface DecideDeps extends TaskReadDeps {
  store: TaskReadDeps['store'] &
    Pick<
      TaskStore,
      | 'claimTask'
      | 'releaseTask'
      | 'markTaskTimedOut'
      | 'markTaskDelivered'
      | 'markTaskFollowedUp'
      | 'markTaskLicenseKeyStored'
    > &
    Pick<RequestStore, 'storeLicenseKey'> &
    FollowUpDeps['store'];
  sfn: Pick<SFNClient, 'send'>;
  mailer: Mailer;
  publicBaseUrl: string;
  /** Waits between attempts of a follow-up write (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  reports?: FollowUpDeps['reports'];
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
   * Step Functions did not accept the decision and the claim could not be released either: the claim
   * keeps the decision, and the decision sweep delivers it within minutes (or finds the step over).
   * Told "not recorded", the decider would retry and meet "already decided".
   */
  | { state: 'delivery-pending'; task: TaskRecord }
  /**
   * Step Functions accepted the decision: it counts. `incomplete` names the follow-up writes that
   * still failed after their retries (the request record or the audit trail lags behind; operators
   * were alerted), so the answer can say so instead of reporting a plain success.
   */
  | { state: 'recorded'; task: TaskRecord; output: DecisionOutput; incomplete?: string[] };

/**
 * Records a decision: check the link, validate, claim the task (once), deliver it to Step Functions,
 * and only then write the facts, the audit event and the requester's email.
 */
/** The task when it holds exactly this claim (same decision time and decider); else undefined. */
async function claimLanded(
  taskId: string,
  decidedAt: string,
  decidedBy: string,
  deps: DecideDeps,
): Promise<TaskRecord | undefined> {
  try {
    const now = await deps.store.getTask(taskId);
    return now?.status === 'DECIDED' && now.decidedAt === decidedAt && now.decidedBy === decidedBy
      ? now
      : undefined;
  } catch {
    return undefined;
  }
}

export async function decide(submission: DecisionSubmission, deps: DecideDeps): Promise<DecideResult> {
  const decidedAt = deps.now().toISOString();
  const audience = submission.audience ?? 'team';
  const access: LinkAccess = submission.actor ? 'member' : 'link';
  const link = await loadLink(submission.taskId, submission.secret, deps, audience, access);
  if (link.state !== 'open') return link;
  // Checked before the claim: a reply the workflow no longer waits for must not be claimed.
  if (await replyWaitOver(link.task, deps.store)) return { state: 'expired', task: link.task };
  const { task } = link;

  const withheld = await withheldFor(task, deps);
  // Read now, not after delivery: the facts must land before the next step's assign-task reads them.
  const request = await deps.store.requireRequest(task.requestId);
  const parsed = parseDecision(task.kind, submission.values, {
    decidedAt,
    withheld,
    ...(submission.verifiedIdentity ? { verifiedIdentity: submission.verifiedIdentity } : {}),
    ...(request.resource.url ? { defaultWebsites: request.resource.url } : {}),
  });
  if (!parsed.ok) {
    return { state: 'invalid', open: await loadOpenTask(task, deps, request), errors: parsed.errors };
  }
  const decision: Decided = {
    task,
    decidedAt,
    parsed: parsed.value,
    stored: toStoredDecision(parsed.value),
    origin: requestOrigin(submission, parsed.value.output.decidedBy),
  };
  const claimed = await claim(decision, submission, deps);
  if ('lost' in claimed) return claimed.lost;
  // Delivered with the token the claimed task holds: a retried assign-task may have renewed it (with
  // the same link) after the task was read, and the token read then no longer reaches the wait.
  const delivered = await deliver({ ...decision, task: { ...task, taskToken: claimed.taskToken } }, deps);
  if (delivered) return delivered;
  return followUp(decision, request, deps);
}

/** A valid decision on its way: the task it decides and what the claim keeps of it. */
interface Decided {
  task: TaskRecord;
  decidedAt: string;
  parsed: ParsedDecision;
  stored: StoredDecision;
  origin: DecisionOrigin;
}

const logFields = (task: TaskRecord) => ({ taskId: task.taskId, requestId: task.requestId, kind: task.kind });

/**
 * Claims the task for this decision, once: the claimed task's current token when the claim is ours;
 * else what to answer.
 */
async function claim(
  { task, decidedAt, parsed, stored, origin }: Decided,
  submission: DecisionSubmission,
  deps: DecideDeps,
): Promise<{ taskToken: string } | { lost: DecideResult }> {
  const { output } = parsed;
  try {
    // The claim keeps what is still to be done with the decision (never the licence key) and puts the
    // task on the UNDELIVERED index: a crash from here on leaves the decision to the decision sweep
    // (decision-recovery.ts) instead of stranding it until the step times out.
    const claimed = await deps.store.claimTask(task.taskId, {
      // A member without the link claims with the task's own hash: the claim stays single-use.
      secretHash:
        submission.actor && !submission.secret ? task.secretHash : hashSecret(submission.secret ?? ''),
      decision: output.decision,
      decidedBy: output.decidedBy,
      decidedAt,
      delivery: { decision: stored, origin },
    });
    return { taskToken: claimed?.taskToken ?? task.taskToken };
  } catch (error) {
    if (!(error instanceof ConflictError)) {
      // The write may have landed with its answer lost (timeout, reset): then the claim is ours and
      // the decision must still reach Step Functions, or the execution would wait until it times out.
      const landed = await claimLanded(task.taskId, decidedAt, output.decidedBy, deps);
      if (!landed) throw error;
      logger.warn('Claim answer lost but the claim landed; delivering the decision', logFields(task));
      return { taskToken: landed.taskToken };
    }
    const access: LinkAccess = submission.actor ? 'member' : 'link';
    const current = await loadLink(
      task.taskId,
      submission.secret,
      deps,
      submission.audience ?? 'team',
      access,
    );
    logger.info('Decision lost the claim', { ...logFields(task), state: current.state });
    return { lost: current.state === 'open' ? { state: 'conflict', task } : current };
  }
}

/**
 * Stores a licence key apart, then delivers the decision to Step Functions. Undefined once it was
 * accepted; else what to answer (too late, or not recorded with the claim released).
 */
async function deliver(decision: Decided, deps: DecideDeps): Promise<DecideResult | undefined> {
  const { task, decidedAt, parsed, stored, origin } = decision;
  const { output, licenseKey } = parsed;
  let waitOver: string | undefined;
  try {
    if (licenseKey) {
      await deps.store.storeLicenseKey(task.requestId, {
        licenseKey,
        taskId: task.taskId,
        storedAt: decidedAt,
        storedBy: output.decidedBy,
      });
      stored.licenseKeyStored = true;
      // The claim kept that a key was given; a replay may only say it was stored once this lands (a
      // lost mark makes a replay report the key lost: the decider enters it again, nothing leaks).
      await bestEffort('mark licence key stored', () =>
        deps.store.markTaskLicenseKeyStored(task.taskId, { decidedAt }),
      );
    }
    ({ waitOver } = await deliverDecision(task, output, deps.sfn));
  } catch (error) {
    const log = logFields(task);
    logger.error('Decision not delivered to Step Functions; claim released', {
      ...log,
      errorName: errorName(error),
    });
    try {
      await deps.store.releaseTask(task.taskId, { decidedAt, team: task.team });
    } catch (releaseError) {
      // The claim stays on the UNDELIVERED index: the decision sweep delivers it in a few minutes.
      logger.error('Could not release the task claim: the decision sweep delivers it later', {
        ...log,
        errorName: errorName(releaseError),
      });
      return { state: 'delivery-pending', task };
    }
    return { state: 'not-recorded', task };
  }
  return waitOver ? tooLate(task, output, waitOver, origin, deps) : undefined;
}

/** What follows a decision Step Functions accepted: its progress marks and its follow-up. */
async function followUp(
  { task, decidedAt, parsed: { output }, stored, origin }: Decided,
  request: RequestRecord,
  deps: DecideDeps,
): Promise<DecideResult> {
  logger.info('Decision recorded', { ...logFields(task), decision: output.decision });
  // Progress marks, each after its side effect: a crash from here on leaves the sweep only the
  // follow-up. "Delivered" is written alongside the follow-up, not before it: the next step's
  // assign-task may already be reading the facts and the audit trail (an answer to a question is read
  // from it), and a lost mark is harmless (the sweep finds the decision delivered, decision-recovery.ts).
  const claimed = { decidedAt, at: deps.now().toISOString() };
  const decided: TaskRecord = { ...task, status: 'DECIDED', decidedAt, decidedBy: output.decidedBy };
  const [, { incomplete, emailPending }] = await Promise.all([
    bestEffort('mark decision delivered', () => deps.store.markTaskDelivered(task.taskId, claimed)),
    afterDecision(decided, request, stored, origin, deps),
  ]);
  // Anything still missing (a write or the requester's email) keeps the task on the index: the sweep
  // tries it again.
  if (!incomplete.length && !emailPending) {
    await bestEffort('mark decision followed up', () =>
      deps.store.markTaskFollowedUp(task.taskId, { decidedAt, at: deps.now().toISOString() }),
    );
  }
  return { state: 'recorded', task: decided, output, ...(incomplete.length ? { incomplete } : {}) };
}

async function tooLate(
  task: TaskRecord,
  output: DecisionOutput,
  errorName: string,
  origin: DecisionOrigin,
  deps: Pick<DecideDeps, 'store'>,
): Promise<DecideResult> {
  logger.warn('Decision arrived after the wait ended', {
    taskId: task.taskId,
    requestId: task.requestId,
    kind: task.kind,
    errorName,
  });
  await recordTooLate(task, output, errorName, origin, deps.store);
  return { state: 'too-late', task: { ...task, status: 'TIMED_OUT' } };
}
