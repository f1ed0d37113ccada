/**
 * Benchmarks (`npm run bench`, `-- --strict` to fail on a missed target): speed, size and cost
 * targets live here, never in unit tests. Every section (bench/sections.ts) prints its tables; the
 * figures and targets go into bench/results.json, which the README's figures come from.
 *   cost       each SOP path through the local runtime (transitions, events, invocations), priced; the
 *              fixed part from the synthesized template
 *   bundles    each handler as CDK bundles it, against a naive handler
 *   http       where a lone submission's time goes (its AWS calls), then latency of submissions,
 *              decisions and registry searches (autocannon, loopback)
 *   workflows  BENCH_WORKFLOWS (200) requests decided through the HTTP API, completed per second
 *   registry   BENCH_REGISTRY_ENTRIES (2,000) entries imported, then search latency and response sizes
 *   reports    a year of aggregates at 100,000 requests, then the reports' latency and items read
 *   leadTime   1,000 requests through the procedure's steps with drawn delays
 *   wave       BENCH_WAVE_RESOURCES (500) renewals due on one day against SSL Labs' 25 in flight
 * Sections named on the command line run alone (`npm run bench -- http workflows`): their figures and
 * targets replace the earlier ones in bench/results.json, the other sections' are kept.
 */
import '#shared/core/runtime/promise-with-resolvers.ts';
import { cpus } from 'node:os';
import { mergeResults } from './results-file.ts';
import { SECTIONS, type Target } from './sections.ts';

const strict = process.argv.includes('--strict');
const named = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = named.filter((n) => !SECTIONS[n]);
if (unknown.length > 0) {
  console.error(`Unknown bench section(s) ${unknown.join(', ')}: use ${Object.keys(SECTIONS).join(', ')}`);
  process.exit(2);
}

const targets: (Target & { section: string })[] = [];
const results: Record<string, unknown> = {};
const names = named.length > 0 ? named : Object.keys(SECTIONS);
for (const [n, name] of names.entries()) {
  const section = SECTIONS[name];
  if (!section) continue;
  console.log(`${n + 1}. ${section.title} (${name})`);
  const ran = await section.run();
  Object.assign(results, ran.results);
  targets.push(...ran.targets.map((t) => ({ section: name, ...t })));
}

console.log('Targets');
console.table(targets.map((t) => ({ ...t, pass: t.pass ? 'PASS' : 'MISS' })));
mergeResults({ machine: { node: process.version, cpus: cpus().length }, ...results }, targets);
console.log(`Wrote ${Object.keys(results).join(', ')} into bench/results.json`);
const missed = targets.filter((t) => !t.pass).length;
if (missed && strict) {
  console.error(`${missed} target(s) missed`);
  process.exitCode = 1;
}
