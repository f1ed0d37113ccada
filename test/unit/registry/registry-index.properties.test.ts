/**
 * Properties of the registry's search index (SOP 6, 16: staff find a resource by any word of its
 * resource or vendor name), on a real DynamoDB engine (dynalite): any inserted entry is found by each
 * word prefix of its names (in any case, with or without accents), and never by text that is not a
 * word prefix of them; and the identity is stable under case, accents and spacing.
 */
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RegistrySearch, searchRegistry } from '#shared/registry/registry-list.ts';
import { foldText, resourceIdOf, wordsOf } from '#shared/registry/resource-identity.ts';
import type { RegistryEntry } from '#shared/workflow/records.ts';
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';

let table: DynaliteTable;
beforeAll(async () => {
  table = await startDynaliteTable();
});
afterAll(async () => table.stop());

/** Letters with and without accents, digits: the words staff type. */
const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzéèçñüøå0123456789'.split(''));
const word = fc.array(letter, { minLength: 1, maxLength: 14 }).map((cs) => cs.join(''));
const name = fc.array(word, { minLength: 1, maxLength: 4 });
const casing = fc.constantFrom<(s: string) => string>(
  (s) => s,
  (s) => s.toUpperCase(),
  (s) => s.charAt(0).toUpperCase() + s.slice(1),
);

/** Every entry the search returns, page after page (a prefix may match many entries of other runs). */
async function findAll(search: Omit<RegistrySearch, 'after'>): Promise<RegistryEntry[]> {
  const found: RegistryEntry[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 200; pages++) {
    const page = await searchRegistry({ ...search, ...(after ? { after } : {}) }, { store: table.store });
    found.push(...page.entries);
    if (!page.next) return found;
    after = Buffer.from(page.next, 'base64url').toString('utf8');
  }
  throw new Error('more than 200 pages');
}

let run = 0;

describe('the registry search index', () => {
  it('finds an entry by each word prefix of its resource and vendor names, in any case', async () => {
    await fc.assert(
      fc.asyncProperty(name, name, casing, fc.boolean(), async (nameWords, vendorWords, cased, approved) => {
        run++;
        // A word of its own per run keeps each run's entry apart from the others'.
        const resourceName = [...nameWords, `run${run}`].map(cased).join(' ');
        const vendorName = vendorWords.map(cased).join(', ');
        const entry: RegistryEntry = {
          resourceId: resourceIdOf({ name: resourceName, vendorName }),
          resourceName,
          vendorName,
          status: approved ? 'APPROVED' : 'NOT_APPROVED',
          statusDate: '2026-11-30T10:00:00.000Z',
          source: 'imported',
        };
        await table.store.putRegistryEntry(entry);
        const words = [...wordsOf(resourceName), ...wordsOf(vendorName)];
        for (const w of words) {
          for (const n of new Set([1, 2, Math.ceil(w.length / 2), w.length])) {
            const prefix = w.slice(0, n);
            const ids = (await findAll({ q: `${cased(prefix)} run${run}`, status: entry.status })).map(
              (e) => e.resourceId,
            );
            expect(ids, prefix).toContain(entry.resourceId);
          }
        }
      }),
      { numRuns: 15 },
    );
  });

  it('never finds an entry by text that is not a word prefix of its names', async () => {
    await fc.assert(
      fc.asyncProperty(name, name, word, async (nameWords, vendorWords, other) => {
        run++;
        const resourceName = [...nameWords, `run${run}`].join(' ');
        const vendorName = vendorWords.join(' ');
        const words = [...wordsOf(resourceName), ...wordsOf(vendorName)];
        const q = foldText(other);
        fc.pre(q.length > 0 && !words.some((w) => w.startsWith(q)));
        const entry: RegistryEntry = {
          resourceId: resourceIdOf({ name: resourceName, vendorName }),
          resourceName,
          vendorName,
          status: 'APPROVED',
          statusDate: '2026-11-30T10:00:00.000Z',
          source: 'imported',
        };
        await table.store.putRegistryEntry(entry);

        const found = await findAll({ q: `${other} run${run}` });

        expect(found.map((e) => e.resourceId)).not.toContain(entry.resourceId);
      }),
      { numRuns: 25 },
    );
  });

  it('the identity is the same for any case, accents or spacing of the same vendor and name', () => {
    fc.assert(
      fc.property(name, name, casing, (nameWords, vendorWords, cased) => {
        const id = resourceIdOf({ name: nameWords.join(' '), vendorName: vendorWords.join(' ') });
        const respelled = resourceIdOf({
          name: `  ${nameWords.map(cased).join('   ')}! `,
          vendorName: vendorWords.map((w) => cased(w.normalize('NFD'))).join(' - '),
        });
        expect(respelled).toBe(id);
        expect(id).toMatch(/^[a-z0-9-]{1,40}-[0-9a-f]{12}$/);
      }),
    );
  });
});
