/**
 * GET /registry.csv — SOP 6 and 16 "upload status to the TXSPA Database": the registry (same search
 * and status filter as the list) as one CSV download in the import's columns. A response stays within
 * EXPORT_MAX_BYTES (API Gateway and Lambda cap a response; staff lists of a few thousand resources fit
 * in one); past that, the `next` cursor (a Link header) gives the rest.
 */
import type { RegistryEntry } from '../workflow/index.ts';
import { csvHeader, csvRow, formatCsvLine } from './registry-csv.ts';
import { cursorAfter, type RegistryDeps, type RegistrySearch, searchRegistry } from './registry-list.ts';

export const EXPORT_MAX_BYTES = 240 * 1024;
/** List pages read for one download at most (each reads at most 2 × 50 items). */
const MAX_PAGES = 40;

export interface RegistryExport {
  csv: string;
  rows: number;
  next?: string;
}

export async function exportRegistry(search: RegistrySearch, deps: RegistryDeps): Promise<RegistryExport> {
  let csv = csvHeader();
  let bytes = Buffer.byteLength(csv);
  let rows = 0;
  let after = search.after;
  let last: RegistryEntry | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const page = await searchRegistry({ ...search, ...(after ? { after } : {}) }, deps);
    for (const entry of page.entries) {
      const line = formatCsvLine(csvRow(entry));
      const size = Buffer.byteLength(line);
      // A row never outgrows the limit alone (text limits), so some row was written before this one.
      if (bytes + size > EXPORT_MAX_BYTES) {
        return { csv, rows, ...(last ? { next: cursorAfter(last) } : {}) };
      }
      last = entry;
      csv += line;
      bytes += size;
      rows++;
    }
    if (!page.next) return { csv, rows };
    if (n === MAX_PAGES - 1) return { csv, rows, next: page.next };
    after = Buffer.from(page.next, 'base64url').toString('utf8');
  }
  return { csv, rows };
}
