/**
 * The registry at size (issue 13 figures): BENCH_REGISTRY_ENTRIES entries (default 2,000; the issue's
 * figure is 100,000) loaded through `npm run registry:import` into a fresh local runtime, then
 * `GET /registry?q=<prefix>` p50/p99 (one client, loopback), the DynamoDB items one page reads
 * (search index items + entries, from the same code the handler runs), and the largest response of
 * every registry route (list as JSON and HTML, a resource page, the CSV export).
 * `npm run bench -- registry` runs it alone.
 */
import { fieldOf } from '../shared/core/guards.ts';
import '#shared/core/runtime/promise-with-resolvers.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalRuntime } from '../local/runtime.ts';
import { formatCsvLine } from '../shared/registry/registry-csv.ts';
import { PAGE_SIZE, searchRegistry } from '../shared/registry/registry-list.ts';
import { resourceIdOf } from '../shared/registry/resource-identity.ts';
import { WorkflowStore } from '../shared/store.ts';
import type { RegistryStatus } from '../shared/workflow/payloads.ts';

const ROOT = join(import.meta.dirname, '..');
const MAX_RESPONSE_BYTES = 256 * 1024;

export interface RegistryFigures {
  entries: number;
  import: { seconds: number; rowsPerSecond: number };
  queries: {
    q: string;
    status: RegistryStatus | null;
    requests: number;
    p50Ms: number;
    p99Ms: number;
    itemsRead: number;
    returned: number;
  }[];
  p50Ms: number;
  p99Ms: number;
  maxItemsRead: number;
  largestResponseBytes: Record<string, number>;
}

const ADJECTIVES = [
  'Reading',
  'Math',
  'Science',
  'Creative',
  'Global',
  'Smart',
  'Happy',
  'Bright',
  'Coding',
  'History',
  'Music',
  'Word',
  'Story',
  'Number',
  'Nature',
  'Space',
  'Art',
  'Phonics',
  'Spelling',
  'Geography',
];
const NOUNS = [
  'Lab',
  'Quest',
  'Academy',
  'Explorer',
  'Builder',
  'Studio',
  'Adventures',
  'World',
  'Club',
  'Workshop',
  'Garden',
  'Journey',
  'Planet',
  'Tutor',
  'Games',
  'Library',
  'Lessons',
  'Island',
  'Kit',
  'Hub',
];
const VENDOR_WORDS = [
  'Acme',
  'Blake',
  'Learning',
  'Education',
  'Éditions',
  'Kids',
  'Software',
  'Digital',
  'Labs',
  'Media',
  'Press',
  'Systems',
  'Partners',
  'Studios',
  'Works',
];

/** A district-like list: two words and a number per resource, ~1 vendor in 20, a fifth Not Approved. */
export function registryCsv(entries: number): string {
  const lines = [
    formatCsvLine(['resourceName', 'vendorName', 'url', 'status', 'decidedOn', 'dpaExpiresOn', 'notes']),
  ];
  for (let i = 0; i < entries; i++) {
    const name = `${ADJECTIVES[i % ADJECTIVES.length]} ${NOUNS[Math.floor(i / ADJECTIVES.length) % NOUNS.length]} ${i}`;
    const v = Math.floor(i / 20);
    const vendor = `${VENDOR_WORDS[v % VENDOR_WORDS.length]} ${VENDOR_WORDS[(v * 7 + 3) % VENDOR_WORDS.length]} ${v}`;
    const approved = i % 5 !== 0;
    lines.push(
      formatCsvLine([
        name,
        vendor,
        `https://apps${v}.example.com/r${i}`,
        approved ? 'Approved' : 'Not Approved',
        `2026-0${1 + (i % 9)}-1${i % 10}`,
        approved ? '2027-06-30' : '',
        approved ? '' : 'No DPA',
      ]),
    );
  }
  return lines.join('');
}

/** `npm run registry:import` of `file` into the runtime of `dataDir`; `nodeFlags` e.g. `--cpu-prof`. */
export function runImport(
  file: string,
  dataDir: string,
  port: number,
  nodeFlags: string[] = [],
): Promise<void> {
  const child = spawn(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', join(ROOT, 'scripts', 'registry-import.ts'), file],
    {
      cwd: ROOT,
      env: { ...process.env, LOCAL_DATA_DIR: dataDir, PORT: String(port), NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-2000);
  });
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`import exited ${code}: ${err}`)),
    ),
  );
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

type Query = RegistryFigures['queries'][number];

