/**
 * Figures of the reliability suite: each part records its measured figures and their targets here
 * (one JSON file per part under test-results/reliability/), and the global teardown
 * (test/reliability/global-setup.ts) prints them as one table and writes test-results/reliability.json.
 * A part records its figures before it asserts them, so a missed target still shows in the table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PARTS_DIR = join('test-results', 'reliability');

export interface Figure {
  /** What was measured, e.g. "5xx answers". */
  name: string;
  value: number;
  /** The target as text, e.g. "= 0" or ">= 500". */
  target: string;
  met: boolean;
  /**
   * A known product defect misses this target today (named in SECURITY.md and the README): the table
   * shows MISSED with it, the suite does not fail on it. Remove it with the fix.
   */
  knownDefect?: string;
}

/** Marks a figure whose target a known defect may miss: reported, not asserted. */
export const knownDefect = (figure: Figure, defect: string): Figure => ({ ...figure, knownDefect: defect });

export const exactly = (name: string, value: number, want: number): Figure => ({
  name,
  value,
  target: `= ${want}`,
  met: value === want,
});

export const atLeast = (name: string, value: number, min: number): Figure => ({
  name,
  value,
  target: `>= ${min}`,
  met: value >= min,
});

export const atMost = (name: string, value: number, max: number): Figure => ({
  name,
  value,
  target: `<= ${max}`,
  met: value <= max,
});

/** A figure with no target (context for the others, e.g. how many were tried). */
export const info = (name: string, value: number): Figure => ({ name, value, target: '', met: true });

const recorded = new Map<string, Figure[]>();

/** Adds figures to a part (merged with what the part recorded before) and saves the part's file. */
export function recordFigures(part: string, figures: Figure[], notes: string[] = []): void {
  const all = [
    ...(recorded.get(part) ?? []).filter((f) => !figures.some((n) => n.name === f.name)),
    ...figures,
  ];
  recorded.set(part, all);
  mkdirSync(PARTS_DIR, { recursive: true });
  writeFileSync(
    join(PARTS_DIR, `${part}.json`),
    `${JSON.stringify({ part, figures: all, notes, at: new Date().toISOString() }, null, 2)}\n`,
  );
}

/** The figures that missed their target, as readable lines (for an assertion message). */
export function misses(figures: Figure[]): string[] {
  return figures
    .filter((f) => !f.met && !f.knownDefect)
    .map((f) => `${f.name}: ${f.value} (target ${f.target})`);
}
