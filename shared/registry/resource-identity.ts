/**
 * A registry entry is one resource (SOP 6, 16): its identity comes from the vendor and the resource's
 * name, folded so that spelling variants staff would call "the same resource" (case, accents,
 * punctuation, spacing) get the same id. The website is an attribute, not the key: two resources on one
 * host are two entries. The id is computed, never looked up, so a new request's vendor + resource name
 * find its entry with one GetItem (the planned "reuse of a current vetting").
 *
 * The same folding gives the search words: an entry is found by any prefix of any word of its
 * resource or vendor name.
 */
import { createHash } from 'node:crypto';

/** Case-, accent- and punctuation-insensitive text: lower-case letters and digits, single spaces. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of a folded text. */
export function wordsOf(text: string): string[] {
  const folded = foldText(text);
  return folded ? folded.split(' ') : [];
}

export interface ResourceNaming {
  /** The resource's name as the request or import gave it. */
  name: string;
  vendorName: string;
}

/** Characters of the readable part of an id (the hash makes it unique). */
const SLUG_LENGTH = 40;

/**
 * `<name-slug>-<12 hex>`: readable in a link, safe in a URL path and a DynamoDB key, and the same for
 * every spelling that folds alike. The hash covers vendor and name, so two vendors' "Reader" differ.
 */
export function resourceIdOf(resource: ResourceNaming): string {
  const vendor = foldText(resource.vendorName);
  const name = foldText(resource.name);
  const digest = createHash('sha256').update(`${vendor}\n${name}`, 'utf8').digest('hex').slice(0, 12);
  const slug = name
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_LENGTH)
    .replace(/-+$/, '');
  return `${slug || 'resource'}-${digest}`;
}

/** What a resource id looks like (path parameter check before any read). */
export const RESOURCE_ID_PATTERN = /^[a-z0-9-]{1,40}-[0-9a-f]{12}$/;

/**
 * Index prefixes longer than this are not stored: a longer search word is looked up by its first
 * MAX_PREFIX characters and the rest checked against the entry's words (bounded items per entry).
 */
export const MAX_PREFIX = 12;

/** Every search word of an entry: the distinct words of its resource and vendor names. */
export function searchWords(resource: ResourceNaming): string[] {
  return [...new Set([...wordsOf(resource.name), ...wordsOf(resource.vendorName)])];
}

/** The index keys of an entry: '' (the whole list) and each distinct word prefix up to MAX_PREFIX. */
export function indexPrefixes(words: readonly string[]): string[] {
  const prefixes = new Set<string>(['']);
  for (const word of words) {
    const chars = [...word];
    for (let n = 1; n <= Math.min(chars.length, MAX_PREFIX); n++) prefixes.add(chars.slice(0, n).join(''));
  }
  return [...prefixes];
}

/** The index key a search word is looked up under. */
export function lookupPrefix(word: string): string {
  return [...word].slice(0, MAX_PREFIX).join('');
}

/** Every search word is the prefix of some word of the entry. */
export function matchesWords(entryWords: readonly string[], queryWords: readonly string[]): boolean {
  return queryWords.every((q) => entryWords.some((w) => w.startsWith(q)));
}

/** The entry's place in name order: its folded name, then its id (unique). */
export function sortKeyOf(resource: ResourceNaming, resourceId: string): string {
  return `${foldText(resource.name)}\u0001${resourceId}`;
}
