/**
 * Benchmarks (`npm run bench`, `-- --strict` to fail on a missed target): speed, size and cost
 * targets live here, never in unit tests. Prints one table per part and writes bench/results.json,
 * which the README's figures come from.
 *   1. paths      each SOP path through the local runtime: transitions, events, invocations, cost
 *   2. cost       per approved request and per month, fixed part from the synthesized template
 *   3. bundles    each handler as CDK bundles it, against a naive handler
 *   4. http       where a lone submission's time goes (its AWS calls), then latency of submissions,
 *                 decisions and registry searches (autocannon, loopback)
 *   5. workflows  200 requests decided through the HTTP API, completed per second
 *   6. registry   BENCH_REGISTRY_ENTRIES entries (default 2,000) imported, then search latency, items
 *                 read per page and response sizes (bench/registry.ts)
 *   7. reports    a year of aggregates at 100,000 requests and the pending tasks of such a volume,
 *                 then the reports' latency and items read (bench/reports.ts)
 *   8. lead time  1,000 requests through the procedure's steps with drawn delays, with and without
 *                 the reuse of a current vetting: median and p90 days, the critical path (bench/lead-time.ts)
 *   9. wave       500 renewals due on one day against SSL Labs' limit of 25 assessments in flight
 *                 (bench/renewal-wave.ts)
 * A section named on the command line runs alone (`npm run bench -- wave`, bench/alone.ts) and merges
 * its figures into bench/results.json; a full run merges too, so keys it does not write are kept.
 */
import '#shared/core/runtime/promise-with-resolvers.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime } from '../local/runtime.ts';
import { runAlone } from './alone.ts';
import { measureBundles } from './bundles.ts';
import { documentStorageMonthlyCost, fixedMonthlyCost } from './fixed-cost.ts';
import { measureHttp } from './http.ts';
import { simulateLeadTime } from './lead-time.ts';
import { ASSUMED, fixtureObject, measurePaths } from './paths.ts';
import { PRICES_CHECKED_ON, PRICES_USD } from './prices.ts';
import { measureRegistry, registryTargets } from './registry.ts';
import { measureRenewalWave, renewalWaveTargets } from './renewal-wave.ts';
import { measureReports, reportTargets } from './reports.ts';
import { mergeResults } from './results-file.ts';
import { profileSubmissions } from './submission-profile.ts';
import { measureWorkflows } from './workflows.ts';

const ROOT = join(import.meta.dirname, '..');
const strict = process.argv.includes('--strict');
const alone = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (alone.length > 0) {
  const missedAlone = await runAlone(alone);
  if (missedAlone && strict) console.error(`${missedAlone} target(s) missed`);
  process.exit(missedAlone && strict ? 1 : 0);
}
const BODY = fixtureObject(join(ROOT, 'test', 'events', 'resource-request.json'));

const table = (rows: Record<string, unknown>[]) => console.table(rows);
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

console.log('1. SOP paths through the local runtime');
const paths = await measurePaths();
table(
  paths.map((p) => ({
    ...p,
    stepFunctionsUsd: round(p.stepFunctionsUsd, 5),
    variableUsd: round(p.variableUsd, 5),
  })),
);

console.log(
  '2. Cost (us-east-1 list prices of %s, bench/prices.ts; assumptions %o)',
  PRICES_CHECKED_ON,
  ASSUMED,
);
const fixed = fixedMonthlyCost();
const approved = paths.find((p) => p.name === 'approved-paid-software-with-dpa-and-ssl');
const renewal = paths.find((p) => p.name === 'renewal');
// An approved request costs its path once; every approved resource then renews once a year (in a
// steady state, as many renewals a year as approvals), which the monthly figures include.
const perApprovedRequest = approved?.variableUsd ?? 0;
const perRenewal = renewal?.variableUsd ?? 0;
const perMonth = (requestsPerYear: number) =>
  fixed.perMonthUsd + (requestsPerYear / 12) * (perApprovedRequest + perRenewal);
const costUsd = {
  perApprovedRequest: round(perApprovedRequest, 5),
  perRenewal: round(perRenewal, 5),
  perApprovedRequestEmailsUsd: round((approved?.emails ?? 0) * PRICES_USD.sesEmail, 5),
  fixedPerMonth: round(fixed.perMonthUsd),
  at1000RequestsPerYearPerMonth: round(perMonth(1000)),
  at100000RequestsPerYearPerMonth: round(perMonth(100_000)),
};
table([
  {
    ...costUsd,
    alarms: fixed.alarms,
    alarmMetrics: fixed.alarmMetrics,
    dashboards: fixed.dashboards,
    kmsKeys: fixed.kmsKeys,
    secrets: fixed.secrets,
  },
]);

// The evidence documents grow with the requests and the years kept: their own line, at the steady state.
const documentStorage = [1000, 100_000].map((n) => documentStorageMonthlyCost(n));
table(
  documentStorage.map((d) => ({
    evidenceDocuments: `${d.requestsPerYear} requests a year, ${d.retentionYears} years kept`,
    storedGb: round(d.storedGb.standard + d.storedGb.standardIa + d.storedGb.glacierIr, 1),
    perMonthUsd: round(d.perMonthUsd),
  })),
);

console.log(
  '3. Lambda bundles (as CDK builds them) against a naive handler; import = median of 10 fresh processes, net of an empty Node start',
);
const bundles = await measureBundles();
table([
  {
    name: 'naive-reference',
    kb: round(bundles.naiveReference.kb, 0),
    importMs: round(bundles.naiveReference.importMs, 0),
  },
  ...bundles.functions.map((f) => ({
    name: f.name,
    kb: round(f.kb, 0),
    importMs: round(f.importMs, 0),
    kbRatio: round(f.kbRatio),
    importRatio: round(f.importRatio),
  })),
]);

