/**
 * The benchmark's sections, each runnable alone (`npm run bench -- http workflows`) or all in order
 * (`npm run bench`). A section prints its tables and returns the keys it writes into
 * bench/results.json with its targets; bench/run.ts merges them, so a section run alone replaces only
 * its own figures and targets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalRuntime, startLocalRuntime } from '../local/runtime.ts';
import { measureBundles } from './bundles.ts';
import { documentStorageMonthlyCost, fixedMonthlyCost } from './fixed-cost.ts';
import { measureHttp } from './http.ts';
import { simulateLeadTime } from './lead-time.ts';
import { ASSUMED, fixtureObject, measurePaths } from './paths.ts';
import { PRICES_CHECKED_ON, PRICES_USD } from './prices.ts';
import { measureRegistry, registryTargets } from './registry.ts';
import { measureRenewalWave, renewalWaveTargets } from './renewal-wave.ts';
import { measureReports, reportTargets } from './reports.ts';
import { profileSubmissions } from './submission-profile.ts';
import { measureWorkflows } from './workflows.ts';

export interface Target {
  target: string;
  value: unknown;
  pass: boolean;
}

export interface SectionResult {
  /** Top-level keys of bench/results.json this section owns. */
  results: Record<string, unknown>;
  targets: Target[];
}

interface Section {
  title: string;
  run: () => Promise<SectionResult>;
}

