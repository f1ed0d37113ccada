/**
 * POST /incidents: what a report of a student data incident must say (docs/design.md "Monitoring"),
 * from a form (`dataElements` repeated, or one per line) or JSON. Every bad field is named at once;
 * nothing is stored until all are good.
 */
import type { FieldError } from '../core/errors.ts';

export interface IncidentInput {
  resourceId: string;
  /** The incident's date (YYYY-MM-DD): the notice clocks count from it. */
  reportedOn: string;
  description: string;
  /** Null: not known yet. */
  studentsAffected: number | null;
  dataElements: string[];
}

export const INCIDENT_LIMITS = {
  description: 4000,
  dataElements: 30,
  dataElement: 100,
  resourceId: 300,
  /** An incident reported this long after it happened is still taken (laws count from discovery too). */
  maxAgeDays: 3 * 365,
  maxStudents: 10_000_000,
} as const;

export type IncidentParse = { ok: true; value: IncidentInput } | { ok: false; errors: FieldError[] };

/** One value of a form field (a repeated field's first) or a JSON value, as text. */
function one(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A list from JSON (an array of texts), a repeated form field, or one text with a line per item. */
function list(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  if (!items.every((i) => typeof i === 'string')) return undefined;
  return items
    .flatMap((i) => i.split(/\r?\n/))
    .map((i) => i.trim())
    .filter(Boolean);
}

const DAY_MS = 86_400_000;

export function parseIncidentInput(body: Record<string, unknown>, now: Date): IncidentParse {
  const errors: FieldError[] = [];
  const resourceId = one(body.resourceId) ?? '';
  if (!resourceId) errors.push({ field: 'resourceId', message: 'Name the resource (its registry id)' });
  else if (resourceId.length > INCIDENT_LIMITS.resourceId) {
    errors.push({ field: 'resourceId', message: 'resourceId is too long' });
  }

  const reportedOn = one(body.reportedOn) ?? '';
  const today = now.toISOString().slice(0, 10);
  const earliest = new Date(now.getTime() - INCIDENT_LIMITS.maxAgeDays * DAY_MS).toISOString().slice(0, 10);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(reportedOn) ||
    Number.isNaN(Date.parse(`${reportedOn}T00:00:00Z`)) ||
    new Date(`${reportedOn}T00:00:00Z`).toISOString().slice(0, 10) !== reportedOn
  ) {
    errors.push({ field: 'reportedOn', message: 'Give the date of the incident as YYYY-MM-DD' });
  } else if (reportedOn > today) {
    errors.push({ field: 'reportedOn', message: 'The incident date cannot be in the future' });
  } else if (reportedOn < earliest) {
    errors.push({ field: 'reportedOn', message: 'The incident date is more than 3 years ago' });
  }

  const description = one(body.description) ?? '';
  if (!description) errors.push({ field: 'description', message: 'Describe what happened' });
  else if (description.length > INCIDENT_LIMITS.description) {
    errors.push({
      field: 'description',
      message: `The description is longer than ${INCIDENT_LIMITS.description} characters`,
    });
  }

  const rawCount = one(body.studentsAffected);
  let studentsAffected: number | null = null;
  if (rawCount === undefined && body.studentsAffected !== undefined && body.studentsAffected !== null) {
    errors.push({
      field: 'studentsAffected',
      message: 'Give the number of students affected as a whole number',
    });
  } else if (rawCount) {
    const n = Number(rawCount);
    if (!/^\d+$/.test(rawCount) || !Number.isSafeInteger(n) || n > INCIDENT_LIMITS.maxStudents) {
      errors.push({
        field: 'studentsAffected',
        message: 'Give the number of students affected as a whole number (leave it empty when not known)',
      });
    } else studentsAffected = n;
  }

  const dataElements = list(body.dataElements ?? body['dataElements[]']);
  if (dataElements === undefined) {
    errors.push({ field: 'dataElements', message: 'List the student data elements as texts' });
  } else if (dataElements.length === 0) {
    errors.push({ field: 'dataElements', message: 'Name at least one student data element involved' });
  } else if (dataElements.length > INCIDENT_LIMITS.dataElements) {
    errors.push({ field: 'dataElements', message: `At most ${INCIDENT_LIMITS.dataElements} data elements` });
  } else if (dataElements.some((e) => e.length > INCIDENT_LIMITS.dataElement)) {
    errors.push({
      field: 'dataElements',
      message: `Each data element is at most ${INCIDENT_LIMITS.dataElement} characters`,
    });
  }

  if (errors.length > 0 || dataElements === undefined) return { ok: false, errors };
  return {
    ok: true,
    value: {
      resourceId,
      reportedOn,
      description,
      studentsAffected,
      dataElements: [...new Set(dataElements)],
    },
  };
}
