/**
 * From the provider's verified ID token claims to a person: subject, email, name and the known
 * groups. Cognito puts the user pool groups in `cognito:groups`; the local provider (and most others)
 * in `groups`. Groups the product does not know (a district's other groups) are dropped.
 */
import { fieldOf } from '../core/guards.ts';
import { isEmailAddress } from '../core/text/email-address.ts';
import { LoginRejectedError } from './errors.ts';
import { knownGroups } from './groups.ts';
import type { Identity, IdentityGroup } from './types.ts';

export const GROUP_CLAIMS = ['cognito:groups', 'groups'] as const;

export function identityFromClaims(claims: unknown): Identity {
  const sub = text(fieldOf(claims, 'sub'));
  const email = text(fieldOf(claims, 'email'))?.toLowerCase();
  if (!sub || !email || !isEmailAddress(email)) throw new LoginRejectedError('claims');
  const username = text(fieldOf(claims, 'cognito:username')) ?? sub;
  return { sub, username, email, name: displayName(claims) ?? email, teams: teamsFromClaims(claims) };
}

export function teamsFromClaims(claims: unknown): IdentityGroup[] {
  return knownGroups(GROUP_CLAIMS.flatMap((claim) => listOf(fieldOf(claims, claim))));
}

/** `name`, else given and family names (Cognito users federated without a `name` attribute). */
function displayName(claims: unknown): string | undefined {
  const name = text(fieldOf(claims, 'name'));
  if (name) return name;
  const parts = [text(fieldOf(claims, 'given_name')), text(fieldOf(claims, 'family_name'))];
  return parts.filter(Boolean).join(' ') || undefined;
}

/** A list claim; a provider that sends a single group as a string is read as a list of one. */
function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}