const ROOT = join(import.meta.dirname, '..');
const BODY = fixtureObject(join(ROOT, 'test', 'events', 'resource-request.json'));
const table = (rows: Record<string, unknown>[]) => console.table(rows);
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** A fresh local runtime on a temporary folder, as the tests start it (SSL Labs polls do not wait). */
async function withRuntime<T>(label: string, use: (runtime: LocalRuntime) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), `bench-${label}-`));
  const runtime = await startLocalRuntime({
    port: 0,
    dataDir,
    waitTimeOverrides: { WaitForSslScan: 0, WaitForSslRetest: 0 },
    fakeSslPollsUntilReady: 1,
  });
  try {
    return await use(runtime);
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function cost(): Promise<SectionResult> {
  const paths = await measurePaths();
  table(
    paths.map((p) => ({
      ...p,
      stepFunctionsUsd: round(p.stepFunctionsUsd, 5),
      variableUsd: round(p.variableUsd, 5),
    })),
  );
  console.log(
    'Prices: us-east-1 list prices of %s (bench/prices.ts); assumptions %o',
    PRICES_CHECKED_ON,
    ASSUMED,
  );
  const fixed = fixedMonthlyCost();
  const approved = paths.find((p) => p.name === 'approved-paid-software-with-dpa-and-ssl');
  // An approved request costs its path once; every approved resource then renews once a year (in a
  // steady state, as many renewals a year as approvals), which the monthly figures include.
  const perApprovedRequest = approved?.variableUsd ?? 0;
  const perRenewal = paths.find((p) => p.name === 'renewal')?.variableUsd ?? 0;
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
  const { alarms, alarmMetrics, dashboards, kmsKeys, secrets } = fixed;
  table([{ ...costUsd, alarms, alarmMetrics, dashboards, kmsKeys, secrets }]);
  // The evidence documents grow with the requests and the years kept: their own line, at the steady state.
  const documentStorage = [1000, 100_000].map((n) => documentStorageMonthlyCost(n));
  table(
    documentStorage.map((d) => ({
      evidenceDocuments: `${d.requestsPerYear} requests a year, ${d.retentionYears} years kept`,
      storedGb: round(d.storedGb.standard + d.storedGb.standardIa + d.storedGb.glacierIr, 1),
      perMonthUsd: round(d.perMonthUsd),
    })),
  );
  // One vetting round: a replacement (SOP 11) runs the vetting again; its path is reported, not targeted.
  const longestApproved = Math.max(
    ...paths
      .filter((p) => p.outcome === 'APPROVED' && p.name !== 'one-replacement-round')
      .map((p) => p.transitions),
  );
  return {
    results: {
      pricesCheckedOn: PRICES_CHECKED_ON,
      assumptions: ASSUMED,
      paths,
      costUsd,
      fixedCost: fixed,
      documentStorage,
    },
    targets: [
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
    ],
  };
}

async function bundles(): Promise<SectionResult> {
  const figures = await measureBundles();
  const { naiveReference } = figures;
  table([
    { name: 'naive-reference', kb: round(naiveReference.kb, 0), importMs: round(naiveReference.importMs, 0) },
    ...figures.functions.map((f) => ({
      name: f.name,
      kb: round(f.kb, 0),
      importMs: round(f.importMs, 0),
      kbRatio: round(f.kbRatio),
      importRatio: round(f.importRatio),
    })),
  ]);
  return {
    results: { bundles: figures },
    targets: figures.functions.map((f) => ({
      target: `${f.name} <= 60% of the naive bundle (size, import)`,
      value: `${round(f.kbRatio)} / ${round(f.importRatio)}`,
      pass: f.kbRatio <= 0.6 && f.importRatio <= 0.6,
    })),
  };
}

async function http(): Promise<SectionResult> {
  return withRuntime('http', async (runtime) => {
    console.log("Where a lone submission's time goes (submit-request's AWS calls, median per submission)");
    const profile = await profileSubmissions(runtime, BODY);
    table(
      profile.calls.map((c) => ({
        ...c,
        msPerSubmission: round(c.msPerSubmission, 1),
        p50MsPerCall: round(c.p50MsPerCall, 1),
      })),
    );
    console.log(
      `p50 ${round(profile.p50Ms, 1)} ms a submission, ${round(profile.otherMs, 1)} ms outside AWS calls`,
    );
    console.log('Latency, 10 connections on loopback');
    const figures = await measureHttp(runtime, BODY);
    table(Object.entries(figures).map(([route, f]) => ({ route, ...f, perSecond: round(f.perSecond, 1) })));
    const { postRequests, postDecision } = figures;
    return {
      results: { http: { ...figures, lonePostRequestProfile: profile } },
      // Issue 23's targets at 10 connections on the bench machine.
      targets: [
        {
          target: 'POST /requests >= 75/s',
          value: round(postRequests.perSecond, 1),
          pass: postRequests.perSecond >= 75,
        },
        {
          target: 'POST /requests p99 <= 200 ms',
          value: postRequests.p99Ms,
          pass: postRequests.p99Ms <= 200,
        },
        {
          target: 'decisions >= 40/s',
          value: round(postDecision.perSecond, 1),
          pass: postDecision.perSecond >= 40,
        },
        { target: 'decisions p99 <= 300 ms', value: postDecision.p99Ms, pass: postDecision.p99Ms <= 300 },
      ],
    };
  });
}

async function workflows(): Promise<SectionResult> {
  return withRuntime('workflows', async (runtime) => {
    const figures = await measureWorkflows(runtime, BODY);
    table([{ ...figures, perSecond: round(figures.perSecond, 1), seconds: round(figures.seconds, 1) }]);
    return {
      results: { workflows: figures },
      targets: [
        { target: '>= 10 workflows/s', value: round(figures.perSecond, 1), pass: figures.perSecond >= 10 },
        { target: '0 workflows lost', value: figures.lost, pass: figures.lost === 0 },
        {
          target: 'every workflow finished within the driver deadline (5 min)',
          value: figures.unfinished,
          pass: figures.unfinished === 0,
        },
      ],
    };
  });
}

async function registry(): Promise<SectionResult> {
  const figures = await measureRegistry();
  table(figures.queries);
  console.log(`Import: ${figures.import.seconds} s for ${figures.entries} rows`);
  return { results: { registry: figures }, targets: registryTargets(figures) };
}

async function reports(): Promise<SectionResult> {
  const figures = await measureReports();
  table([{ ...figures, summary: JSON.stringify(figures.summary), page: JSON.stringify(figures.page) }]);
  return { results: { reports: figures }, targets: reportTargets(figures) };
}

async function leadTime(): Promise<SectionResult> {
  const figures = simulateLeadTime();
  table([
    { withoutReuse: JSON.stringify(figures.withoutReuse), withReuse: JSON.stringify(figures.withReuse) },
  ]);
  table(figures.criticalPath);
  return { results: { leadTime: figures }, targets: [] };
}

async function wave(): Promise<SectionResult> {
  const figures = await measureRenewalWave();
  const renewalWave = {
    ...figures,
    seconds: round(figures.seconds, 1),
    localClockMinutes: round(figures.localClockMinutes, 1),
  };
  table([renewalWave]);
  return { results: { renewalWave }, targets: renewalWaveTargets(figures) };
}

/** In the order a full run takes them. */
export const SECTIONS: Record<string, Section> = {
  cost: { title: 'SOP paths through the local runtime, and their cost', run: cost },
  bundles: {
    title:
      'Lambda bundles (as CDK builds them) against a naive handler; import = median of 10 fresh processes',
    run: bundles,
  },
  http: { title: 'HTTP: a lone submission, then latency at 10 connections', run: http },
  workflows: {
    title: `Workflow throughput: ${process.env.BENCH_WORKFLOWS ?? 200} requests, every task decided over HTTP`,
    run: workflows,
  },
  registry: {
    title: `Registry: ${process.env.BENCH_REGISTRY_ENTRIES ?? 2000} entries through the import, then searches`,
    run: registry,
  },
  reports: {
    title: 'Reports: a year of aggregates at 100,000 requests, and the tasks pending',
    run: reports,
  },
  leadTime: { title: 'Lead time: 1,000 requests through the steps with drawn delays', run: leadTime },
  wave: {
    title: `Renewal wave: ${process.env.BENCH_WAVE_RESOURCES ?? 500} renewals due on one day, SSL Labs allowing 25 in flight`,
    run: wave,
  },
};
