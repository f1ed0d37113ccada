/**
 * Properties of the SOP step 2 request schema over generated input (fast-check): every free-text field
 * follows the one text rule, every website link the one link rule, and any request made of ordinary
 * text and a public link is accepted. The replacement decision (SOP 11) uses the same link rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TEXT_LIMITS } from '#shared/core/text/text-rules.ts';
import { parseDecision } from '#shared/tasks/decisions/parse.ts';
import { parseResourceRequest } from '#shared/workflow/request-schema.ts';
import { VALID_REQUEST } from '../../support/request-body.ts';

const valid = { ...VALID_REQUEST, studentDataShared: true, studentDataElements: ['first name'] };

/** Every free-text field, its limit, and whether it is multi-line; list fields hold one-line items. */
const SINGLE_LINE = {
  requesterName: TEXT_LIMITS.personName,
  resourceName: TEXT_LIMITS.name,
  vendorName: TEXT_LIMITS.name,
  paymentResponsibility: TEXT_LIMITS.name,
  budgetCode: TEXT_LIMITS.code,
  principal: TEXT_LIMITS.personName,
} as const;
const MULTI_LINE = {
  studentUseVision: TEXT_LIMITS.longText,
  commonCoreAlignment: TEXT_LIMITS.shortText,
} as const;
const LISTS = ['gradeLevels', 'contentAreas', 'teksAddressed', 'studentDataElements'] as const;
type TextField = keyof typeof SINGLE_LINE | keyof typeof MULTI_LINE | (typeof LISTS)[number];
const TEXT_FIELDS = [...Object.keys(SINGLE_LINE), ...Object.keys(MULTI_LINE), ...LISTS] as TextField[];
const isMultiLine = (field: string) => field in MULTI_LINE;

/** The request with `value` in `field` (as the only item of a list field). */
function withText(field: TextField, value: string) {
  return { ...valid, [field]: (LISTS as readonly string[]).includes(field) ? [value] : value };
}

function errorFieldsOf(input: unknown): string[] {
  const result = parseResourceRequest(input);
  return result.ok ? [] : result.errors.map((e) => e.field);
}

// ---- generators ---------------------------------------------------------------------------------

/** Visible text from several scripts, emoji and punctuation, spaces only inside. */
const VISIBLE = [
  'a',
  'Z',
  'é',
  'ß',
  'ñ',
  'ø',
  '王',
  'ж',
  'ع',
  'हि',
  'ç',
  '😀',
  '👩🏽‍🏫',
  '1',
  '-',
  '.',
  '(',
  '/',
  '&',
  '#',
  "'",
];
const visibleChar = fc.constantFrom(...VISIBLE);
const visibleText = (max: number) =>
  fc
    .tuple(
      visibleChar,
      fc.array(fc.oneof(visibleChar, fc.constant(' ')), { maxLength: Math.min(max, 40) - 8 }),
    )
    .map(([first, rest]) => `${first}${rest.join('')}`.trimEnd());

const loneSurrogate = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdbff }), // a high surrogate with no low one after it
  fc.integer({ min: 0xdc00, max: 0xdfff }), // a low surrogate with no high one before it
);
/** `text` with `inserted` placed anywhere (start, middle or end). */
const insertInto = (text: fc.Arbitrary<string>, inserted: fc.Arbitrary<string>) =>
  fc.tuple(text, inserted, fc.nat()).map(([t, i, at]) => {
    const cut = at % (t.length + 1);
    return `${t.slice(0, cut)}${i}${t.slice(cut)}`;
  });
/** Letters only around the insert, so no surrogate pair can form with it. */
const plain = fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' ', 'x'), maxLength: 20 });

const C0 = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));

// ---- IP literals in every notation, and private names ---------------------------------------------

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet);
const toInt = ([a, b, c, d]: number[]) =>
  (((a ?? 0) << 24) >>> 0) + ((b ?? 0) << 16) + ((c ?? 0) << 8) + (d ?? 0);
