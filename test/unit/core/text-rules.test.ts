/**
 * The one rule for free text and the one rule for website links (shared/core/text/text-rules.ts), as
 * examples. test/unit/workflow/request-schema.properties.test.ts checks the same rules over generated input.
 */
import { describe, expect, it } from 'vitest';
import {
  hasControlCharacter,
  isWellFormedText,
  multiLineTextField,
  optionalTextField,
  TEXT_LIMITS,
  textField,
  trimInvisible,
  urlProblem,
  websiteUrlField,
} from '#shared/core/text/text-rules.ts';

const messages = (
  schema: { safeParse: (v: unknown) => { error?: { issues: { message: string }[] } } },
  v: unknown,
) => schema.safeParse(v).error?.issues.map((i) => i.message) ?? [];

describe('free text: one line', () => {
  const name = textField('Your name', 120);

  it('keeps ordinary text from any script, trimmed', () => {
    expect(name.parse('  Maria López ')).toBe('Maria López');
    expect(name.parse('王小明')).toBe('王小明');
    expect(name.parse('Zoë 👩🏽‍🏫')).toBe('Zoë 👩🏽‍🏫');
  });

  it('rejects a lone UTF-16 surrogate (it cannot be written as UTF-8: emails and links broke on it)', () => {
    for (const broken of ['ab\ud800cd', 'ab\udc00cd', 'end\ud83d'])
      expect(messages(name, broken)).toEqual([
        'Your name contains a broken character (an unpaired surrogate); please retype it',
      ]);
  });

  it('rejects U+FFFD, the mark a broken encoding leaves behind', () => {
    expect(messages(name, 'Mar\uFFFDa')).toEqual([
      'Your name contains an unreadable character (\uFFFD); please retype it',
    ]);
  });

  it('rejects control characters, tabs and line breaks: NUL, BEL, ESC, DEL, C1, LF, CR, U+2028, bidi overrides', () => {
    for (const c of [
      '\u0000',
      '\u0007',
      '\u001b',
      '\u007f',
      '\u0085',
      '\n',
      '\r',
      '\t',
      '\u2028',
      '\u202e',
      '\u2066',
    ])
      expect(messages(name, `Ma${c}ria`)).toEqual([
        'Your name must be one line of text without tabs or control characters',
      ]);
  });

  it('is blank (so required) when only spaces or invisible characters remain: zero-width, BOM, soft hyphen, NBSP', () => {
    for (const blank of [
      '',
      '   ',
      '\u200b\u200b',
      '\ufeff',
      '\u00ad',
      '\u00a0\u2060\u200d',
      '\u3000',
      '\u2800',
    ])
      expect(messages(name, blank)).toEqual(['Your name is required']);
  });

  it('trims invisible characters at the ends only; a zero-width joiner inside an emoji stays', () => {
    expect(name.parse('\ufeff\u200bMaria\u200b')).toBe('Maria');
    expect(name.parse('👩‍🏫')).toBe('👩‍🏫');
  });

  it('has a limit, counted after trimming', () => {
    expect(name.parse(` ${'x'.repeat(120)} `)).toHaveLength(120);
    expect(messages(name, 'x'.repeat(121))).toEqual(['Your name must be at most 120 characters']);
  });

  it('names a value that is not text at all as missing', () => {
    expect(messages(name, 42)).toEqual(['Your name is required']);
    expect(messages(textField('The comment', 10, { required: 'Explain it' }), undefined)).toEqual([
      'Explain it',
    ]);
  });
});

describe('free text: multi-line (a textarea)', () => {
  const vision = multiLineTextField('Student use vision', 2000);

  it('allows newlines and tabs, and stores CRLF and CR as LF', () => {
    expect(vision.parse('Stations:\r\n\t1. fractions\r2. models')).toBe(
      'Stations:\n\t1. fractions\n2. models',
    );
  });

  it('still rejects every other control character', () => {
    for (const c of ['\u0000', '\u0007', '\u001b', '\u000b', '\u000c', '\u007f', '\u009b', '\u202e'])
      expect(messages(vision, `a${c}b`)).toEqual([
        'Student use vision must not contain control characters (line breaks and tabs are fine)',
      ]);
  });

  it('an optional one may be empty, but follows the same rule otherwise', () => {
    const comment = optionalTextField('The comment', 2000, { multiLine: true });
    expect(comment.parse(undefined)).toBeUndefined();
    expect(comment.parse('\u200b ')).toBe('');
    expect(messages(comment, 'ok\u0000')).toEqual([
      'The comment must not contain control characters (line breaks and tabs are fine)',
    ]);
    expect(messages(comment, 'x'.repeat(2001))).toEqual(['The comment must be at most 2000 characters']);
  });
});

