/**
 * The email that hands a team its task link: to the step's team, with the teams it copies. The
 * assignment sends it, and each reminder again with a new link that replaces the earlier ones.
 */
import type { Email } from '../core/mail/mailer.ts';
import type { RequestRecord, TaskKind, TaskRecord, TeamEmails } from '../workflow/index.ts';
import { copiedTeams, TASK_KINDS } from '../workflow/index.ts';
import { renderTaskEmail, type TaskContext } from './emails/task-email.ts';
import { taskLink } from './task-links.ts';

export interface TeamTaskEmail {
  kind: TaskKind;
  request: RequestRecord;
  task: Pick<TaskRecord, 'taskId' | 'expiresAt'>;
  /** The link secret this email carries (only its hash is stored). */
  secret: string;
  context: TaskContext;
  /** A reminder's number (1 or 2); absent for the assignment. */
  reminder?: number;
}

export function teamTaskEmail(
  { kind, request, task, secret, context, reminder }: TeamTaskEmail,
  deps: { teamEmails: TeamEmails; publicBaseUrl: string },
): Email {
  return renderTaskEmail({
    to: deps.teamEmails[TASK_KINDS[kind].team],
    cc: copiedTeams(kind, deps.teamEmails),
    kind,
    request,
    expiresAt: task.expiresAt,
    link: taskLink(deps.publicBaseUrl, task.taskId, secret),
    context,
    ...(reminder ? { reminder } : {}),
  });
}
