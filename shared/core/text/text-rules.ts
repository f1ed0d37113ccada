/**
 * The one rule for every free-text field people type (the request, the replacement and every task
 * decision), and the one rule for every website link. Each returns a zod/mini schema whose messages
 * name the field, so the form can show them next to it.
 *
 * Text: valid Unicode (no lone UTF-16 surrogate, no U+FFFD left by a broken encoding), no control
 * characters (newline and tab only where the field is multi-line), invisible characters and spaces
 * trimmed at both ends, not blank, and at most `max` characters (UTF-16 code units, as browsers count
 * `maxlength`). Every field has a limit, so no request can grow past what one DynamoDB item holds.
 *
 * Links: http(s) only, at most 2,048 characters (the common browser limit), no whitespace, control
 * characters or backslashes, no user name or password, and a public host name with a dot: never an IP
 * address in any notation (the WHATWG parser turns `0x7f000001`, `017700000001` and `2130706433` into
 * 127.0.0.1, so the parsed host is what is checked), nor localhost or a private, link-local or
 * internal name. The district's SSL test (SOP step 5) must only ever be pointed at a public website.
 */
import * as z from 'zod/mini';
import { TEXT_LIMITS } from './text-limits.ts';

export { TEXT_LIMITS } from './text-limits.ts';

// ---- characters --------------------------------------------------------------------------------

/**
 * C0 and C1 controls, DEL, the Unicode line/paragraph separators, the bidirectional embedding,
 * override and isolate controls (they reorder what a reader sees: "Trojan Source"), and the
 * interlinear annotation marks. Tab, LF and CR are handled per field (multi-line or not).
 */
const CONTROL = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069\uFFF9-\uFFFB]/u;
const LINE_CONTROL = /[\t\n\r]/g;
/** Characters that show nothing: spaces of every width, zero-width characters, BOM, soft hyphen, … */
const INVISIBLE = '[\\s\\p{Default_Ignorable_Code_Point}\\u2800\\u3164\\uFFA0\\u115F\\u1160]';
const INVISIBLE_EDGES = new RegExp(`^${INVISIBLE}+|${INVISIBLE}+$`, 'gu');

/** False for a lone UTF-16 surrogate (which cannot be encoded as UTF-8, in an email or in DynamoDB). */
export function isWellFormedText(value: string): boolean {
  return value.isWellFormed();
}

/** True when the text has a control character; `multiLine` allows newline, carriage return and tab. */
export function hasControlCharacter(value: string, multiLine = false): boolean {
  return CONTROL.test(multiLine ? value.replace(LINE_CONTROL, '') : value);
}

/** Spaces and invisible characters removed from both ends ("\u200B\u200B" becomes ""). */
export function trimInvisible(value: string): string {
  return value.replace(INVISIBLE_EDGES, '');
}

// ---- text fields -------------------------------------------------------------------------------

interface TextOptions {
  /** Newlines and tabs are allowed (a textarea); CRLF and CR become LF. */
  multiLine?: boolean;
  /** The message when the field is missing or blank; default "<label> is required". */
  required?: string;
}

/** The checks every free-text field shares, before its own required/length checks. */
function textChecks(label: string, multiLine: boolean) {
  return [
    z.refine<string>(isWellFormedText, {
      message: `${label} contains a broken character (an unpaired surrogate); please retype it`,
      abort: true,
    }),
    z.refine<string>((s) => !s.includes('\uFFFD'), {
      message: `${label} contains an unreadable character (\uFFFD); please retype it`,
      abort: true,
    }),
    z.refine<string>((s) => !hasControlCharacter(s, multiLine), {
      message: multiLine
        ? `${label} must not contain control characters (line breaks and tabs are fine)`
        : `${label} must be one line of text without tabs or control characters`,
      abort: true,
    }),
    z.overwrite<string>((s) => {
      const trimmed = trimInvisible(s);
      return multiLine ? trimmed.replace(/\r\n?/g, '\n') : trimmed;
    }),
  ];
}