/** 50 JSON searches of one query (their times), then its HTML page and CSV export once each. */
async function measureSearch(
  baseUrl: string,
  store: WorkflowStore,
  q: string,
  status: RegistryStatus | null,
  keep: (route: string, bytes: number) => void,
): Promise<{ figure: Query; times: number[] }> {
  const path = `/registry?q=${encodeURIComponent(q)}${status ? `&status=${status}` : ''}`;
  const times: number[] = [];
  let returned = 0;
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    const res = await fetch(`${baseUrl}${path}`, { headers: { accept: 'application/json' } });
    const body = await res.text();
    times.push(performance.now() - t);
    keep('GET /registry (JSON)', Buffer.byteLength(body));
    const items = fieldOf(JSON.parse(body), 'items');
    returned = Array.isArray(items) ? items.length : 0;
  }
  const html = await (await fetch(`${baseUrl}${path}`, { headers: { accept: 'text/html' } })).text();
  keep('GET /registry (HTML)', Buffer.byteLength(html));
  const csv = await (await fetch(`${baseUrl}${path.replace('/registry', '/registry.csv')}`)).text();
  keep('GET /registry.csv', Buffer.byteLength(csv));
  const page = await searchRegistry({ q, ...(status ? { status } : {}) }, { store });
  times.sort((x, y) => x - y);
  return {
    times,
    figure: {
      q,
      status,
      requests: times.length,
      p50Ms: Number(percentile(times, 50).toFixed(1)),
      p99Ms: Number(percentile(times, 99).toFixed(1)),
      itemsRead: page.itemsRead,
      returned,
    },
  };
}

export async function measureRegistry(
  entries = Number(process.env.BENCH_REGISTRY_ENTRIES ?? 2000),
): Promise<RegistryFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-registry-'));
  const runtime = await startLocalRuntime({ port: 0, dataDir });
  try {
    const file = join(dataDir, 'registry.csv');
    writeFileSync(file, registryCsv(entries));
    const started = performance.now();
    await runImport(file, dataDir, runtime.port);
    const seconds = (performance.now() - started) / 1000;

    const client = new DynamoDBClient({
      endpoint: runtime.env.AWS_ENDPOINT_URL_DYNAMODB,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const store = new WorkflowStore({
      tableName: runtime.env.TABLE_NAME ?? '',
      client: DynamoDBDocumentClient.from(client),
    });
    const largest: Record<string, number> = {};
    const keep = (route: string, bytes: number) => {
      largest[route] = Math.max(largest[route] ?? 0, bytes);
    };
    const queries: RegistryFigures['queries'] = [];
    const all: number[] = [];
    const cases: [string, RegistryStatus | null][] = [
      ['', null],
      ['r', null],
      ['rea', null],
      ['math lab', null],
      ['acme', 'APPROVED'],
      ['sci', 'NOT_APPROVED'],
      ['éditions', null],
      ['1234', null],
      ['zzz', null],
    ];
    for (const [q, status] of cases) {
      const { figure, times } = await measureSearch(runtime.baseUrl, store, q, status, keep);
      queries.push(figure);
      all.push(...times);
    }
    const id = resourceIdOf({ name: 'Reading Lab 0', vendorName: `${VENDOR_WORDS[0]} ${VENDOR_WORDS[3]} 0` });
    const resource = await fetch(`${runtime.baseUrl}/registry/${id}`, { headers: { accept: 'text/html' } });
    if (resource.status !== 200) throw new Error(`GET /registry/${id} answered ${resource.status}`);
    keep('GET /registry/{resourceId}', Buffer.byteLength(await resource.text()));
    client.destroy();
    all.sort((a, b) => a - b);
    return {
      entries,
      import: { seconds: Number(seconds.toFixed(1)), rowsPerSecond: Math.round(entries / seconds) },
      queries,
      p50Ms: Number(percentile(all, 50).toFixed(1)),
      p99Ms: Number(percentile(all, 99).toFixed(1)),
      maxItemsRead: Math.max(...queries.map((q) => q.itemsRead)),
      largestResponseBytes: largest,
    };
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The issue's targets for these figures. */
export function registryTargets(f: RegistryFigures) {
  const largest = Math.max(...Object.values(f.largestResponseBytes));
  return [
    { target: `registry search p99 <= 100 ms (${f.entries} entries)`, value: f.p99Ms, pass: f.p99Ms <= 100 },
    {
      target: `registry items read per query <= 2 x page size (${2 * PAGE_SIZE})`,
      value: f.maxItemsRead,
      pass: f.maxItemsRead <= 2 * PAGE_SIZE,
    },
    { target: 'every registry response <= 256 KB', value: largest, pass: largest <= MAX_RESPONSE_BYTES },
    {
      target: '20,000 rows import in under a minute (rows/s >= 334)',
      value: f.import.rowsPerSecond,
      pass: f.import.rowsPerSecond >= 334,
    },
  ];
}
