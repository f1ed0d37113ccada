/**
 * bench/results.json, written by section: a run replaces the keys and the targets of the sections it
 * measured and keeps the others' (a section run alone, `npm run bench -- wave`, leaves the rest as the
 * last run of those sections wrote it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRecord } from '../shared/core/guards.ts';

export const RESULTS_FILE = join(import.meta.dirname, 'results.json');

interface SectionTarget {
  section: string;
}

const sectionOf = (t: unknown): string | undefined =>
  isRecord(t) && typeof t.section === 'string' ? t.section : undefined;

export function mergeResults(
  update: Record<string, unknown>,
  targets: readonly SectionTarget[],
  file = RESULTS_FILE,
): void {
  const read: unknown = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const base = isRecord(read) ? read : {};
  const ran = new Set(targets.map((t) => t.section));
  // Targets written before they named their section cannot be matched: a run rewrites them.
  const keptTargets = (Array.isArray(base.targets) ? base.targets : []).filter((t: unknown) => {
    const section = sectionOf(t);
    return section !== undefined && !ran.has(section);
  });
  writeFileSync(
    file,
    `${JSON.stringify({ ...base, ...update, targets: [...keptTargets, ...targets] }, null, 2)}\n`,
  );
}