/** The rule for one required free-text field: trimmed, not blank, at most `max` characters. */
export function textField(label: string, max: number, options: TextOptions = {}) {
  const required = options.required ?? `${label} is required`;
  return z
    .string({ error: required })
    .check(
      ...textChecks(label, options.multiLine ?? false),
      z.minLength(1, required),
      z.maxLength(max, `${label} must be at most ${max} characters`),
    );
}

/** A required multi-line text field (a textarea). */
export function multiLineTextField(label: string, max: number, options: { required?: string } = {}) {
  return textField(label, max, { ...options, multiLine: true });
}

/** An optional free-text field: the same rule, except that empty (after trimming) is allowed. */
export function optionalTextField(label: string, max: number, options: Omit<TextOptions, 'required'> = {}) {
  return z.optional(
    z
      .string({ error: `${label} must be text` })
      .check(
        ...textChecks(label, options.multiLine ?? false),
        z.maxLength(max, `${label} must be at most ${max} characters`),
      ),
  );
}

// ---- website links -----------------------------------------------------------------------------

/** Names that never denote a public website (RFC 6761, RFC 8375, common private suffixes). */
const PRIVATE_NAMES = ['localhost', 'localdomain', 'local', 'internal', 'intranet', 'lan', 'home', 'corp'];
const PRIVATE_SUFFIXES = [
  ...PRIVATE_NAMES.map((n) => `.${n}`),
  '.home.arpa',
  '.in-addr.arpa',
  '.ip6.arpa',
  '.arpa',
  '.onion',
  '.invalid',
];
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/** The last label of a public name: letters, or an internationalised (punycode) top-level domain. */
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** Why `raw` is not a public http(s) website link, as the end of a sentence ("… must …"), or undefined. */
export function urlProblem(raw: string): string | undefined {
  if (!isWellFormedText(raw) || raw.includes('\uFFFD'))
    return 'contains a broken character; please retype it';
  if (raw.length > TEXT_LIMITS.url) return `must be at most ${TEXT_LIMITS.url} characters`;
  if (/\s/u.test(raw) || hasControlCharacter(raw)) {
    return 'must not contain spaces, line breaks or control characters';
  }
  if (raw.includes('\\')) return 'must not contain backslashes';
  if (!/^https?:\/\//i.test(raw)) return 'must be a full http(s) address, e.g. https://example.com';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be a full http(s) address, e.g. https://example.com';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'must be a full http(s) address, e.g. https://example.com';
  }
  // "https://user@host" and "https://user:pass@host": credentials in a link end up in logs and emails.
  if (url.username || url.password || /^https?:\/\/[^/?#]*@/i.test(raw)) {
    return 'must not include a user name or password';
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[') || IPV4.test(host)) {
    return 'must name the website, not an IP address';
  }
  if (PRIVATE_NAMES.includes(host) || PRIVATE_SUFFIXES.some((s) => host.endsWith(s))) {
    return 'must be a public website (localhost, private and internal names cannot be checked)';
  }
  const labels = host.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TOP_LEVEL.test(labels.at(-1) ?? '')) {
    return 'must be a full website name with a dot, e.g. https://example.com';
  }
  return undefined;
}

/** The rule for every website link (the request's and a replacement's): trimmed, then `urlProblem`. */
export function websiteUrlField(label: string) {
  const field = z
    .string({ error: `${label} must be a full http(s) address, e.g. https://example.com` })
    .check(
      // Spaces around a pasted link are harmless; line breaks and tabs are not trimmed but rejected.
      z.overwrite((s) => s.replace(/^ +| +$/g, '')),
      z.maxLength(TEXT_LIMITS.url, {
        message: `${label} must be at most ${TEXT_LIMITS.url} characters`,
        abort: true,
      }),
      z.superRefine((value, ctx) => {
        const problem = urlProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: `${label} ${problem}`, input: value });
      }),
    );
  // JSON Schema (docs/openapi.json): the rule above is code, so say at least that this is a URI.
  return field.register(z.globalRegistry, { format: 'uri' });
}
