/**
 * The team work queue (AUTH_MODE=sso): the pending tasks of the signed-in person's teams, who has
 * taken each, and the three moves on a task: take it, give it back to the team, or assign it to a
 * teammate (someone who has signed in and is in the team now, per the directory). An away teammate's
 * work goes to their delegate. Every move is a conditional write on the task and joins the request's
 * audit trail with the verified actor.
 */
import { ConflictError, ValidationError } from '../core/errors.ts';
import {
  AccessDeniedError,
  type CallerDeps,
  type Identity,
  type PeopleStore,
  requireMemberNow,
  ssoDeps,
  workGoesTo,
} from '../identity/index.ts';
import type { RequestStore } from '../requests/index.ts';
import { type Assignee, TASK_KINDS, type TaskRecord, TEAMS, type Team } from '../workflow/index.ts';
import type { TaskStore } from './store.ts';
import { isTaskId } from './task-links.ts';
import { refuse } from './team-access.ts';

export interface QueueDeps {
  caller: CallerDeps;
  store: Pick<TaskStore, 'listPendingTasks' | 'getTask' | 'setTaskAssignee'> &
    Pick<PeopleStore, 'getPerson'> &
    Pick<RequestStore, 'appendAudit'>;
  now: () => Date;
}

export interface QueueItem {
  taskId: string;
  requestId: string;
  kind: TaskRecord['kind'];
  title: string;
  team: Team;
  assignedAt: string;
  /** The step's deadline: the workflow closes the request then. */
  dueAt: string;
  /** Past the step's service level (cdk.json `serviceLevelDays`); the deadline closes it later. */
  overdue: boolean;
  assignee: { email: string; name: string } | null;
  /** The task page, for a member of the team (no emailed link needed). */
  link: string;
}

export const QUEUE_ACTIONS = ['claim', 'release', 'assign'] as const;
export type QueueAction = (typeof QUEUE_ACTIONS)[number];

/** The teams of `person` that have tasks (Technology Services and the auditors decide none). */
export function taskTeamsOf(person: Pick<Identity, 'teams'>): Team[] {
  return person.teams.filter((group): group is Team => group in TEAMS);
}

/** The pending tasks of the person's teams, soonest deadline first. */
export async function teamQueue(person: Identity, deps: QueueDeps): Promise<QueueItem[]> {
  const now = deps.now();
  const lists = await Promise.all(taskTeamsOf(person).map((team) => deps.store.listPendingTasks(team)));
  return lists
    .flat()
    .filter((task) => task.status === 'PENDING' && task.kind !== 'answer')
    .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt) || a.taskId.localeCompare(b.taskId))
    .map((task) => queueItem(task, now));
}

function queueItem(task: TaskRecord, now: Date): QueueItem {
  return {
    taskId: task.taskId,
    requestId: task.requestId,
    kind: task.kind,
    title: TASK_KINDS[task.kind].title,
    team: task.team,
    assignedAt: task.createdAt,
    dueAt: task.expiresAt,
    overdue: task.dueBy !== undefined && now.toISOString() > task.dueBy,
    assignee: task.assignee ? { email: task.assignee.email, name: task.assignee.name } : null,
    link: `/tasks/${encodeURIComponent(task.taskId)}`,
  };
}

/**
 * Takes, releases or assigns a pending task of one of the person's teams. The person must be in the
 * task's team now (directory); `assignee` (assign) must have signed in before and be in it too.
 */
export async function moveTask(
  person: Identity,
  taskId: string,
  action: QueueAction,
  values: { assignee?: unknown },
  deps: QueueDeps,
): Promise<{ task: TaskRecord; assignee: Assignee | null }> {
  const sso = ssoDeps(deps.caller);
  const task = isTaskId(taskId) ? await deps.store.getTask(taskId) : undefined;
  if (!task || task.kind === 'answer')
    throw new ValidationError([{ field: 'taskId', message: 'No such task' }]);
  let actor: Identity;
  try {
    actor = await requireMemberNow(person, task.team, sso);
  } catch (error) {
    if (error instanceof AccessDeniedError) await refuse(task, person, deps, `tried to ${action}`);
    throw error;
  }
  if (task.status !== 'PENDING') throw new ConflictError('This task was already decided or has closed');
  const since = deps.now().toISOString();
  const me: Assignee = { email: actor.email, name: actor.name, since };
  let assignee: Assignee | null;
  try {
    if (action === 'claim') {
      assignee = me;
      await deps.store.setTaskAssignee(taskId, me, task.assignee?.email === me.email ? me.email : null);
    } else if (action === 'release') {
      assignee = null;
      await deps.store.setTaskAssignee(taskId, null, me.email);
    } else {
      assignee = await teammate(values.assignee, task.team, since, deps);
      await deps.store.setTaskAssignee(taskId, assignee);
    }
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const holder = (await deps.store.getTask(taskId))?.assignee;
    throw new ConflictError(
      holder ? `${holder.name} (${holder.email}) has this task now` : 'This task is no longer pending',
      { cause: error },
    );
  }
  await deps.store.appendAudit({
    requestId: task.requestId,
    sopStep: task.sopStep,
    type: 'TASK_ASSIGNEE_CHANGED',
    summary: assignee
      ? `${actor.name} gave the ${TASK_KINDS[task.kind].title.toLowerCase()} task to ${assignee.name}`
      : `${actor.name} gave the ${TASK_KINDS[task.kind].title.toLowerCase()} task back to the team`,
    actor: actor.email,
    detail: {
      taskId,
      action,
      assignee: assignee ? { email: assignee.email, name: assignee.name } : null,
      actor: { sub: actor.sub, email: actor.email, name: actor.name, via: 'sso' },
    },
  });
  return { task, assignee };
}

/** The teammate an address names: known here, in the team now; their delegate while they are away. */
async function teammate(raw: unknown, team: Team, since: string, deps: QueueDeps): Promise<Assignee> {
  const email = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  const field = 'assignee';
  if (!email) throw new ValidationError([{ field, message: "Give the teammate's email address" }]);
  const known = await deps.store.getPerson(email);
  const target = known && (await deps.store.getPerson(workGoesTo(known, email, since.slice(0, 10))));
  const sso = ssoDeps(deps.caller);
  const inTeam = target && (await sso.directory.groupsOf(target.username)).includes(team);
  if (!target || !inTeam) {
    throw new ValidationError([
      {
        field,
        message: `${email} is not a member of the ${TEAMS[team]} team who has signed in here`,
      },
    ]);
  }
  return { email: target.email, name: target.name, since };
}
