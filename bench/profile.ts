/**
 * `npm run profile -- [scenario…] [--seconds N] [--workflows N] [--rows N] [--top N]`: CPU profiles of
 * the local runtime under the bench's loads, one scenario at a time, each in a fresh runtime of its
 * own process (bench/profile/runtime-process.ts) while this process drives it:
 *   submissions  POST /requests from 10 connections for --seconds (default 10)
 *   decisions    200 privacy-review tasks prepared first (not profiled), then decided from 10 connections
 *   workflows    --workflows requests (default 200) driven to their outcome as bench/workflows.ts does
 *   import       --rows registry rows (default 20,000) through `npm run registry:import`; the import
 *                process is profiled too (node --cpu-prof)
 * Default: all four. Writes bench/profiles/<scenario>-<process>.cpuprofile (open them in Chrome
 * DevTools or speedscope) and prints the load's figures, then self time by area (npm package, Node, or
 * repository file) and by function, with the CPU milliseconds per operation.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { decisionsLoad, privacyReviewLinks, submissionsLoad } from './http.ts';
import { fixtureObject } from './paths.ts';
import { readCpuProfile, summarize } from './profile/cpu-profile.ts';
import { registryCsv, runImport } from './registry.ts';
import { measureWorkflows } from './workflows.ts';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'profiles');
const SCENARIOS = ['submissions', 'decisions', 'workflows', 'import'] as const;
type Scenario = (typeof SCENARIOS)[number];

function parseArgs(argv: string[]) {
  const chosen: Scenario[] = [];
  const numbers = { seconds: 10, workflows: 200, rows: 20_000, top: 15 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const flag = arg.replace(/^--/, '');
    if (arg.startsWith('--') && flag in numbers) {
      const value = Number(argv[++i]);
      if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${arg} needs a whole number`);
      numbers[flag as keyof typeof numbers] = value;
    } else if ((SCENARIOS as readonly string[]).includes(arg)) chosen.push(arg as Scenario);
    else throw new Error(`Unknown argument ${arg}; scenarios: ${SCENARIOS.join(', ')}`);
  }
  return { scenarios: chosen.length > 0 ? chosen : [...SCENARIOS], ...numbers };
}

/** The runtime in its own process, driven over stdin/stdout. */
class RuntimeProcess {
  private readonly lines: Interface;
  private readonly waiting: ((line: string) => void)[] = [];

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly dataDir: string,
  ) {
    this.lines = createInterface({ input: child.stdout });
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
  }

  static async start(): Promise<RuntimeProcess & { baseUrl: string; port: number }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench', 'profile', 'runtime-process.ts'), dataDir],
      { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' }, stdio: 'pipe' },
    );
    child.stderr.on('data', (c: Buffer) => process.stderr.write(c));
    const runtime = new RuntimeProcess(child, dataDir);
    const ready = JSON.parse(await runtime.next()) as { baseUrl: string; port: number };
    return Object.assign(runtime, ready);
  }

  private next(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      this.child.once('exit', (code) => reject(new Error(`The runtime process exited (${code})`)));
    });
  }

  async command(line: string): Promise<string> {
    const answer = this.next();
    this.child.stdin.write(`${line}\n`);
    return answer;
  }

  async exit(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.write('exit\n');
    await exited;
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

const cpuOf = (answer: string): number | undefined => {
  const cpu: unknown = JSON.parse(answer);
  return typeof cpu === 'object' && cpu !== null && 'cpuMs' in cpu && typeof cpu.cpuMs === 'number'
    ? cpu.cpuMs
    : undefined;
};

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/**
 * Prints the profile's tables. `cpuMs` (the process's own CPU time, when known) scales the shares to
 * CPU milliseconds per operation; otherwise the sampled busy time does (inflated on a busy machine).
 */
function report(file: string, operations: number, what: string, top: number, cpuMs?: number): void {
  const summary = summarize(readCpuProfile(file), ROOT, top);
  const busy = cpuMs ?? summary.busyMs;
  console.log(
    `  ${file.replace(`${ROOT}/`, '')}: ${round(busy / 1000, 2)} s of CPU${cpuMs === undefined ? ' (sampled)' : ''} ` +
      `in ${round(summary.wallMs / 1000, 2)} s; ${round(busy / operations, 2)} ms of CPU per ${what}`,
  );
  const rows = (list: typeof summary.byArea) =>
    list.map((r) => ({
      name: r.name,
      share: `${round(r.share * 100)}%`,
      msPerOp: round((r.share * busy) / operations, 2),
    }));
  console.log('  Self time by area');
  console.table(rows(summary.byArea));
  console.log('  Self time by function');
  console.table(rows(summary.byFunction));
}

const options = parseArgs(process.argv.slice(2));
const body = fixtureObject(join(ROOT, 'test', 'events', 'resource-request.json'));
mkdirSync(OUT, { recursive: true });

for (const scenario of options.scenarios) {
  const runtime = await RuntimeProcess.start();
  const file = join(OUT, `${scenario}-runtime.cpuprofile`);
  try {
    let cpuMs: number | undefined;
    let operations = 1;
    let what = 'operation';
    if (scenario === 'submissions') {
      await runtime.command('start');
      const figure = await submissionsLoad(runtime, body, options.seconds);
      cpuMs = cpuOf(await runtime.command(`stop ${file}`));
      console.log(`${scenario}:`, figure);
      [operations, what] = [figure.requests, 'submission'];
    } else if (scenario === 'decisions') {
      const tasks = await privacyReviewLinks(runtime, body, 200);
      await runtime.command('start');
      const figure = await decisionsLoad(runtime, tasks);
      cpuMs = cpuOf(await runtime.command(`stop ${file}`));
      console.log(`${scenario}:`, figure);
      [operations, what] = [figure.requests, 'decision'];
    } else if (scenario === 'workflows') {
      await runtime.command('start');
      const figure = await measureWorkflows(runtime, body, options.workflows);
      cpuMs = cpuOf(await runtime.command(`stop ${file}`));
      console.log(`${scenario}:`, figure);
      [operations, what] = [figure.completed, 'workflow'];
    } else {
      const csv = join(runtime.dataDir, 'registry.csv');
      writeFileSync(csv, registryCsv(options.rows));
      const importDir = mkdtempSync(join(tmpdir(), 'bench-profile-import-'));
      await runtime.command('start');
      const started = performance.now();
      await runImport(csv, runtime.dataDir, runtime.port, ['--cpu-prof', `--cpu-prof-dir=${importDir}`]);
      const seconds = (performance.now() - started) / 1000;
      cpuMs = cpuOf(await runtime.command(`stop ${file}`));
      const written = readdirSync(importDir).find((f) => f.endsWith('.cpuprofile'));
      if (written) renameSync(join(importDir, written), join(OUT, 'import-script.cpuprofile'));
      rmSync(importDir, { recursive: true, force: true });
      console.log(`${scenario}:`, {
        rows: options.rows,
        seconds: round(seconds),
        rowsPerSecond: round(options.rows / seconds, 0),
      });
      [operations, what] = [options.rows, 'row'];
      if (written)
        report(join(OUT, 'import-script.cpuprofile'), operations, 'row (import process)', options.top);
    }
    report(file, operations, what, options.top, cpuMs);
  } finally {
    await runtime.exit();
  }
}
