/**
 * The local provider's people: one member of each group (`<group>@district.example.org`, the auditors'
 * as `auditor@…`) and a teacher in no group, who can request but decide nothing. No passwords: typing
 * the address signs in, which is right on a machine that answers only on loopback.
 */
import { GROUP_LABELS, IDENTITY_GROUPS, type IdentityGroup } from '#shared/identity/index.ts';

export const LOCAL_EMAIL_DOMAIN = 'district.example.org';

export interface LocalUser {
  /** Stable, opaque-looking, and not the address (as real providers' subjects are). */
  sub: string;
  email: string;
  name: string;
  groups: IdentityGroup[];
}

function member(group: IdentityGroup): LocalUser {
  const mailbox = group === 'auditors' ? 'auditor' : group;
  return {
    sub: `local-${mailbox}`,
    email: `${mailbox}@${LOCAL_EMAIL_DOMAIN}`,
    name: `${GROUP_LABELS[group]} (local user)`,
    groups: [group],
  };
}

const TEACHER: LocalUser = {
  sub: 'local-teacher',
  email: `teacher@${LOCAL_EMAIL_DOMAIN}`,
  name: 'Teacher (local user)',
  groups: [],
};

/** Everyone who can sign in locally (npm start prints them). */
export function seededUsers(): LocalUser[] {
  return [...IDENTITY_GROUPS.map(member), TEACHER];
}

/** The user with this address (any letter case), if seeded. */
export function findSeededUser(users: readonly LocalUser[], email: string): LocalUser | undefined {
  const wanted = email.trim().toLowerCase();
  return users.find((user) => user.email === wanted);
}
