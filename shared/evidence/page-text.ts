/**
 * A web page as readable text: what Cybersecurity read, without the markup. The snapshot's hash is taken
 * over this text, and the policy-change watch compares it line by line, so the same wording must give
 * the same text whatever the markup around it (a new tracking script or class name is no policy change).
 * One line per paragraph, heading or list item; no blank lines; runs of spaces as one.
 */

/** Elements whose content is never read as the page's text. */
const HIDDEN_ELEMENTS = /<(script|style|noscript|template)\b[^<>]*>[\s\S]*?(<\/\1\s*>|$)/gi;

/** Elements that start a new line of text: paragraphs, headings, list items, table rows, sections. */
const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'caption',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'td',
  'th',
  'title',
  'tr',
  'ul',
]);

/** The named entities policy pages use; any other `&name;` is left as written. */
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  shy: '',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  bull: '•',
  middot: '·',
  sect: '§',
  para: '¶',
  deg: '°',
  euro: '€',
  pound: '£',
  cent: '¢',
  yen: '¥',
  times: '×',
  divide: '÷',
  eacute: 'é',
  egrave: 'è',
  aacute: 'á',
  agrave: 'à',
  oacute: 'ó',
  uacute: 'ú',
  iacute: 'í',
  ntilde: 'ñ',
  ccedil: 'ç',
  uuml: 'ü',
  ouml: 'ö',
  auml: 'ä',
  szlig: 'ß',
};

/** `&amp;`, `&#169;`, `&#xA9;` → their characters, in one pass (so `&amp;lt;` stays `&lt;`). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z][a-zA-Z0-9]*);/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code =
        body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      // NUL, surrogates and values past Unicode are not characters: the replacement character, as browsers do.
      const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
      return String.fromCodePoint(valid ? code : 0xfffd);
    }
    return NAMED_ENTITIES[body] ?? NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** Tidy lines: non-breaking and other spaces as one space, each line trimmed, empty lines dropped. */
function tidyLines(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * Tags are matched up to the next `<` as well as `>` (`[^<>]*`): a page of unclosed `<a <a <a …` then
 * costs one pass, not one pass per `<`, so a hostile page cannot stall the function.
 */
function htmlText(html: string): string {
  const visible = html
    .replace(/<!--[\s\S]*?(-->|$)/g, ' ')
    .replace(HIDDEN_ELEMENTS, ' ')
    // Line breaks in the source are only spaces in a page; the block elements make the lines.
    .replace(/\s+/g, ' ');
  const withLines = visible.replace(
    /<\/?([a-zA-Z][a-zA-Z0-9-]*)\b[^<>]*>|<[!?][^<>]*>/g,
    (_tag, name?: string) => (name && BLOCK_TAGS.has(name.toLowerCase()) ? '\n' : ' '),
  );
  return decodeEntities(withLines);
}

/**
 * The readable text of a page: markup, scripts and styles removed, entities decoded, one line per
 * block. `contentType` decides whether the body is markup (HTML, XHTML) or already text (text/plain).
 */
export function pageText(body: string, contentType: string): string {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return tidyLines(mediaType === 'text/plain' ? body : htmlText(body));
}
