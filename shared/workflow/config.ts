/**
 * The configuration that speaks of the district's teams and steps: each team's address and each human
 * step's deadline. Read once, at load, through the core's env helpers; a bad value names its variable.
 */

import { type Env, requireEnv } from '../core/env.ts';
import { ConfigError } from '../core/errors.ts';
import { isRecord } from '../core/guards.ts';
import { isEmailAddress } from '../core/text/email-address.ts';
import { type DeadlineDays, parseDeadlineDays } from './deadlines.ts';
import type { Team } from './task-kinds.ts';

/**
 * The human-step deadlines of a deployment: cdk.json context `humanStepDeadlineDays` (task kind → days;
 * kinds left out keep shared/workflow/deadlines.ts's defaults). CDK (cdk/config.ts) and the local runtime
 * (local/config.ts) both read them through here; they reach the ASL as resolved TimeoutSeconds.
 */
export function deadlineDaysFromContext(context: Record<string, unknown>): DeadlineDays {
  return parseDeadlineDays(context.humanStepDeadlineDays);
}

export type TeamEmails = Record<Team, string>;

/** TEAM_EMAILS: JSON object from team (cybersecurity, instructional-technology, dii, aas) to its address. */
export function readTeamEmails(env: Env = process.env): TeamEmails {
  const raw = requireEnv('TEAM_EMAILS', env);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new ConfigError('TEAM_EMAILS must be a JSON object of team to email address', { cause });
  }
  if (!isRecord(parsed)) throw new ConfigError('TEAM_EMAILS must be a JSON object');
  const emailOf = (team: Team): string => {
    const email = parsed[team];
    if (typeof email !== 'string' || !isEmailAddress(email)) {
      throw new ConfigError(`TEAM_EMAILS.${team} must be an email address`);
    }
    return email;
  };
  // Every team, in TEAMS' order (the first bad one is reported); TeamEmails makes the list complete.
  return {
    cybersecurity: emailOf('cybersecurity'),
    'instructional-technology': emailOf('instructional-technology'),
    dii: emailOf('dii'),
    aas: emailOf('aas'),
  };
}
