/**
 * Bench sections that can run alone: `npm run bench -- wave`. Each prints its table and targets and
 * merges its figures into bench/results.json under its own key.
 */

import { measureRenewalWave, renewalWaveTargets } from './renewal-wave.ts';
import { mergeResults } from './results-file.ts';

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

const SECTIONS: Record<string, () => Promise<{ key: string; figures: object; targets: Target[] }>> = {
  wave: async () => {
    console.log(
      `9. Renewal wave: ${process.env.BENCH_WAVE_RESOURCES ?? 500} renewals due on one day, SSL Labs allowing 25 assessments in flight (bench/renewal-wave.ts)`,
    );
    const wave = await measureRenewalWave();
    const figures = {
      ...wave,
      seconds: round(wave.seconds, 1),
      localClockMinutes: round(wave.localClockMinutes, 1),
    };
    return { key: 'renewalWave', figures, targets: renewalWaveTargets(wave) };
  },
};

export interface Target {
  target: string;
  value: unknown;
  pass: boolean;
}

export const ALONE_SECTIONS = Object.keys(SECTIONS);

/** Runs the named sections; returns how many targets they missed. */
export async function runAlone(names: readonly string[]): Promise<number> {
  const unknown = names.filter((n) => !SECTIONS[n]);
  if (unknown.length > 0) {
    throw new Error(`Unknown bench section(s) ${unknown.join(', ')}: use ${ALONE_SECTIONS.join(', ')}`);
  }
  let missed = 0;
  for (const name of names) {
    const run = SECTIONS[name];
    if (!run) continue;
    const { key, figures, targets } = await run();
    console.table([figures]);
    console.table(targets.map((t) => ({ ...t, pass: t.pass ? 'PASS' : 'MISS' })));
    mergeResults({ [key]: { ...figures, targets } });
    console.log(`Merged ${key} into bench/results.json`);
    missed += targets.filter((t) => !t.pass).length;
  }
  return missed;
}