const ipHost = fc.oneof(
  ipv4.map((o) => o.join('.')), // 127.0.0.1
  ipv4.map((o) => String(toInt(o))), // 2130706433
  ipv4.map((o) => `0x${toInt(o).toString(16)}`), // 0x7f000001
  ipv4.map((o) => o.map((n) => `0${n.toString(8)}`).join('.')), // 0177.0.0.01
  ipv4.map((o) => o.map((n) => `0x${n.toString(16)}`).join('.')), // 0x7f.0x0.0x0.0x1
  ipv4.map(([a, b, , d]) => `${a}.${b}.${d}`), // 127.0.1 (three parts)
  ipv4.map(([a, , , d]) => `${a}.${d}`), // 127.1 (two parts)
  fc.ipV6().map((v6) => `[${v6}]`), // [::1], [fd00::1]
);
const label = fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/);
const privateHost = fc.oneof(
  fc.constantFrom('localhost', 'LOCALHOST', 'localhost.', 'intranet'),
  fc
    .tuple(
      fc.array(label, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('localhost', 'local', 'internal', 'localdomain', 'lan', 'corp', 'home.arpa', 'onion'),
    )
    .map(([labels, suffix]) => `${labels.join('.')}.${suffix}`),
);
const scheme = fc.constantFrom('http', 'https', 'HTTPS');
const pathPart = fc.constantFrom('', '/', '/admin', '/latest/meta-data/', ':8080/', '?a=1');
const urlWithHost = (host: fc.Arbitrary<string>) =>
  fc.tuple(scheme, host, pathPart).map(([s, h, p]) => `${s}://${h}${p}`);

/** A public website: names with a dot and a letter top-level domain, no credentials, 2,048 at most. */
const PRIVATE_SUFFIX =
  /\.(localhost|local|internal|localdomain|lan|home|corp|intranet|arpa|onion|invalid)\.?$/i;
const publicUrl = fc
  .webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true })
  .filter((u) => u.length <= TEXT_LIMITS.url && !PRIVATE_SUFFIX.test(new URL(u).hostname));

// ---- properties ---------------------------------------------------------------------------------

describe('property: every free-text field follows the one text rule', () => {
  it.each(TEXT_FIELDS)('%s rejects any text holding a lone surrogate, on that field', (field) => {
    fc.assert(
      fc.property(
        insertInto(
          plain,
          loneSurrogate.map((c) => String.fromCharCode(c)),
        ),
        (text) => {
          expect(errorFieldsOf(withText(field, text))).toEqual([field]);
        },
      ),
    );
  });

  it.each(TEXT_FIELDS)(
    '%s rejects any text holding a C0 control character (newline and tab only where multi-line)',
    (field) => {
      const allowed = isMultiLine(field) ? ['\n', '\t', '\r'] : [];
      fc.assert(
        fc.property(
          insertInto(
            visibleText(40),
            C0.filter((c) => !allowed.includes(c)),
          ),
          (text) => {
            expect(errorFieldsOf(withText(field, text))).toEqual([field]);
          },
        ),
      );
    },
  );

  it.each(TEXT_FIELDS)('%s rejects text made only of spaces and invisible characters', (field) => {
    const invisible = fc.constantFrom(
      ' ',
      '\u00a0',
      '\u200b',
      '\u200c',
      '\u200d',
      '\u2060',
      '\ufeff',
      '\u00ad',
      '\u3000',
    );
    fc.assert(
      fc.property(fc.array(invisible, { maxLength: 10 }), (chars) => {
        expect(errorFieldsOf(withText(field, chars.join('')))).toEqual([field]);
      }),
    );
  });

  it.each(Object.entries({ ...SINGLE_LINE, ...MULTI_LINE }))(
    '%s has a limit of %i characters',
    (field, max) => {
      fc.assert(
        fc.property(fc.integer({ min: max + 1, max: max * 3 }), (length) => {
          expect(errorFieldsOf(withText(field as TextField, 'x'.repeat(length)))).toEqual([field]);
        }),
        { numRuns: 20 },
      );
    },
  );

  it('multi-line fields keep newlines and tabs', () => {
    fc.assert(
      fc.property(visibleText(40), visibleText(40), fc.constantFrom('\n', '\t', '\r\n'), (a, b, sep) => {
        const result = parseResourceRequest({ ...valid, studentUseVision: `${a}${sep}${b}` });
        expect(result.ok).toBe(true);
      }),
    );
  });
});

