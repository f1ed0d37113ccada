/**
 * The team work queue's rules (AUTH_MODE=sso), over an in-memory store: only the task's team sees and
 * moves a task, taking is first-come (a taken task is not taken again), only the holder gives it back,
 * an assignee must have signed in and be in the team now, and out-of-office needs a teammate and a
 * date within a year. Every move is audited with the verified actor; a refused one changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '#shared/core/errors.ts';
import type { Away, IdentityGroup, PersonRecord } from '#shared/identity/index.ts';
import { setAway } from '#shared/tasks/away.ts';
import { moveTask, type QueueDeps, teamQueue } from '#shared/tasks/queue.ts';
import type { Assignee, AuditEvent, TaskRecord } from '#shared/workflow/records.ts';
import { person, ssoCaller } from '../../support/sso-kit.ts';
import { NOW, taskRecord } from '../../support/task-kit.ts';

const PAT = person('pat@district.example.org', ['cybersecurity']);
const LEE = person('lee@district.example.org', ['cybersecurity']);
const SAM = person('sam@district.example.org', ['dii']);

function world(groups: Record<string, IdentityGroup[]> = {}) {
  const task: TaskRecord = taskRecord({ kind: 'privacy-review', team: 'cybersecurity', sopStep: 4 });
  const people = new Map<string, PersonRecord>(
    [PAT, LEE, SAM].map((p) => [p.email, { ...p, lastSignInAt: NOW.toISOString() }]),
  );
  const audit: AuditEvent[] = [];
  const directory = new Map(Object.entries(groups));
  const kit = ssoCaller(() => NOW, directory);
  const store = {
    listPendingTasks: async (team: string) => (task.team === team && task.status === 'PENDING' ? [task] : []),
    getTask: async (id: string) => (id === task.taskId ? structuredClone(task) : undefined),
    setTaskAssignee: async (_id: string, to: Assignee | null, from?: string | null) => {
      const holder = task.assignee?.email;
      const ok = from === undefined || (from === null ? holder === undefined : holder === from);
      if (task.status !== 'PENDING' || !ok) throw new ConflictError('condition failed');
      if (to) task.assignee = to;
      else delete task.assignee;
    },
    getPerson: async (email: string) => people.get(email),
    appendAudit: async (event: Omit<AuditEvent, 'at'> & { at?: string }) => {
      const stored = { at: NOW.toISOString(), ...event };
      audit.push(stored);
      return stored;
    },
    setAway: async (email: string, away: Away | null) => {
      const record = people.get(email);
      if (!record) throw new ConflictError('no person');
      if (away) record.away = away;
      else delete record.away;
    },
    recordSignIn: async () => undefined,
  };
  const deps: QueueDeps & Parameters<typeof setAway>[2] = { caller: kit.deps, store, now: () => NOW };
  // Sessions of the seeded people (the directory then answers their session's teams).
  const signedIn = Promise.all([PAT, LEE, SAM].map((p) => kit.signIn(p)));
  return { task, people, audit, directory, deps, signedIn };
}

describe('the team work queue', () => {
  it("lists the pending tasks of my teams only, with the step's title and deadline", async () => {
    const w = world();
    await w.signedIn;
    expect(await teamQueue(PAT, w.deps)).toEqual([
      expect.objectContaining({
        taskId: w.task.taskId,
        team: 'cybersecurity',
        dueAt: w.task.expiresAt,
        assignee: null,
      }),
    ]);
    expect(await teamQueue(SAM, w.deps)).toEqual([]);
  });

  it('lets a member take a task once: a teammate who tries next is told who has it, and nothing changes', async () => {
    const w = world();
    await w.signedIn;
    await moveTask(PAT, w.task.taskId, 'claim', {}, w.deps);
    await expect(moveTask(LEE, w.task.taskId, 'claim', {}, w.deps)).rejects.toThrow(
      /Name of pat .* has this task/,
    );
    expect(w.task.assignee?.email).toBe(PAT.email);
    expect(w.audit.map((e) => e.type)).toEqual(['TASK_ASSIGNEE_CHANGED']);
    expect(w.audit[0]?.detail).toMatchObject({ action: 'claim', actor: { email: PAT.email, via: 'sso' } });
  });

  it('lets only the holder give a task back', async () => {
    const w = world();
    await w.signedIn;
    await moveTask(PAT, w.task.taskId, 'claim', {}, w.deps);
    await expect(moveTask(LEE, w.task.taskId, 'release', {}, w.deps)).rejects.toBeInstanceOf(ConflictError);
    await moveTask(PAT, w.task.taskId, 'release', {}, w.deps);
    expect(w.task.assignee).toBeUndefined();
  });

  it('assigns only to a teammate who signed in and is in the team now; an away teammate’s delegate gets it', async () => {
    const w = world();
    await w.signedIn;
    await expect(
      moveTask(PAT, w.task.taskId, 'assign', { assignee: SAM.email }, w.deps),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      moveTask(PAT, w.task.taskId, 'assign', { assignee: 'nobody@district.example.org' }, w.deps),
    ).rejects.toBeInstanceOf(ValidationError);
    const lee = w.people.get(LEE.email);
    if (lee) lee.away = { delegateTo: PAT.email, until: '2099-01-01' };
    const { assignee } = await moveTask(PAT, w.task.taskId, 'assign', { assignee: LEE.email }, w.deps);
    expect(assignee?.email).toBe(PAT.email);
  });

  it('refuses a member of another team (403), audits it, and changes nothing', async () => {
    const w = world();
    await w.signedIn;
    await expect(moveTask(SAM, w.task.taskId, 'claim', {}, w.deps)).rejects.toMatchObject({ status: 403 });
    expect(w.task.assignee).toBeUndefined();
    expect(w.audit.map((e) => e.type)).toEqual(['TASK_ACCESS_REFUSED']);
  });

  it('refuses someone removed from the team since signing in', async () => {
    const w = world({ [PAT.username]: [] });
    await w.signedIn;
    w.directory.set(PAT.username, []);
    await expect(moveTask(PAT, w.task.taskId, 'claim', {}, w.deps)).rejects.toMatchObject({ status: 403 });
    expect(w.task.assignee).toBeUndefined();
  });
});

describe('out of office', () => {
  it('sends my work to a teammate until a date, and ends it when I am back', async () => {
    const w = world();
    await w.signedIn;
    expect(await setAway(PAT, { delegateTo: LEE.email, until: '2026-12-24' }, w.deps)).toEqual({
      delegateTo: LEE.email,
      until: '2026-12-24',
    });
    expect(w.people.get(PAT.email)?.away).toEqual({ delegateTo: LEE.email, until: '2026-12-24' });
    await setAway(PAT, { clear: '1' }, w.deps);
    expect(w.people.get(PAT.email)?.away).toBeUndefined();
  });

  it.each([
    ['a date in the past', { delegateTo: LEE.email, until: '2020-01-01' }, 'until'],
    ['a date more than a year away', { delegateTo: LEE.email, until: '2099-01-01' }, 'until'],
    ['not a date', { delegateTo: LEE.email, until: 'next week' }, 'until'],
    ['myself', { delegateTo: PAT.email, until: '2026-12-24' }, 'delegateTo'],
    ['someone of another team', { delegateTo: SAM.email, until: '2026-12-24' }, 'delegateTo'],
    [
      'someone who never signed in',
      { delegateTo: 'x@district.example.org', until: '2026-12-24' },
      'delegateTo',
    ],
  ])('refuses %s, naming the field, and changes nothing', async (_what, values, field) => {
    const w = world();
    await w.signedIn;
    await expect(setAway(PAT, values, w.deps)).rejects.toMatchObject({
      errors: [expect.objectContaining({ field })],
    });
    expect(w.people.get(PAT.email)?.away).toBeUndefined();
  });
});
