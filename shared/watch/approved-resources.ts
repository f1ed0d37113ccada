/**
 * Every Approved registry entry a request vetted (imported entries have no reviewed policy or SSL
 * test on file), page by page through the registry's search index.
 */
import { type RegistryDeps, searchRegistry } from '../registry/index.ts';
import type { RegistryEntry } from '../workflow/index.ts';

/** Pages read at most per run (50 entries each): a district lists a few thousand resources. */
const MAX_PAGES = 200;

export async function* approvedResources(
  deps: RegistryDeps,
): AsyncGenerator<RegistryEntry & { requestId: string }> {
  let after: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const page = await searchRegistry({ q: '', status: 'APPROVED', ...(after ? { after } : {}) }, deps);
    for (const entry of page.entries) {
      if (entry.source === 'workflow' && entry.requestId) yield { ...entry, requestId: entry.requestId };
    }
    if (!page.next) return;
    after = Buffer.from(page.next, 'base64url').toString('utf8');
  }
}
