/**
 * The registry as CSV, in the columns a district's existing list (SDPC / TXSPA, a spreadsheet) and the
 * TXSPA upload use: resourceName, vendorName, url, status (Approved / Not Approved), decidedOn,
 * dpaExpiresOn, notes. Import (scripts/registry-import.ts) reads it; GET /registry.csv writes it, so
 * the export of an import is the input again (modulo order).
 */

import { hostnameOf } from '../core/text/hostname.ts';
import { TEXT_LIMITS } from '../core/text/text-limits.ts';
import type { RegistryEntry } from '../workflow/index.ts';
import { resourceIdOf, wordsOf } from './resource-identity.ts';

export const CSV_COLUMNS = [
  'resourceName',
  'vendorName',
  'url',
  'status',
  'decidedOn',
  'dpaExpiresOn',
  'notes',
] as const;
type Column = (typeof CSV_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['resourceName', 'vendorName', 'status', 'decidedOn'];

/** One parsed record and the line of the file it starts on (1 = the header). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * RFC 4180: comma-separated, fields optionally in double quotes (a quote doubled inside), CRLF or LF
 * line ends, a quoted field may span lines. A leading byte-order mark is ignored.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let sawAny = false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
    fields = [];
    field = '';
    sawAny = false;
  };
  for (let i = 0; i < input.length; i++) {
    const c = input.charAt(i);
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      sawAny = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      sawAny = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      field += c;
      sawAny = true;
    }
  }
  if (sawAny || field !== '' || fields.length > 0) endRecord();
  return records;
}

/** A row the import skips, and why. */
export interface RowProblem {
  line: number;
  message: string;
}

export interface ParsedRegistryCsv {
  entries: { line: number; entry: RegistryEntry }[];
  problems: RowProblem[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (v: string) =>
  DAY.test(v) &&
  !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) &&
  new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
const MAX_NOTES = TEXT_LIMITS.shortText;

/** Approved / Not Approved, as staff write them (case and spacing aside; "Active/Approved" too). */
function readStatus(value: string): RegistryEntry['status'] | undefined {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
  if (v === 'approved' || v === 'active/approved' || v === 'active approved') return 'APPROVED';
  if (v === 'not approved' || v === 'denied') return 'NOT_APPROVED';
  return undefined;
}

/**
 * The import's entries and the rows it skips (by line). Header names are case-insensitive, extra
 * columns ignored; a missing required column fails the whole file (line 1). A second row about the
 * same resource (same vendor + name) is skipped unless it repeats the first.
 */
export function readRegistryCsv(text: string): ParsedRegistryCsv {
  const [header, ...rows] = parseCsv(text);
  if (!header) return { entries: [], problems: [{ line: 1, message: 'The file is empty' }] };
  const index = new Map<Column, number>();
  header.fields.forEach((name, i) => {
    const column = CSV_COLUMNS.find((c) => c.toLowerCase() === name.trim().toLowerCase());
    if (column && !index.has(column)) index.set(column, i);
  });
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length) {
    return { entries: [], problems: [{ line: 1, message: `Missing column(s): ${missing.join(', ')}` }] };
  }
  const entries: ParsedRegistryCsv['entries'] = [];
  const problems: RowProblem[] = [];
  const seen = new Map<string, { line: number; entry: RegistryEntry }>();
  for (const row of rows) {
    const get = (c: Column) => {
      const i = index.get(c);
      return unescapeFormula(i === undefined ? '' : (row.fields[i] ?? '').trim());
    };
    const result = rowEntry(get);
    if (typeof result === 'string') {
      problems.push({ line: row.line, message: result });
      continue;
    }
    const first = seen.get(result.resourceId);
    if (first) {
      if (JSON.stringify(first.entry) !== JSON.stringify(result)) {
        problems.push({
          line: row.line,
          message: `The same resource (vendor and name) as line ${first.line}, with other values`,
        });
      }
      continue;
    }
    const parsed = { line: row.line, entry: result };
    seen.set(result.resourceId, parsed);
    entries.push(parsed);
  }
  return { entries, problems };
}

function rowEntry(get: (c: Column) => string): RegistryEntry | string {
  const resourceName = get('resourceName');
  const vendorName = get('vendorName');
  const url = get('url');
  const decidedOn = get('decidedOn');
  const dpaExpiresOn = get('dpaExpiresOn');
  const notes = get('notes');
  const status = readStatus(get('status'));
  if (!resourceName || wordsOf(resourceName).length === 0)
    return 'resourceName is empty (it needs a letter or digit)';
  if (!vendorName || wordsOf(vendorName).length === 0)
    return 'vendorName is empty (it needs a letter or digit)';
  if (resourceName.length > TEXT_LIMITS.name)
    return `resourceName is longer than ${TEXT_LIMITS.name} characters`;
  if (vendorName.length > TEXT_LIMITS.name) return `vendorName is longer than ${TEXT_LIMITS.name} characters`;
  if (!status) return `status "${get('status').slice(0, 40)}" is not Approved or Not Approved`;
  if (!isDay(decidedOn)) return 'decidedOn is not a date (YYYY-MM-DD)';
  if (dpaExpiresOn && !isDay(dpaExpiresOn)) return 'dpaExpiresOn is not a date (YYYY-MM-DD)';
  if (url && (url.length > TEXT_LIMITS.url || !/^https?:\/\//i.test(url) || !hostnameOf(url))) {
    return 'url is not a web address (http:// or https://)';
  }
  if (notes.length > MAX_NOTES) return `notes is longer than ${MAX_NOTES} characters`;
  const host = hostnameOf(url);
  return {
    resourceId: resourceIdOf({ name: resourceName, vendorName }),
    resourceName,
    ...(url ? { url } : {}),
    ...(host ? { hosts: [host] } : {}),
    vendorName,
    status,
    statusDate: `${decidedOn}T00:00:00.000Z`,
    source: 'imported',
    ...(status === 'NOT_APPROVED'
      ? { reason: notes ? `Not approved (imported): ${notes}` : 'Not approved (imported)' }
      : {}),
    ...(dpaExpiresOn ? { dpaExpiresOn } : {}),
    ...(notes ? { notes } : {}),
  };
}

/** The CSV row of an entry: an imported entry gives back its own row; a published one its reason. */
export function csvRow(entry: RegistryEntry): string[] {
  return [
    entry.resourceName,
    entry.vendorName,
    entry.url ?? '',
    entry.status === 'APPROVED' ? 'Approved' : 'Not Approved',
    entry.statusDate.slice(0, 10),
    entry.dpaExpiresOn?.slice(0, 10) ?? '',
    entry.source === 'imported' ? (entry.notes ?? '') : (entry.reason ?? ''),
  ];
}

export const csvHeader = () => formatCsvLine([...CSV_COLUMNS]);

/** One CSV line (CRLF-terminated): fields quoted when they hold a comma, quote or line end. */
export function formatCsvLine(fields: readonly string[]): string {
  return `${fields.map((f) => quote(escapeFormula(f))).join(',')}\r\n`;
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * A spreadsheet runs a cell starting with = + - @ as a formula: the export writes such a value behind
 * an apostrophe (shown as text), and the import takes that apostrophe off again.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
function escapeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}
function unescapeFormula(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}
