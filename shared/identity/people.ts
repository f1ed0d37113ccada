/**
 * People who have signed in (PERSON#email): the name and teams their last sign-in gave, and their
 * out-of-office setting. The queue assigns only to people known here (and still in the team, asked
 * of the directory); reminders and new tasks follow an away person's delegate.
 */
import { personKey } from '../core/store/keys.ts';
import type { Table } from '../core/store/table.ts';
import type { Identity, IdentityGroup } from './types.ts';

/** Out of office: my tasks go to `delegateTo` until the end of `until` (a date, YYYY-MM-DD). */
export interface Away {
  until: string;
  delegateTo: string;
}

export interface PersonRecord {
  email: string;
  sub: string;
  username: string;
  name: string;
  teams: IdentityGroup[];
  lastSignInAt: string;
  away?: Away;
}

export class PeopleStore {
  constructor(private readonly table: Table) {}

  /** At each sign-in: who they are now (an away setting is kept). */
  async recordSignIn(person: Identity, at: string): Promise<void> {
    await this.table.update('Record sign-in', {
      Key: personKey(person.email),
      UpdateExpression:
        'SET entity = :entity, email = :email, #sub = :sub, username = :username, #name = :name, teams = :teams, lastSignInAt = :at',
      ExpressionAttributeNames: { '#sub': 'sub', '#name': 'name' },
      ExpressionAttributeValues: {
        ':entity': 'person',
        ':email': person.email,
        ':sub': person.sub,
        ':username': person.username,
        ':name': person.name,
        ':teams': person.teams,
        ':at': at,
      },
    });
  }

  async getPerson(email: string): Promise<PersonRecord | undefined> {
    return this.table.get<PersonRecord>('Read person', personKey(email.toLowerCase()));
  }

  /** Sets (or with null, ends) a person's out-of-office; only for someone who has signed in. */
  async setAway(email: string, away: Away | null): Promise<void> {
    await this.table.update('Set out of office', {
      Key: personKey(email),
      UpdateExpression: away ? 'SET away = :away' : 'REMOVE away',
      ConditionExpression: 'attribute_exists(PK)',
      ...(away ? { ExpressionAttributeValues: { ':away': away } } : {}),
    });
  }
}

/** Whom work for `email` goes to on `today` (YYYY-MM-DD): their delegate while away, else them. */
export function workGoesTo(person: PersonRecord | undefined, email: string, today: string): string {
  const away = person?.away;
  return away && away.until >= today ? away.delegateTo : email;
}
