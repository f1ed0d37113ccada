/**
 * bench/results.json, written by section: each run replaces only the keys it measured and keeps the
 * others' figures (a section run alone, `npm run bench -- wave`, leaves the rest as the last full run
 * wrote it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RESULTS_FILE = join(import.meta.dirname, 'results.json');

export function mergeResults(update: Record<string, unknown>, file = RESULTS_FILE): void {
  const kept: unknown = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const base = kept && typeof kept === 'object' && !Array.isArray(kept) ? kept : {};
  writeFileSync(file, `${JSON.stringify({ ...base, ...update }, null, 2)}\n`);
}
