/**
 * The state notice clocks of a data incident (cdk.json `incidentClocks`): each a name and a number of
 * days counted from the incident's date, e.g. Illinois SOPPA "notify parents" within 30 days, New York
 * Ed Law 2-d "contractor to district" within 7. Read once, validated; the review task shows each due date.
 */
import { type Env, optionalEnv } from '../core/env.ts';
import { ConfigError } from '../core/errors.ts';
import { isRecord } from '../core/guards.ts';

export interface IncidentClock {
  name: string;
  days: number;
}

export const DEFAULT_INCIDENT_CLOCKS: readonly IncidentClock[] = [
  { name: 'notify parents', days: 30 },
  { name: 'contractor to district', days: 7 },
];

/** A clock may not run past the incident review's deadline bounds (one year at most). */
const MAX_CLOCK_DAYS = 365;

/** Checks cdk.json's `incidentClocks` (absent: the defaults). ConfigError names every bad entry. */
export function parseIncidentClocks(raw: unknown): IncidentClock[] {
  if (raw === undefined || raw === null) return [...DEFAULT_INCIDENT_CLOCKS];
  if (!Array.isArray(raw)) {
    throw new ConfigError('incidentClocks must be a list of { "name": text, "days": whole number }');
  }
  const problems: string[] = [];
  const clocks = raw.flatMap((clock: unknown, i): IncidentClock[] => {
    const name = isRecord(clock) && typeof clock.name === 'string' ? clock.name.trim() : '';
    const days = isRecord(clock) ? clock.days : undefined;
    if (!name || name.length > 100) problems.push(`incidentClocks[${i}].name: a text of 1 to 100 characters`);
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_CLOCK_DAYS) {
      problems.push(`incidentClocks[${i}].days: a whole number of days from 1 to ${MAX_CLOCK_DAYS}`);
      return [];
    }
    return name && name.length <= 100 ? [{ name, days }] : [];
  });
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return clocks;
}

/** INCIDENT_CLOCKS (JSON, as CDK writes it from cdk.json); the defaults when unset. */
export function readIncidentClocks(env: Env = process.env): IncidentClock[] {
  const raw = optionalEnv('INCIDENT_CLOCKS', '', env);
  if (!raw) return [...DEFAULT_INCIDENT_CLOCKS];
  try {
    return parseIncidentClocks(JSON.parse(raw));
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError('INCIDENT_CLOCKS must be a JSON list of clocks', { cause });
  }
}

/** Each clock's due date (YYYY-MM-DD), counted in calendar days from the incident's date. */
export function clockDates(
  reportedOn: string,
  clocks: readonly IncidentClock[],
): { name: string; days: number; dueOn: string }[] {
  const start = Date.parse(`${reportedOn}T00:00:00Z`);
  return clocks.map((c) => ({
    ...c,
    dueOn: new Date(start + c.days * 86_400_000).toISOString().slice(0, 10),
  }));
}
