/**
 * The weekly digest (SOP section 4): Technology Services hears of every overdue task (with the link a
 * member opens it by), the week's service-level misses and what waits on a vendor; each team hears of
 * its own overdue tasks; a week's digest goes once, and again only when sending it failed.
 */
import { describe, expect, it } from 'vitest';
import type { Email } from '#shared/core/mail/mailer.ts';
import { DIGEST_OUTBOX_OWNER } from '#shared/core/store/keys.ts';
import { sendUnsentEffects } from '#shared/recovery/outbox-recovery.ts';
import { type DigestDeps, isoWeek, sendWeeklyDigest } from '#shared/reports/digest.ts';
import type { TaskRecord } from '#shared/workflow/records.ts';
import type { Team } from '#shared/workflow/task-kinds.ts';
import { memoryOutbox } from '../../support/memory-outbox.ts';
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
  let failNext = false;
  let clock = NOW;
  const outbox = memoryOutbox(() => clock);
  const deps: DigestDeps = {
    store: {
      ...outbox,
      listPendingTasks: async (team: Team) => pending.filter((t) => t.team === team),
      listDecidedTasks: async (month: string) => ({
        tasks: decided.filter((t) => t.decidedAt?.startsWith(month)),
        next: undefined,
      }),
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
    now: () => clock,
    publicBaseUrl: 'https://requests.district.example',
    teamEmails: TEAM_EMAILS,
    technologyServices: 'ts@district.example',
  };
  return {
    deps,
    sent,
    outbox,
    failOnce: () => {
      failNext = true;
    },
    later: (ms: number) => {
      clock = new Date(clock.getTime() + ms);
    },
  };
}

const pick = (o: ReturnType<typeof memoryOutbox>) => ({
  recordEffect: o.recordEffect,
  claimStaleEffect: o.claimStaleEffect,
  markEffectSent: o.markEffectSent,
  releaseEffect: o.releaseEffect,
});

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

  it('sends each recipient its email once a week, and again only after SES refused it', async () => {
    const w = world([overdue]);
    w.failOnce();
    await expect(sendWeeklyDigest(w.deps)).rejects.toThrow('SES down');
    // The next run (an hour later on AWS): the refused one again, and the one the refusal held back.
    w.later(3_600_000);
    expect((await sendWeeklyDigest(w.deps)).sent).toBe(2);
    expect(await sendWeeklyDigest(w.deps)).toMatchObject({ sent: 0, skipped: 'already sent this week' });
    expect(w.sent).toHaveLength(2);
  });

  it('a run after a refusal does not send again what went out before it', async () => {
    const w = world([overdue]);
    const send = w.deps.mailer.send.bind(w.deps.mailer);
    let calls = 0;
    w.deps.mailer = {
      send: async (email) => {
        calls++;
        if (calls === 2) throw new Error('SES down');
        return send(email);
      },
    };

    await expect(sendWeeklyDigest(w.deps)).rejects.toThrow('SES down');
    expect((await sendWeeklyDigest(w.deps)).sent).toBe(1);
    expect(await sendWeeklyDigest(w.deps)).toMatchObject({ sent: 0, skipped: 'already sent this week' });

    // Technology Services' email went out with the first run; Cybersecurity's with the second.
    expect(w.sent.map((e) => e.to)).toEqual([['ts@district.example'], ['ccs@district.example']]);
  });

  it('a team whose first task falls overdue later in the week gets its own email then; the others nothing again', async () => {
    const w = world([overdue]);
    await sendWeeklyDigest(w.deps);
    const lateDii = taskRecord({ ...onTime, dueBy: '2026-12-09T00:00:00.000Z' });
    const later = world([overdue, lateDii]);
    later.deps.store = { ...later.deps.store, ...pick(w.outbox) };

    expect(await sendWeeklyDigest(later.deps)).toMatchObject({ sent: 1 });
    expect(later.sent.map((e) => e.to)).toEqual([['dii@district.example']]);
  });

  it('a run that died after recording the emails leaves them to the outbox sweep, which sends each once', async () => {
    const w = world([overdue]);
    // The kill: the first send never returns; both emails are recorded.
    w.deps.mailer = { send: () => new Promise(() => undefined) };
    void sendWeeklyDigest(w.deps);
    await new Promise((r) => setTimeout(r, 0));
    const sent: Email[] = [];
    const mailer = {
      send: async (email: Email) => {
        sent.push(email);
        return { messageId: `m-${sent.length}` };
      },
    };

    w.later(61_000);
    const swept = await sendUnsentEffects({ store: w.outbox, mailer, now: w.deps.now });

    expect(swept.sent).toEqual([
      `${DIGEST_OUTBOX_OWNER}/digest#2026-W50#technology-services`,
      `${DIGEST_OUTBOX_OWNER}/digest#2026-W50#cybersecurity`,
    ]);
    expect(sent.map((e) => e.to)).toEqual([['ts@district.example'], ['ccs@district.example']]);
    expect(await sendUnsentEffects({ store: w.outbox, mailer, now: w.deps.now })).toEqual({
      sent: [],
      failed: [],
    });
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