describe('property: website links must be public http(s) names', () => {
  it('any IP literal, in any notation, is rejected', () => {
    fc.assert(
      fc.property(urlWithHost(ipHost), (url) => {
        const result = parseResourceRequest({ ...valid, resourceUrl: url });
        expect(result).toEqual({
          ok: false,
          errors: [{ field: 'resourceUrl', message: expect.stringMatching(/^Website link /) }],
        });
      }),
    );
  });

  it('any localhost, private or internal name is rejected', () => {
    fc.assert(
      fc.property(urlWithHost(privateHost), (url) => {
        expect(errorFieldsOf({ ...valid, resourceUrl: url })).toEqual(['resourceUrl']);
      }),
    );
  });

  it('any link with a user name or password is rejected', () => {
    fc.assert(
      fc.property(label, fc.option(label), publicUrl, (user, password, url) => {
        const withCredentials = url.replace('://', `://${user}${password === null ? '' : `:${password}`}@`);
        expect(errorFieldsOf({ ...valid, resourceUrl: withCredentials })).toEqual(['resourceUrl']);
      }),
    );
  });

  it('the replacement decision (SOP 11) applies the same rule', () => {
    fc.assert(
      fc.property(fc.oneof(urlWithHost(ipHost), urlWithHost(privateHost)), (url) => {
        const result = parseDecision(
          'replacement',
          {
            decision: 'replacement-found',
            decidedBy: 'Dana',
            resourceName: 'New Atlas',
            resourceUrl: url,
            resourceKind: 'web-service',
            vendorName: 'Atlas Co',
            cost: '0',
            studentDataShared: 'no',
          },
          { decidedAt: '2026-11-28T10:00:00.000Z' },
        );
        expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['resourceUrl']);
      }),
    );
  });
});

describe('property: a valid generated request is accepted as given (text trimmed)', () => {
  const listOf = (max: number) =>
    fc.array(visibleText(TEXT_LIMITS.listItem), { minLength: 1, maxLength: max });
  const request = fc.record({
    requesterName: visibleText(TEXT_LIMITS.personName),
    requesterEmail: fc.constantFrom('ana@district.example', 'b.c@school.example.org'),
    requestType: fc.constantFrom('instructional', 'administrative'),
    resourceName: visibleText(TEXT_LIMITS.name),
    resourceUrl: publicUrl,
    resourceKind: fc.constantFrom('software', 'application', 'web-service'),
    vendorName: visibleText(TEXT_LIMITS.name),
    cost: fc.double({ min: 0, max: 10_000_000, noNaN: true }),
    paymentResponsibility: visibleText(TEXT_LIMITS.name),
    budgetCode: visibleText(TEXT_LIMITS.code),
    principal: visibleText(TEXT_LIMITS.personName),
    gradeLevels: listOf(5),
    contentAreas: listOf(5),
    mediaReleaseRequired: fc.boolean(),
    teksAddressed: listOf(5),
    studentUseVision: fc.array(visibleText(60), { minLength: 1, maxLength: 4 }).map((l) => l.join('\n')),
    commonCoreAlignment: visibleText(TEXT_LIMITS.shortText),
    studentLoginRequired: fc.boolean(),
    studentDataShared: fc.constant(true),
    studentDataElements: listOf(5),
  });

  it('accepts it, with the same values', () => {
    fc.assert(
      fc.property(request, (r) => {
        expect(parseResourceRequest(r)).toEqual({ ok: true, value: r });
      }),
    );
  });
});
