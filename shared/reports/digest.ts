/**
 * The weekly digest (issue 21): to Technology Services, the overdue tasks of every team (with the
 * links a signed-in member opens them by), the week's service-level misses and the requests waiting on
 * a vendor; to each team, its own overdue tasks. It runs on a schedule (every hour in AWS, every few
 * minutes locally) and sends each recipient's email once per ISO week, through the outbox
 * (docs/design.md "Outbox") under `digest#<week>#<recipients>` in the reports' partition
 * (DIGEST_OUTBOX_OWNER): a later run that week finds it recorded and sends nothing again; an email SES
 * refused is released, so the next run sends it; the outbox sweep sends what a run that died left
 * recorded. A team whose first overdue task comes later in the week gets its email with that run.
 */
import { html } from '../core/html/html.ts';
import { logger } from '../core/logger.ts';
import type { Email, Mailer } from '../core/mail/mailer.ts';
import { type SendOnceDeps, sendAfterRecord } from '../core/mail/send-once.ts';
import { DIGEST_OUTBOX_OWNER } from '../core/store/keys.ts';
import type { RecordResult } from '../core/store/outbox.ts';
import { TASK_KINDS, type TaskRecord, TEAMS, type Team, type TeamEmails } from '../workflow/index.ts';

export interface DigestDeps {
  store: SendOnceDeps['outbox'] & {
    listPendingTasks(team: Team): Promise<TaskRecord[]>;
    listDecidedTasks(
      month: string,
      after?: Record<string, unknown>,
    ): Promise<{ tasks: TaskRecord[]; next: Record<string, unknown> | undefined }>;
  };
  mailer: Mailer;
  now: () => Date;
  publicBaseUrl: string;
  teamEmails: TeamEmails;
  /** Technology Services (ESCALATION_EMAIL); without it only the teams get their digest. */
  technologyServices?: string;
}

const DAY_MS = 86_400_000;

/** ISO week of a date: `2026-W49`. */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const VENDOR_KINDS = new Set(['dpa-signature', 'ssl-remediation']);

export interface DigestResult {
  week: string;
  sent: number;
  overdue: number;
  missed: number;
  waitingOnVendors: number;
  skipped?: string;
}

export async function sendWeeklyDigest(deps: DigestDeps): Promise<DigestResult> {
  const now = deps.now();
  const week = isoWeek(now);
  const teams = Object.keys(TEAMS).filter((t): t is Team => t in deps.teamEmails);
  const pending = (await Promise.all(teams.map((team) => deps.store.listPendingTasks(team)))).flat();
  const overdue = pending.filter(
    (t) => t.status === 'PENDING' && t.dueBy !== undefined && now.toISOString() > t.dueBy,
  );
  const waiting = pending.filter(
    (t) => VENDOR_KINDS.has(t.kind) || (t.kind === 'answer' && t.question?.recipient === 'vendor'),
  );
  const missed = await missedThisWeek(now, deps);
  const counts = { week, overdue: overdue.length, missed: missed.length, waitingOnVendors: waiting.length };
  // A week with nothing to say sends nothing (and a later run that week may still find something).
  if (overdue.length + missed.length + waiting.length === 0)
    return { ...counts, sent: 0, skipped: 'nothing to report' };
  const emails: { to: string; email: Email }[] = [];
  if (deps.technologyServices) {
    emails.push({
      to: 'technology-services',
      email: digestEmail([deps.technologyServices], week, { overdue, missed, waiting }, deps.publicBaseUrl),
    });
  }
  for (const team of teams) {
    const mine = overdue.filter((t) => t.team === team);
    if (mine.length)
      emails.push({
        to: team,
        email: digestEmail([deps.teamEmails[team]], week, { overdue: mine }, deps.publicBaseUrl, team),
      });
  }
  const outbox = { outbox: deps.store, mailer: deps.mailer, now: deps.now };
  // All recorded before any is sent: a run that dies midway leaves the rest to the outbox sweep.
  const recorded: RecordResult[] = [];
  for (const { to, email } of emails) {
    recorded.push(await deps.store.recordEffect(DIGEST_OUTBOX_OWNER, `digest#${week}#${to}`, email));
  }
  let sent = 0;
  // SES refusing one releases it (the next run records it again) and stops this run: the emails after
  // it stay recorded for the outbox sweep. One held from before is left, or taken once its sender is
  // a minute gone (sendOnce's rule).
  for (const [i, r] of recorded.entries()) {
    const email = emails[i]?.email;
    if (!email) continue;
    const out = await sendAfterRecord(outbox, r, email);
    if (out.outcome === 'sent' && !out.before) sent++;
  }
  if (sent === 0 && !recorded.some((r) => r.recorded)) {
    return { ...counts, sent: 0, skipped: 'already sent this week' };
  }
  logger.info('Weekly digest sent', { ...counts, emails: sent });
  return { ...counts, sent };
}