describe('character helpers', () => {
  it('isWellFormedText, hasControlCharacter, trimInvisible', () => {
    expect(isWellFormedText('😀')).toBe(true);
    expect(isWellFormedText('\ud83d')).toBe(false);
    expect(hasControlCharacter('a\nb')).toBe(true);
    expect(hasControlCharacter('a\nb', true)).toBe(false);
    expect(hasControlCharacter('a\u0000b', true)).toBe(true);
    expect(trimInvisible('\u200b a b \u2060')).toBe('a b');
  });
});

describe('website links: public http(s) names only', () => {
  it.each([
    'https://fractionlab.example.com',
    'http://learn.example.com/app?grade=3#top',
    'https://www.MathBlaster.example/app',
    'https://x.y.example.com:8443/a/b',
    'https://bücher.example/katalog',
    'https://example.com.',
  ])('accepts %s', (url) => {
    expect(urlProblem(url)).toBeUndefined();
  });

  it.each([
    ['http://127.0.0.1', 'must name the website, not an IP address'],
    ['http://10.0.0.1/admin', 'must name the website, not an IP address'],
    ['http://169.254.169.254/latest/meta-data', 'must name the website, not an IP address'],
    ['http://[::1]/', 'must name the website, not an IP address'],
    ['http://[fd00::1]:8080', 'must name the website, not an IP address'],
    ['http://0x7f000001', 'must name the website, not an IP address'],
    ['http://2130706433', 'must name the website, not an IP address'],
    ['http://017700000001', 'must name the website, not an IP address'],
    ['http://0177.0.0.1', 'must name the website, not an IP address'],
    ['http://127.1', 'must name the website, not an IP address'],
    ['http://8.8.8.8', 'must name the website, not an IP address'],
    [
      'http://localhost:3000',
      'must be a public website (localhost, private and internal names cannot be checked)',
    ],
    [
      'https://LOCALHOST.',
      'must be a public website (localhost, private and internal names cannot be checked)',
    ],
    [
      'https://api.localhost',
      'must be a public website (localhost, private and internal names cannot be checked)',
    ],
    [
      'https://printer.local',
      'must be a public website (localhost, private and internal names cannot be checked)',
    ],
    [
      'http://metadata.google.internal',
      'must be a public website (localhost, private and internal names cannot be checked)',
    ],
    [
      'https://nas.home.arpa',
      'must be a public website (localhost, private and internal names cannot be checked)',
    ],
    ['https://user:pass@example.com', 'must not include a user name or password'],
    ['https://user@example.com', 'must not include a user name or password'],
    ['https://a', 'must be a full website name with a dot, e.g. https://example.com'],
    [
      'https://intranet',
      'must be a public website (localhost, private and internal names cannot be checked)',
    ],
    ['https://exa_mple.com', 'must be a full website name with a dot, e.g. https://example.com'],
    ['https://example.com/\r\nX-Injected: 1', 'must not contain spaces, line breaks or control characters'],
    ['https://exa mple.com', 'must not contain spaces, line breaks or control characters'],
    ['https://example.com/\u0000', 'must not contain spaces, line breaks or control characters'],
    ['https://example.com\\@127.0.0.1', 'must not contain backslashes'],
    ['javascript:alert(1)', 'must be a full http(s) address, e.g. https://example.com'],
    ['ftp://files.example.com', 'must be a full http(s) address, e.g. https://example.com'],
    ['example.com', 'must be a full http(s) address, e.g. https://example.com'],
    ['https://ex\ud800ample.com', 'contains a broken character; please retype it'],
    [`https://example.com/${'a'.repeat(2048)}`, 'must be at most 2048 characters'],
  ])('rejects %s', (url, problem) => {
    expect(urlProblem(url)).toBe(problem);
  });

  it('as a field: spaces around a pasted link are trimmed, the message names the field, the limit is 2,048', () => {
    const link = websiteUrlField('Website link');
    expect(link.parse('  https://example.com  ')).toBe('https://example.com');
    expect(messages(link, 'http://127.0.0.1')).toEqual([
      'Website link must name the website, not an IP address',
    ]);
    const long = `https://example.com/${'a'.repeat(250_000)}`;
    expect(messages(link, long)).toEqual([`Website link must be at most ${TEXT_LIMITS.url} characters`]);
    expect(messages(link, 42)).toEqual([
      'Website link must be a full http(s) address, e.g. https://example.com',
    ]);
  });
});
