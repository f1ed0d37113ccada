/**
 * The registry's CSV (import from a district's existing list, export for the TXSPA upload, SOP 6 and
 * 16): header names in any case, extra columns ignored, quoted fields, bad rows reported by line and
 * skipped, the same resource twice, spreadsheet formulas neutralised; and when an imported entry counts
 * as a current vetting.
 */
import { describe, expect, it } from 'vitest';
import { isCurrentVetting } from '#shared/registry/registry.ts';
import { csvRow, formatCsvLine, parseCsv, readRegistryCsv } from '#shared/registry/registry-csv.ts';
import type { RegistryEntry } from '#shared/workflow/records.ts';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line ends, and gives each record its first line', () => {
    const text = '\ufeffa,b\r\n"x, y","say ""hi""\nthere"\n\nlast,\n';

    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"\nthere'] },
      { line: 5, fields: ['last', ''] },
    ]);
  });

  it('reads back what formatCsvLine writes', () => {
    const fields = ['plain', 'with, comma', 'with "quote"', 'two\r\nlines', ''];

    expect(parseCsv(formatCsvLine(fields))[0]?.fields).toEqual(fields);
  });
});

describe('readRegistryCsv', () => {
  const HEADER = 'RESOURCENAME,vendorname,URL,Status,decidedon,dpaExpiresOn,notes,district code';

  it('turns each good row into an imported entry, whatever the header case; extra columns are ignored', () => {
    const { entries, problems } = readRegistryCsv(
      `${HEADER}\nReading Eggs,Blake eLearning,https://readingeggs.example.com/,approved,2026-03-01,2027-02-28,,R-1\n`,
    );

    expect(problems).toEqual([]);
    expect(entries).toEqual([
      {
        line: 2,
        entry: {
          resourceId: expect.stringMatching(/^reading-eggs-[0-9a-f]{12}$/),
          resourceName: 'Reading Eggs',
          url: 'https://readingeggs.example.com/',
          hosts: ['readingeggs.example.com'],
          vendorName: 'Blake eLearning',
          status: 'APPROVED',
          statusDate: '2026-03-01T00:00:00.000Z',
          source: 'imported',
          dpaExpiresOn: '2027-02-28',
        },
      },
    ]);
  });

  it.each([
    ['no resource name', ',Vendor,,Approved,2026-01-01,,', 'resourceName is empty'],
    ['punctuation only', '!!!,Vendor,,Approved,2026-01-01,,', 'resourceName is empty'],
    [
      'an unknown status',
      'A,Vendor,,Pending,2026-01-01,,',
      'status "Pending" is not Approved or Not Approved',
    ],
    ['an impossible date', 'A,Vendor,,Approved,2026-02-30,,', 'decidedOn is not a date'],
    ['a bad DPA date', 'A,Vendor,,Approved,2026-02-01,soon,', 'dpaExpiresOn is not a date'],
    [
      'a url that is not a web address',
      'A,Vendor,javascript:alert(1),Approved,2026-02-01,,',
      'url is not a web address',
    ],
  ])('a row with %s is reported by line and skipped', (_label, row, message) => {
    const { entries, problems } = readRegistryCsv(`${HEADER}\nOK,Vendor,,Approved,2026-01-01,,\n${row}\n`);

    expect(entries.map((e) => e.entry.resourceName)).toEqual(['OK']);
    expect(problems).toEqual([{ line: 3, message: expect.stringContaining(message) }]);
  });

  it('a missing required column fails the whole file at line 1', () => {
    expect(readRegistryCsv('resourceName,vendorName,status\nA,B,Approved\n')).toEqual({
      entries: [],
      problems: [{ line: 1, message: 'Missing column(s): decidedOn' }],
    });
  });

  it('the same resource twice: a repeat is dropped silently, a contradiction is reported', () => {
    const { entries, problems } = readRegistryCsv(
      `${HEADER}\nAtlas,Maps Inc,,Approved,2026-01-01,,\nAtlas,Maps Inc,,Approved,2026-01-01,,\natlas!,Maps Inc.,,Not Approved,2026-02-01,,\n`,
    );

    expect(entries).toHaveLength(1);
    expect(problems).toEqual([
      { line: 4, message: 'The same resource (vendor and name) as line 2, with other values' },
    ]);
  });

  it('a value a spreadsheet would run as a formula is exported behind an apostrophe and imported without it', () => {
    const { entries } = readRegistryCsv(`${HEADER}\n'=HYPERLINK(1),Vendor,,Approved,2026-01-01,,'-note\n`);
    const entry = entries[0]?.entry as RegistryEntry;

    expect(entry.resourceName).toBe('=HYPERLINK(1)');
    expect(entry.notes).toBe('-note');
    expect(formatCsvLine(csvRow(entry))).toBe("'=HYPERLINK(1),Vendor,,Approved,2026-01-01,,'-note\r\n");
  });
});

describe('isCurrentVetting: the resource page says whether a new request could reuse the vetting', () => {
  const NOW = new Date('2026-11-30T12:00:00.000Z');
  const base: RegistryEntry = {
    resourceId: 'atlas-0123456789ab',
    resourceName: 'Atlas',
    vendorName: 'Maps Inc',
    status: 'APPROVED',
    statusDate: '2026-10-01T00:00:00.000Z',
    source: 'workflow',
    requestId: 'SR-20261001-ATLAS001',
    dpaExpiresOn: '2027-02-28',
    sslGrade: 'A',
    sslTestedAt: '2026-10-01T00:00:00.000Z',
  };

  it.each([
    ['approved by a request, DPA and SSL pass in date', base, true],
    ['no DPA needed, no website', { ...base, dpaExpiresOn: undefined, sslTestedAt: undefined }, true],
    ['imported (no evidence on file)', { ...base, source: 'imported' as const, requestId: undefined }, false],
    ['a DPA expiring within 30 days', { ...base, dpaExpiresOn: '2026-12-29' }, false],
    ['a DPA expiring in 30 days', { ...base, dpaExpiresOn: '2026-12-30' }, true],
    ['an SSL pass 90 days old', { ...base, sslTestedAt: '2026-09-01T12:00:00.000Z' }, false],
    ['an SSL pass 89 days old', { ...base, sslTestedAt: '2026-09-02T12:00:00.000Z' }, true],
    ['Not Approved', { ...base, status: 'NOT_APPROVED' as const }, false],
  ])('%s → %s', (_label, entry, current) => {
    expect(isCurrentVetting(entry as RegistryEntry, NOW)).toBe(current);
  });
});