/** Tasks decided in the last 7 days after their service level (this month's and last month's rows). */
async function missedThisWeek(now: Date, deps: DigestDeps): Promise<TaskRecord[]> {
  const since = new Date(now.getTime() - 7 * DAY_MS).toISOString();
  const months = [...new Set([since.slice(0, 7), now.toISOString().slice(0, 7)])];
  const out: TaskRecord[] = [];
  for (const month of months) {
    let after: Record<string, unknown> | undefined;
    do {
      const page = await deps.store.listDecidedTasks(month, after);
      out.push(
        ...page.tasks.filter((t) => t.decidedAt && t.decidedAt >= since && t.dueBy && t.decidedAt > t.dueBy),
      );
      after = page.next;
    } while (after);
  }
  return out;
}

function line(task: TaskRecord, base: string): { text: string; link: string } {
  const spec = TASK_KINDS[task.kind];
  const link = `${base}/tasks/${encodeURIComponent(task.taskId)}`;
  const due = task.dueBy ? ` (due ${task.dueBy.slice(0, 10)})` : '';
  return { text: `${spec.title}, request ${task.requestId}, ${TEAMS[spec.team]}${due}`, link };
}

function digestEmail(
  to: string[],
  week: string,
  parts: { overdue: TaskRecord[]; missed?: TaskRecord[]; waiting?: TaskRecord[] },
  base: string,
  team?: Team,
): Email {
  const sections: [string, TaskRecord[]][] = [
    [team ? `Your team's overdue tasks` : 'Overdue tasks (past their service level)', parts.overdue],
  ];
  if (parts.missed) sections.push(['Service levels missed this week', parts.missed]);
  if (parts.waiting) sections.push(['Waiting on a vendor', parts.waiting]);
  const text = sections
    .map(([title, tasks]) => {
      const lines = tasks.map((t) => {
        const l = line(t, base);
        return `- ${l.text}: ${l.link}`;
      });
      return `${title} (${tasks.length})\n${lines.join('\n') || '- none'}`;
    })
    .join('\n\n');
  const body = html`${sections.map(
    ([title, tasks]) =>
      html`<h2>${title} (${tasks.length})</h2><ul>${
        tasks.length
          ? tasks.map((t) => {
              const l = line(t, base);
              return html`<li><a href="${l.link}">${l.text}</a></li>`;
            })
          : html`<li>none</li>`
      }</ul>`,
  )}<p><a href="${base}/reports">The reports</a> · <a href="${base}/queue">The work queue</a></p>`;
  return {
    to,
    tags: { kind: 'digest' },
    subject: `Software requests, week ${week}: ${parts.overdue.length} overdue${team ? ` for ${TEAMS[team]}` : ''}`,
    text: `${text}\n\nThe reports: ${base}/reports\nThe work queue: ${base}/queue\n`,
    html: body.value,
  };
}
