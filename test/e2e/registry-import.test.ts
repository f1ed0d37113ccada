/**
 * End to end: a district loads its existing list of vetted resources into the running local runtime
 * (`npm run registry:import -- file.csv`, SOP 6 and 16 "TXSPA Database"), staff find them by a word of
 * their names, open a resource's page, and download the list for the TXSPA upload: the export of the
 * import is the input again (modulo order). Bad rows are reported by line and skipped; importing the
 * same file again changes nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '#shared/registry/registry-csv.ts';
import { resourceIdOf } from '#shared/registry/resource-identity.ts';
import { runScript, type ScriptRun, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('registry-import');

const GOOD = [
  [
    'Reading Eggs',
    'Blake eLearning',
    'https://readingeggs.example.com/',
    'Approved',
    '2026-03-01',
    '2027-02-28',
    '',
  ],
  [
    'Math Seeds',
    'Blake eLearning',
    'https://apps.blake.example/math',
    'Approved',
    '2025-01-10',
    '2025-12-31',
    'Grades K-2',
  ],
  [
    'Éducation Plus',
    'Société Ça, "Inc."',
    '',
    'Not Approved',
    '2026-05-20',
    '',
    'No DPA, data sold to third parties',
  ],
  ['Reader', 'Blake eLearning', 'https://apps.blake.example/reader', 'Approved', '2026-06-01', '', '=1+1'],
];
const quote = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
const line = (fields: string[]) => fields.map(quote).join(',');
const CSV = [
  'ResourceName,VENDORNAME,url,status,decidedOn,dpaExpiresOn,notes,internal id',
  ...GOOD.slice(0, 2).map((r) => `${line(r)},x-1`),
  'Broken,Vendor,not a url,Approved,2026-01-01,,,x-2',
  line(GOOD[2] as string[]),
  'No Date,Vendor,,Approved,yesterday,,,',
  line(GOOD[3] as string[]),
  '',
].join('\r\n');

function importCsv(file: string): Promise<ScriptRun> {
  return runScript({ dataDir: env.dataDir, port: env.runtime.port }, 'scripts/registry-import.ts', [file]);
}

async function get(path: string, accept = 'application/json') {
  const res = await fetch(`${env.runtime.baseUrl}${path}`, { headers: { accept } });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('registry import → search → resource page → export', () => {
  it('loads the valid rows, reports the bad ones by line, and the export gives the input back', async () => {
    const file = join(env.dataDir, 'district-list.csv');
    writeFileSync(file, CSV);

    // Act: import
    const first = await importCsv(file);

    // Assess: bad rows by line number, the rest written
    expect(first.code, first.err).toBe(2);
    expect(first.err).toContain('district-list.csv:4: url is not a web address');
    expect(first.err).toContain('district-list.csv:6: decidedOn is not a date');
    expect(first.out).toContain('4 written, 0 already there');

    // Search by a word prefix of the resource or vendor name, accents aside
    const found = JSON.parse((await get('/registry?q=blake')).text) as {
      items: { resourceName: string; resourceId: string; source: string }[];
    };
    expect(found.items.map((i) => i.resourceName)).toEqual(['Math Seeds', 'Reader', 'Reading Eggs']);
    expect(found.items.every((i) => i.source === 'imported')).toBe(true);
    const educ = JSON.parse((await get('/registry?q=educ&status=NOT_APPROVED')).text) as {
      items: { resourceName: string }[];
    };
    expect(educ.items.map((i) => i.resourceName)).toEqual(['Éducation Plus']);

    // Two resources on one host are two entries, each with its own page
    const readerId = resourceIdOf({ name: 'Reader', vendorName: 'Blake eLearning' });
    const page = await get(`/registry/${readerId}`, 'text/html');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Reader</h1>');
    expect(page.text).toContain('imported from the district');
    const math = JSON.parse(
      (await get(`/registry/${resourceIdOf({ name: 'Math Seeds', vendorName: 'Blake eLearning' })}`)).text,
    ) as { currentVetting: boolean; evidence: { dpaExpiresOn: string } };
    // Its DPA expired at the end of 2025: not a current vetting any more.
    expect(math).toMatchObject({ currentVetting: false, evidence: { dpaExpiresOn: '2025-12-31' } });

    // Export: the same columns, the same rows (modulo order)
    const exported = await get('/registry.csv');
    expect(exported.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const [header, ...rows] = parseCsv(exported.text).map((r) => r.fields);
    expect(header).toEqual([
      'resourceName',
      'vendorName',
      'url',
      'status',
      'decidedOn',
      'dpaExpiresOn',
      'notes',
    ]);
    const unformula = (f: string) => (/^'[=+\-@]/.test(f) ? f.slice(1) : f);
    expect(rows.map((r) => r.map(unformula)).sort()).toEqual([...GOOD].sort());

    // Importing the same file again changes nothing
    const again = await importCsv(file);
    expect(again.out).toContain('0 written, 4 already there');
    expect((await get('/registry.csv')).text).toBe(exported.text);
  });

  it('without a running runtime in LOCAL_DATA_DIR the import says so and writes nothing', async () => {
    const file = join(env.dataDir, 'one.csv');
    writeFileSync(file, `resourceName,vendorName,status,decidedOn\nAtlas,Maps Inc,Approved,2026-01-01\n`);
    const { code, err } = await runScript(
      { dataDir: join(env.dataDir, 'nowhere') },
      'scripts/registry-import.ts',
      [file],
    );

    expect(code).toBe(1);
    expect(err).toContain('No local runtime found');
  });
});
