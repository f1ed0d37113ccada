/**
 * Inline scripts a page may carry. A feature declares each of its scripts once, here; the page shell
 * embeds it and the HTTP edge allows it by the hash of its exact text, on the pages that carry it and
 * no others. Nothing undeclared can run: an injected script has no hash in the policy.
 */
import { createHash } from 'node:crypto';

export interface PageScript {
  /** The script's exact text, as the page embeds it. */
  readonly source: string;
  /** The CSP source that allows exactly this text: `'sha256-…'`. */
  readonly cspSource: string;
}

const declared: PageScript[] = [];

/** Declares an inline page script (call once, at module load, with a constant text). */
export function pageScript(source: string): PageScript {
  const script = { source, cspSource: `'sha256-${createHash('sha256').update(source).digest('base64')}'` };
  declared.push(script);
  return script;
}

/** The element the page shell writes for a script. */
export const scriptElement = (script: PageScript): string => `<script>${script.source}</script>`;

/** The declared scripts a page carries, for its CSP. */
export function scriptsIn(page: string): PageScript[] {
  return declared.filter((script) => page.includes(scriptElement(script)));
}
