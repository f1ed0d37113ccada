/**
 * Benchmarks (`npm run bench`): size and speed targets live here, never in unit tests.
 *  1. Lambda bundle size: each handler bundled as CDK does (esbuild, minified, node22, ESM).
 *  2. Cold-start proxy: time to import each bundle in a fresh Node process.
 *  3. Workflow engine: a full approval path of the real ASL on the local engine.
 */
import '#shared/runtime/promise-with-resolvers.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { LocalStateMachine, loadDefinition, TaskTokens } from '#local/asl-runner.ts';
import { FUNCTIONS, STATE_MACHINES } from '#shared/functions.ts';

const BUNDLE_BUDGET_KB = 1024;
const out = mkdtempSync(join(tmpdir(), 'bench-'));
let overBudget = 0;

console.log('1. Lambda bundles (minified, node22, ESM)  budget %d KB', BUNDLE_BUDGET_KB);
const rows: { name: string; kb: number; importMs: number }[] = [];
for (const fn of FUNCTIONS) {
  const outfile = join(out, `${fn.name}.mjs`);
  await build({
    entryPoints: [`lambdas/${fn.name}.ts`],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    outfile,
    logLevel: 'silent',
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  });
  const kb = statSync(outfile).size / 1024;
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, ['-e', `import(${JSON.stringify(outfile)}).catch(() => {})`], {
    env: { ...process.env, AWS_REGION: 'us-east-1' },
    stdio: 'ignore',
  });
  const importMs = Number(process.hrtime.bigint() - started) / 1e6;
  rows.push({ name: fn.name, kb, importMs });
  if (kb > BUNDLE_BUDGET_KB) overBudget++;
}
for (const r of rows.sort((a, b) => b.kb - a.kb)) {
  console.log(
    `   ${r.name.padEnd(18)} ${r.kb.toFixed(0).padStart(6)} KB  ${r.kb > BUNDLE_BUDGET_KB ? 'OVER BUDGET' : 'ok'}   node start+import ${r.importMs.toFixed(0)} ms`,
  );
}

console.log(
  '\n2. Full approval path on the local engine (real ASL, scripted Lambdas, human steps answered at once)',
);
const tokens = new TaskTokens();
const definition = loadDefinition(STATE_MACHINES.softwareRequest.file);
const decisions: Record<string, object> = {
  'privacy-review': { decision: 'acceptable', studentDataRequired: true, vendorContactEmail: 'v@x.example' },
  'dpa-signature': { decision: 'signed', dpaExpiresOn: '2027-12-01' },
  'curriculum-review': { decision: 'approve' },
  'technical-review': { decision: 'sound' },
  procurement: { decision: 'po-issued', poNumber: 'PO-1', amount: 10, quoteReference: 'Q' },
  license: { decision: 'license-stored', licenseReference: 'L', seats: 1, expiresOn: '2027-12-01' },
  installation: { decision: 'installed' },
};
const machine = new LocalStateMachine(
  definition,
  async (fn, payload) => {
    const p = payload as Record<string, unknown>;
    if (fn === 'AssignTaskFunctionArn') {
      const answer = {
        comment: '',
        decidedBy: 'bench',
        decidedAt: new Date().toISOString(),
        ...decisions[String(p.kind)],
      };
      queueMicrotask(() => tokens.succeed(String(p.taskToken), JSON.stringify(answer)));
      return {};
    }
    if (fn === 'CheckSslFunctionArn')
      return {
        finished: true,
        passed: true,
        grade: 'A',
        endpoints: [],
        reason: 'A',
        nextPollSeconds: 0,
        startedAt: '',
        polls: 1,
      };
    if (fn === 'ScheduleRenewalFunctionArn') return { scheduled: true, reason: 'ok' };
    return {};
  },
  tokens,
);
const input = {
  requestId: 'SR-BENCH',
  requestType: 'instructional',
  replacementCount: 0,
  resource: {
    name: 'Bench',
    url: 'https://b.example',
    usesWebsite: true,
    kind: 'software',
    vendorName: 'V',
    cost: 10,
    studentDataShared: true,
  },
};
const times: number[] = [];
let statesEntered = 0;
for (let i = 0; i < 30; i++) {
  const started = process.hrtime.bigint();
  const run = machine.start(input, {
    name: `SR-BENCH-${i}`,
    executionArn: 'arn:local',
    stateMachineArn: 'arn:local',
  });
  await run.result;
  await run.settled;
  statesEntered = run.events.filter((e) => e.type === 'StateEntered').length;
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
}
times.sort((a, b) => a - b);
console.log(
  `   30 runs: median ${times[15]?.toFixed(1)} ms, p90 ${times[27]?.toFixed(1)} ms, ${statesEntered} states entered per run`,
);

rmSync(out, { recursive: true, force: true });
if (overBudget) {
  console.error(`\n${overBudget} bundle(s) over the ${BUNDLE_BUDGET_KB} KB budget`);
  process.exitCode = 1;
}
