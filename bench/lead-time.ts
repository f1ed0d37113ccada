import { join } from 'node:path';
import { DEFAULT_DEADLINE_DAYS } from '../shared/workflow/deadlines.ts';

const _ROOT = join(import.meta.dirname, '..');

/** The stated distributions: log-normal delays (median days, spread) and the mix of requests. */
export const ASSUMPTIONS = {
  requests: 1000,
  reviewerMedianDays: 3,
  vendorDpaMedianDays: 10,
  vendorSslFixMedianDays: 7,
  aasMedianDays: 5,
  installationMedianDays: 3,
  spread: 0.7,
  shareInstructional: 0.6,
  shareStudentData: 0.4,
  shareWebsite: 0.7,
  shareSslFailsFirst: 0.15,
  sharePaid: 0.5,
  shareSoftware: 0.5,
  shareWithCurrentVetting: 0.3,
} as const;

type Step =
  | 'privacy-review'
  | 'dpa-signature'
  | 'ssl-remediation'
  | 'curriculum-review'
  | 'administrative-review'
  | 'technical-review'
  | 'procurement'
  | 'license'
  | 'installation';

/** Mulberry32: small, seeded, good enough for a simulation. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function logNormal(rand: () => number, median: number, spread: number): number {
  const u = Math.max(rand(), 1e-12);
  const v = rand();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(spread * normal);
}

/** One request's steps and their days (each capped at its deadline, as the state machine does). */
function walk(rand: () => number, reuse: boolean): [Step, number][] {
  const a = ASSUMPTIONS;
  const draw = (median: number) => logNormal(rand, median, a.spread);
  const steps: [Step, number][] = [];
  const add = (step: Step, days: number) => {
    const cap = step === 'ssl-remediation' ? 30 : DEFAULT_DEADLINE_DAYS[step];
    steps.push([step, Math.min(days, cap)]);
  };
  const vetted = reuse && rand() < a.shareWithCurrentVetting;
  if (!vetted) {
    add('privacy-review', draw(a.reviewerMedianDays));
    if (rand() < a.shareStudentData) add('dpa-signature', draw(a.vendorDpaMedianDays));
    if (rand() < a.shareWebsite && rand() < a.shareSslFailsFirst)
      add('ssl-remediation', draw(a.vendorSslFixMedianDays));
  }
  add(
    rand() < a.shareInstructional ? 'curriculum-review' : 'administrative-review',
    draw(a.reviewerMedianDays),
  );
  add('technical-review', draw(a.reviewerMedianDays));
  if (rand() < a.sharePaid) {
    add('procurement', draw(a.aasMedianDays));
    if (rand() < a.shareSoftware) add('license', draw(a.reviewerMedianDays));
  }
  add('installation', draw(a.installationMedianDays));
  return steps;
}

const quantile = (sorted: number[], q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
const round1 = (n: number) => Math.round(n * 10) / 10;

export interface LeadTimeFigures {
  assumptions: typeof ASSUMPTIONS;
  withoutReuse: { medianDays: number; p90Days: number };
  withReuse: { medianDays: number; p90Days: number };
  /** Each step's share of all the requests' days (without reuse), largest first: the critical path. */
  criticalPath: { step: Step; shareOfLeadTimePct: number; medianDaysWhenPresent: number }[];
}

export function simulateLeadTime(): LeadTimeFigures {
  const run = (reuse: boolean) => {
    const rand = random(2026);
    return Array.from({ length: ASSUMPTIONS.requests }, () => walk(rand, reuse));
  };
  const figures = (walks: [Step, number][][]) => {
    const totals = walks.map((w) => w.reduce((sum, [, days]) => sum + days, 0)).sort((a, b) => a - b);
    return { medianDays: round1(quantile(totals, 0.5)), p90Days: round1(quantile(totals, 0.9)) };
  };
  const plain = run(false);
  const all = plain.flat();
  const total = all.reduce((sum, [, d]) => sum + d, 0);
  const steps = [...new Set(all.map(([s]) => s))];
  const criticalPath = steps
    .map((step) => {
      const days = all
        .filter(([s]) => s === step)
        .map(([, d]) => d)
        .sort((a, b) => a - b);
      return {
        step,
        shareOfLeadTimePct: round1((100 * days.reduce((s, d) => s + d, 0)) / total),
        medianDaysWhenPresent: round1(quantile(days, 0.5)),
      };
    })
    .sort((a, b) => b.shareOfLeadTimePct - a.shareOfLeadTimePct);
  return {
    assumptions: ASSUMPTIONS,
    withoutReuse: figures(plain),
    withReuse: figures(run(true)),
    criticalPath,
  };
}
