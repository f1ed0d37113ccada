/**
 * The provider's groups the product knows. The task teams come from the procedure's vocabulary
 * (TEAMS); Technology Services and the auditors are groups of people, not task teams: they decide no
 * step, they read everything (issue 19, item 5).
 */
import { isOneOf, keysOf } from '../core/guards.ts';
import { TEAMS } from '../workflow/index.ts';
import type { IdentityGroup, OversightGroup } from './types.ts';

export const OVERSIGHT_GROUPS = [
  'technology-services',
  'auditors',
] as const satisfies readonly OversightGroup[];

/** Every group, task teams first, in the order pages list them. */
export const IDENTITY_GROUPS: readonly IdentityGroup[] = [...keysOf(TEAMS), ...OVERSIGHT_GROUPS];

export const GROUP_LABELS: Record<IdentityGroup, string> = {
  ...TEAMS,
  'technology-services': 'Technology Services',
  auditors: 'Auditors',
};

export function isIdentityGroup(value: unknown): value is IdentityGroup {
  return isOneOf(IDENTITY_GROUPS, value);
}

/** The known groups among `names`, once each, in IDENTITY_GROUPS order (unknown names are dropped). */
export function knownGroups(names: Iterable<unknown>): IdentityGroup[] {
  const given = new Set(names);
  return IDENTITY_GROUPS.filter((group) => given.has(group));
}
