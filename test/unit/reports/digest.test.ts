/**
 * The weekly digest (SOP section 4): Technology Services hears of every overdue task (with the link a
 * member opens it by), the week's service-level misses and what waits on a vendor; each team hears of
 * its own overdue tasks; a week's digest goes once, and again only when sending it failed.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError } from '#shared/core/errors.ts';
import type { Email } from '#shared/core/mail/mailer.ts';
import { type DigestDeps, isoWeek, sendWeeklyDigest } from '#shared/reports/digest.ts';
import type { TaskRecord } from '#shared/workflow/records.ts';
import type { Team } from '#shared/workflow/task-kinds.ts';
import { taskRecord } from '../../support/task-kit.ts';

const NOW = new Date('2026-12-10T09:00:00.000Z');
const TEAM_EMAILS = {
  cybersecurity: 'ccs@district.example',
  'instructional-technology': 'it@district.example',
  dii: 'dii@district.example',
  aas: 'aas@district.example',
};

function world(pending: TaskRecord[], decided: TaskRecord[] = []) {
  const sent: Email[] = [];
  const markers = new Map<string, 'SENT' | 'RELEASED'>();
  let failNext = false;
  const deps: DigestDeps = {
    store: {
      listPendingTasks: async (team: Team) => pending.filter((t) => t.team === team),
      listDecidedTasks: async (month: string) => ({
        tasks: decided.filter((t) => t.decidedAt?.startsWith(month)),
        next: undefined,
      }),
      claimDigest: async (week) => {
        if (markers.get(week) === 'SENT') throw new ConflictError('taken');
        markers.set(week, 'SENT');
      },
      releaseDigest: async (week) => {
        markers.set(week, 'RELEASED');
      },
    },
    mailer: {
      send: async (email) => {
        if (failNext) {
          failNext = false;
          throw new Error('SES down');
        }
        sent.push(email);
        return { messageId: String(sent.length) };
      },
    },
    now: () => NOW,
    publicBaseUrl: 'https://requests.district.example',
    teamEmails: TEAM_EMAILS,
    technologyServices: 'ts@district.example',
  };
  return {
    deps,
    sent,
    failOnce: () => {
      failNext = true;
    },
  };
}

const overdue = taskRecord({
  taskId: 'A'.repeat(22),
  kind: 'privacy-review',
  team: 'cybersecurity',
  dueBy: '2026-12-01T00:00:00.000Z',
});
const onTime = taskRecord({
  taskId: 'B'.repeat(22),
  kind: 'technical-review',
  team: 'dii',
  dueBy: '2026-12-20T00:00:00.000Z',
});
const dpa = taskRecord({ taskId: 'C'.repeat(22), kind: 'dpa-signature', team: 'cybersecurity' });
const missed = taskRecord({
  taskId: 'D'.repeat(22),
  kind: 'installation',
  team: 'dii',
  status: 'DECIDED',
  dueBy: '2026-12-05T00:00:00.000Z',
  decidedAt: '2026-12-08T00:00:00.000Z',
});

describe('the weekly digest', () => {
  it('tells Technology Services of overdue tasks with their links, misses of the week and vendor waits', async () => {
    const w = world([overdue, onTime, dpa], [missed]);

    const result = await sendWeeklyDigest(w.deps);

    expect(result).toMatchObject({ week: '2026-W50', overdue: 1, missed: 1, waitingOnVendors: 1, sent: 2 });
    const ts = w.sent.find((e) => e.to.includes('ts@district.example'));
    expect(ts?.text).toContain(`https://requests.district.example/tasks/${overdue.taskId}`);
    expect(ts?.text).toContain('Service levels missed this week (1)');
    expect(ts?.text).toContain('Waiting on a vendor (1)');
    // Each team hears of its own overdue tasks only: DII has none overdue, Cybersecurity one.
    expect(w.sent.map((e) => e.to)).toEqual([['ts@district.example'], ['ccs@district.example']]);
  });

  it('sends a week once, and again only after a failed send', async () => {
    const w = world([overdue]);
    w.failOnce();
    await expect(sendWeeklyDigest(w.deps)).rejects.toThrow('SES down');
    expect((await sendWeeklyDigest(w.deps)).sent).toBe(2);
    expect(await sendWeeklyDigest(w.deps)).toMatchObject({ sent: 0, skipped: 'already sent this week' });
  });

  it('sends nothing in a week with nothing to report', async () => {
    const w = world([onTime]);
    expect(await sendWeeklyDigest(w.deps)).toMatchObject({ sent: 0, skipped: 'nothing to report' });
    expect(w.sent).toEqual([]);
  });

  it('names ISO weeks as the calendar does (a year may start in the last week of the one before)', () => {
    expect(isoWeek(new Date('2027-01-01T12:00:00Z'))).toBe('2026-W53');
    expect(isoWeek(new Date('2026-12-07T00:00:00Z'))).toBe('2026-W50');
  });
});
