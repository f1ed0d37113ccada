/**
 * What counts as a change of a privacy policy (issue 22): the readable text of the page (page-text.ts
 * already took the markup off) is normalised before it is compared, so that what vendors change every
 * week without changing a promise opens no task: whitespace, "Last updated" dates, tracking parameters
 * on links, typographic quotes and dashes, letter case. What is left is split into sentences; the
 * difference is the sentences added and removed, which is what Cybersecurity reads on the task.
 * Sentences that only moved are not a change (a promise means the same wherever it stands).
 */

/** Month names and their abbreviations, for the dates vendors stamp on their pages. */
const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const WEEKDAY = '(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\\.?,?\\s+)?';

/** Dates and times in the forms policy pages use; each becomes one placeholder. */
const DATES: readonly RegExp[] = [
  // 2026-12-05, 2026-12-05T10:00:00Z, 2026/12/05
  /\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?\b/gi,
  // 12/05/2026, 05.12.2026, 5-12-26
  /\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b/g,
  // (Saturday,) December 5(th), 2026
  new RegExp(`\\b${WEEKDAY}${MONTH}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b`, 'gi'),
  // 5(th) (of) December(,) 2026
  new RegExp(`\\b${WEEKDAY}\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}\\.?,?\\s+\\d{4}\\b`, 'gi'),
  // December 2026
  new RegExp(`\\b${MONTH}\\.?\\s+\\d{4}\\b`, 'gi'),
  // a time of day left on its own: 10:00, 10:00:05 am
  /\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?\b/gi,
];

/** Query parameters that say who clicked, never what the page says. */
const TRACKING_PARAMETER =
  /^(?:utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|hsctatracking|mkt_tok|igshid|yclid|twclid|li_fat_id|ref|ref_src|trk|s_cid|vero_id|oly_anon_id|oly_enc_id|rb_clickid|wickedid|spm)$/i;

/** A link in the text, without the punctuation that ends the sentence around it. */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"')\]]*[^\s<>"')\].,;:!?]/gi;

/** The address without its tracking parameters (and without a `?` left empty). */
export function withoutTracking(address: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return address;
  }
  for (const name of [...url.searchParams.keys()]) {
    if (TRACKING_PARAMETER.test(name)) url.searchParams.delete(name);
  }
  return url.toString().replace(/\?(?=#|$)/, '');
}

/**
 * One sentence (or line) as compared: no markup left over, dates as `<date>`, links without tracking
 * parameters, quotes and dashes plain, one space between words, lower case.
 */
export function normaliseSentence(sentence: string): string {
  let text = sentence.normalize('NFKC').replace(/<[^<>]*>/g, ' ');
  text = text.replace(URL_IN_TEXT, (address) => withoutTracking(address));
  for (const pattern of DATES) text = text.replace(pattern, '<date>');
  return text
    .replace(/[‘’‚‛′]/g, "'")
    .replace(/[“”„‟″]/g, '"')
    .replace(/[‐‑‒–—―]/g, '-')
    .replace(/\u200b|\u200c|\u200d|\ufeff/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Abbreviations whose full stop ends no sentence ("Dec. 6, 2026", "Acme Inc. and"). */
const ABBREVIATIONS = ['jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec']
  .concat(['mr', 'mrs', 'ms', 'dr', 'st', 'inc', 'ltd', 'co', 'corp', 'no', 'vs', 'etc', 'sec', 'art'])
  .map((word) => [...word].map((c) => `[${c}${c.toUpperCase()}]`).join(''))
  .join('|');

/**
 * Where a sentence ends: `.`, `!` or `?` (with closing quotes or brackets) before a space and a capital
 * or digit, unless the full stop is an abbreviation's.
 */
const SENTENCE_END = new RegExp(
  `(?<=[.!?]["'”’)\\]]*)(?<!\\b(?:${ABBREVIATIONS})\\.)\\s+(?=["'“‘(]*[\\p{Lu}\\d])`,
  'u',
);

/**
 * The sentences of a page's readable text, as written (whitespace collapsed): one per line at least
 * (a heading or list item is its own), split further at sentence ends. Empty ones are dropped.
 */
export function policySentences(text: string): string[] {
  return text
    .split(/\r?\n+/)
    .flatMap((line) => line.split(SENTENCE_END))
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter(
      (s) =>
        normaliseSentence(s)
          .replace(/<date>/g, '')
          .replace(/[\s\p{P}]/gu, '') !== '',
    );
}

export interface PolicyDifference {
  /** Sentences of the new text that the old one does not have (as the new text writes them). */
  added: string[];
  /** Sentences of the old text that the new one no longer has (as the old text wrote them). */
  removed: string[];
}

/** The sentences added and removed between two readable texts, compared normalised (each counted). */
export function policyDifference(before: string, after: string): PolicyDifference {
  const unmatched = (from: string[], against: string[]): string[] => {
    const left = new Map<string, number>();
    for (const s of against) {
      const key = normaliseSentence(s);
      left.set(key, (left.get(key) ?? 0) + 1);
    }
    return from.filter((s) => {
      const key = normaliseSentence(s);
      const n = left.get(key) ?? 0;
      if (n > 0) left.set(key, n - 1);
      return n === 0;
    });
  };
  const old = policySentences(before);
  const now = policySentences(after);
  return { added: unmatched(now, old), removed: unmatched(old, now) };
}

/** A change Cybersecurity must look at: a sentence was added or removed once normalised. */
export function isMaterialChange(difference: PolicyDifference): boolean {
  return difference.added.length > 0 || difference.removed.length > 0;
}
