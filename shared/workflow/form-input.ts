/**
 * HTML form → request-schema input. A form sends every value as text; this turns the text into the
 * types shared/workflow/request-schema.ts expects, and leaves anything it cannot read as it is so the
 * schema reports it with its own, field-specific message. It never decides validity itself.
 */
import { isRecord } from '../core/guards.ts';
import type { FormValue } from '../core/http/edge.ts';

export const BOOLEAN_FIELDS = ['mediaReleaseRequired', 'studentLoginRequired', 'studentDataShared'] as const;
export const LIST_FIELDS = ['gradeLevels', 'contentAreas', 'teksAddressed', 'studentDataElements'] as const;
export const TEXT_FIELDS = [
  'requesterName',
  'requesterEmail',
  'requestType',
  'resourceName',
  'resourceUrl',
  'resourceKind',
  'vendorName',
  'paymentResponsibility',
  'budgetCode',
  'principal',
  'studentUseVision',
  'commonCoreAlignment',
] as const;
/** Optional fields: an empty box means "not given", not "given as empty". */
const OPTIONAL_FIELDS = new Set<string>(['resourceUrl', 'studentDataElements']);

const TRUE_WORDS = new Set(['yes', 'true', 'on', 'y', '1']);
const FALSE_WORDS = new Set(['no', 'false', 'off', 'n', '0']);

/** The first value of a (possibly repeated) form field. */
function single(value: FormValue | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function toBoolean(raw: string | undefined): boolean | string | undefined {
  const word = raw?.trim().toLowerCase();
  if (!word) return undefined;
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return raw;
}

/** "$1,200.50" → 1200.5; anything that is not a plain number stays text for the schema to reject. */
export function toCost(raw: string | undefined): number | string | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  const cleaned = text.replace(/^\$\s*/, '').replace(/,(?=\d{3}(\D|$))/g, '');
  return /^\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : text;
}

/** Comma- or newline-separated text (or repeated fields) → trimmed, non-empty items. */
export function toList(value: FormValue | undefined): string[] {
  const parts = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return parts
    .flatMap((p) => p.split(/[,\n\r]/))
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

export function formToRequestInput(form: Record<string, FormValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of TEXT_FIELDS) {
    const value = single(form[field]);
    if (value === undefined) continue;
    if (OPTIONAL_FIELDS.has(field) && value.trim() === '') continue;
    out[field] = value;
  }
  for (const field of BOOLEAN_FIELDS) {
    const value = toBoolean(single(form[field]));
    if (value !== undefined) out[field] = value;
  }
  const cost = toCost(single(form.cost));
  if (cost !== undefined) out.cost = cost;
  for (const field of LIST_FIELDS) {
    const items = toList(form[field]);
    if (items.length === 0 && OPTIONAL_FIELDS.has(field)) continue;
    out[field] = items;
  }
  return out;
}

/** The other way round, for re-rendering the form from a JSON body: every value as the text a box holds. */
export function toFormValues(input: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(input)) return out;
  for (const [k, v] of Object.entries(input)) {
    if (Array.isArray(v)) out[k] = v.map(String).join('\n');
    else if (typeof v === 'boolean') out[k] = v ? 'yes' : 'no';
    else if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  }
  return out;
}
