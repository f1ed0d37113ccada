/**
 * Out of office: "my tasks go to X until a date". X must have signed in here and share a task team
 * with me now (directory); the date is today or later, within a year. Taking effect is elsewhere: the
 * queue's assign, and reminders (reminders.ts), send an away person's work to X.
 */
import { ValidationError } from '../core/errors.ts';
import { type CallerDeps, type Identity, type PeopleStore, ssoDeps } from '../identity/index.ts';
import { taskTeamsOf } from './queue.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_AWAY_DAYS = 366;

export interface AwayDeps {
  caller: CallerDeps;
  store: Pick<PeopleStore, 'getPerson' | 'setAway' | 'recordSignIn'>;
  now: () => Date;
}

/** Sets (`clear`: ends) the person's out-of-office; a ValidationError names the field at fault. */
export async function setAway(
  person: Identity,
  values: { delegateTo?: unknown; until?: unknown; clear?: unknown },
  deps: AwayDeps,
): Promise<{ delegateTo: string; until: string } | null> {
  // The person record exists from sign-in; a session older than the record (a restored table) makes it.
  if (!(await deps.store.getPerson(person.email))) {
    await deps.store.recordSignIn(person, deps.now().toISOString());
  }
  if (values.clear !== undefined) {
    await deps.store.setAway(person.email, null);
    return null;
  }
  const today = deps.now().toISOString().slice(0, 10);
  const until = typeof values.until === 'string' ? values.until.trim() : '';
  const latest = new Date(deps.now().getTime() + MAX_AWAY_DAYS * 86_400_000).toISOString().slice(0, 10);
  if (!DATE.test(until) || Number.isNaN(Date.parse(until)) || until < today || until > latest) {
    throw new ValidationError([
      { field: 'until', message: `Give the last day away as a date from ${today} to ${latest}` },
    ]);
  }
  const delegateTo = typeof values.delegateTo === 'string' ? values.delegateTo.trim().toLowerCase() : '';
  const delegate =
    delegateTo && delegateTo !== person.email ? await deps.store.getPerson(delegateTo) : undefined;
  const groups = delegate ? await ssoDeps(deps.caller).directory.groupsOf(delegate.username) : [];
  if (!delegate || !taskTeamsOf(person).some((team) => groups.includes(team))) {
    throw new ValidationError([
      {
        field: 'delegateTo',
        message: 'Give the address of a teammate who has signed in here (not your own)',
      },
    ]);
  }
  const away = { delegateTo: delegate.email, until };
  await deps.store.setAway(person.email, away);
  return away;
}
