/**
 * Global setup of `npm run reliability`: clears the figures of an earlier run; its teardown prints
 * the figures every part recorded (test/reliability/figures.ts) as one table and writes them to
 * test-results/reliability.json. A part that did not record anything (crashed, or was filtered out)
 * is listed as missing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Figure } from './figures.ts';
import { PARTS_DIR } from './figures.ts';

const PARTS = ['hostile-inputs', 'escaping', 'link-attacks', 'faults', 'crashes'] as const;
const started = Date.now();

export function setup(): void {
  rmSync(PARTS_DIR, { recursive: true, force: true });
  mkdirSync(PARTS_DIR, { recursive: true });
}

interface PartFile {
  part: string;
  figures: Figure[];
  notes: string[];
}

export function teardown(): void {
  const files = existsSync(PARTS_DIR) ? readdirSync(PARTS_DIR).filter((f) => f.endsWith('.json')) : [];
  const parts = files.map((f) => JSON.parse(readFileSync(join(PARTS_DIR, f), 'utf8')) as PartFile);
  parts.sort((a, b) => order(a.part) - order(b.part));
  const missing = PARTS.filter((p) => !parts.some((r) => r.part === p));
  const rows = parts.flatMap((p) =>
    p.figures.map((f) => [
      p.part,
      f.name,
      String(f.value),
      f.target || '-',
      f.target ? (f.met ? 'MET' : f.knownDefect ? `MISSED (known defect: ${f.knownDefect})` : 'MISSED') : '',
    ]),
  );
  const header = ['part', 'figure', 'value', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const seconds = Math.round((Date.now() - started) / 1000);
  const missed = parts.flatMap((p) =>
    p.figures
      .filter((f) => !f.met)
      .map((f) => `${p.part}: ${f.name}${f.knownDefect ? ' (known defect)' : ''}`),
  );
  const out = [
    '',
    `Reliability figures (${seconds} s)`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...parts.flatMap((p) => p.notes.map((n) => `note (${p.part}): ${n}`)),
    ...(missing.length
      ? [`parts with no figures (failed before recording, or not run): ${missing.join(', ')}`]
      : []),
    missed.length ? `targets missed: ${missed.length} (${missed.join('; ')})` : 'every recorded target met',
    '',
  ];
  console.log(out.join('\n'));
  mkdirSync('test-results', { recursive: true });
  writeFileSync(
    join('test-results', 'reliability.json'),
    `${JSON.stringify({ at: new Date().toISOString(), seconds, parts, missing, missed }, null, 2)}\n`,
  );
}

function order(part: string): number {
  const i = PARTS.indexOf(part as (typeof PARTS)[number]);
  return i < 0 ? PARTS.length : i;
}