const dataDir = mkdtempSync(join(tmpdir(), 'bench-http-'));
const runtime = await startLocalRuntime({
  port: 0,
  dataDir,
  waitTimeOverrides: { WaitForSslScan: 0, WaitForSslRetest: 0 },
  fakeSslPollsUntilReady: 1,
});
let http: Awaited<ReturnType<typeof measureHttp>>;
let workflows: Awaited<ReturnType<typeof measureWorkflows>>;
let submissionProfile: Awaited<ReturnType<typeof profileSubmissions>>;
try {
  console.log("4a. Where a lone submission's time goes (submit-request's AWS calls, median per submission)");
  submissionProfile = await profileSubmissions(runtime, BODY);
  table(
    submissionProfile.calls.map((c) => ({
      ...c,
      msPerSubmission: round(c.msPerSubmission, 1),
      p50MsPerCall: round(c.p50MsPerCall, 1),
    })),
  );
  console.log(
    `   p50 ${round(submissionProfile.p50Ms, 1)} ms a submission, of which ${round(submissionProfile.otherMs, 1)} ms outside AWS calls`,
  );
  console.log('4b. HTTP latency, 10 connections on loopback');
  http = await measureHttp(runtime, BODY);
  table(Object.entries(http).map(([route, f]) => ({ route, ...f, perSecond: round(f.perSecond, 1) })));
  console.log(
    `5. Workflow throughput: ${process.env.BENCH_WORKFLOWS ?? 200} requests, every task decided over HTTP`,
  );
  workflows = await measureWorkflows(runtime, BODY);
  table([{ ...workflows, perSecond: round(workflows.perSecond, 1), seconds: round(workflows.seconds, 1) }]);
} finally {
  await runtime.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(
  `6. Registry: ${process.env.BENCH_REGISTRY_ENTRIES ?? 2000} entries through the import, then searches`,
);
const registry = await measureRegistry();
table(registry.queries);

console.log('7. Reports: a year of aggregates at 100,000 requests, and the tasks pending at that volume');
const reports = await measureReports();
table([{ ...reports, summary: JSON.stringify(reports.summary), page: JSON.stringify(reports.page) }]);

console.log('8. Lead time: 1,000 requests through the steps with drawn delays (bench/lead-time.ts)');
const leadTime = simulateLeadTime();
table([
  { withoutReuse: JSON.stringify(leadTime.withoutReuse), withReuse: JSON.stringify(leadTime.withReuse) },
]);
table(leadTime.criticalPath);

console.log(
  '9. Renewal wave: 500 renewals due on one day, SSL Labs allowing 25 in flight (bench/renewal-wave.ts)',
);
const wave = await measureRenewalWave();
const renewalWave = {
  ...wave,
  seconds: round(wave.seconds, 1),
  localClockMinutes: round(wave.localClockMinutes, 1),
};
table([renewalWave]);

// One vetting round: a replacement (SOP 11) runs the vetting again, and its path is reported, not targeted.
const longestApproved = Math.max(
  ...paths
    .filter((p) => p.outcome === 'APPROVED' && p.name !== 'one-replacement-round')
    .map((p) => p.transitions),
);
const targets = [
  {
    target: 'longest approved path of one vetting round <= 35 transitions (SSL polls included)',
    value: longestApproved,
    pass: longestApproved <= 35,
  },
  {
    target: 'variable cost per approved request <= $0.002',
    value: costUsd.perApprovedRequest,
    pass: costUsd.perApprovedRequest <= 0.002,
  },
  {
    target: 'fixed monthly cost <= $5 (list price; with the always-free dashboards in brackets)',
    value: `${costUsd.fixedPerMonth} (${round(fixed.perMonthUsdWithFreeDashboards)})`,
    pass: costUsd.fixedPerMonth <= 5,
  },
  ...bundles.functions.map((f) => ({
    target: `${f.name} <= 60% of the naive bundle (size, import)`,
    value: `${round(f.kbRatio)} / ${round(f.importRatio)}`,
    pass: f.kbRatio <= 0.6 && f.importRatio <= 0.6,
  })),
  {
    target: 'POST /requests >= 75/s',
    value: round(http.postRequests.perSecond, 1),
    pass: http.postRequests.perSecond >= 75,
  },
  {
    target: 'POST /requests p99 <= 200 ms',
    value: http.postRequests.p99Ms,
    pass: http.postRequests.p99Ms <= 200,
  },
  { target: '>= 20 workflows/s', value: round(workflows.perSecond, 1), pass: workflows.perSecond >= 20 },
  { target: '0 workflows lost', value: workflows.lost, pass: workflows.lost === 0 },
  {
    target: 'every workflow finished within the driver deadline (5 min)',
    value: workflows.unfinished,
    pass: workflows.unfinished === 0,
  },
  ...registryTargets(registry),
  ...reportTargets(reports),
  ...renewalWaveTargets(wave),
];
console.log('Targets');
table(targets.map((t) => ({ ...t, pass: t.pass ? 'PASS' : 'MISS' })));

const results = {
  machine: { node: process.version, cpus: cpus().length },
  pricesCheckedOn: PRICES_CHECKED_ON,
  assumptions: ASSUMED,
  paths,
  costUsd,
  fixedCost: fixed,
  documentStorage,
  bundles,
  http: { ...http, lonePostRequestProfile: submissionProfile },
  workflows,
  registry,
  reports,
  leadTime,
  renewalWave: { ...renewalWave, targets: renewalWaveTargets(wave) },
  targets,
};
mergeResults(results);
console.log('Wrote bench/results.json');
const missed = targets.filter((t) => !t.pass).length;
if (missed && strict) {
  console.error(`${missed} target(s) missed`);
  process.exitCode = 1;
}
