import { describe, expect, it } from 'vitest';
import { EXTRA_FIELDS } from '#shared/tasks/decisions/fields.ts';
import { DECISION_LABELS, NEGATIVE_DECISIONS } from '#shared/tasks/decisions/labels.ts';
import { type DecisionContext, parseDecision } from '#shared/tasks/decisions/parse.ts';
import type { ParsedDecision } from '#shared/workflow/decision-types.ts';
import { toWorkflowResource } from '#shared/workflow/request-schema.ts';
import { TASK_KINDS, type TaskKind } from '#shared/workflow/task-kinds.ts';

const AT = '2026-11-28T10:00:00.000Z';
const ctx: DecisionContext = { decidedAt: AT };

function valid(kind: TaskKind, input: Record<string, unknown>, context = ctx): ParsedDecision {
  const result = parseDecision(kind, input, context);
  if (!result.ok) throw new Error(`expected a valid decision, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

function errorsOf(kind: TaskKind, input: Record<string, unknown>, context = ctx): Record<string, string> {
  const result = parseDecision(kind, input, context);
  if (result.ok) throw new Error('expected field errors');
  return Object.fromEntries(result.errors.map((e) => [e.field, e.message]));
}

describe('every human step offers labelled outcomes and a form field per extra', () => {
  it.each(Object.keys(TASK_KINDS) as TaskKind[])('%s: each outcome has a human label', (kind) => {
    for (const outcome of TASK_KINDS[kind].outcomes) expect(DECISION_LABELS[outcome]).toMatch(/\w/);
  });

  it('the negative outcomes are exactly the ones that stop or divert a request', () => {
    expect([...NEGATIVE_DECISIONS].sort()).toEqual(
      ['deny', 'no-replacement', 'not-sound', 'refused', 'reroute', 'revoke', 'unacceptable'].sort(),
    );
  });

  it('the docs/design.md task table extras are the form fields', () => {
    const names = (kind: TaskKind) => EXTRA_FIELDS[kind].map((f) => f.name);
    expect(names('privacy-review')).toEqual([
      'studentDataRequired',
      'vendorContactEmail',
      'websites',
      'privacyPolicyUrl',
      'subprocessors',
      'question',
      'recipient',
    ]);
    expect(names('curriculum-review')).toEqual(['question', 'recipient']);
    expect(names('administrative-review')).toEqual(['question', 'recipient']);
    expect(names('technical-review')).toEqual(['question', 'recipient']);
    expect(names('ssl-remediation')).toEqual([]);
    expect(names('dpa-signature')).toEqual(['dpaExpiresOn']);
    expect(names('procurement')).toEqual(['poNumber', 'amount', 'quoteReference']);
    expect(names('license')).toEqual(['licenseReference', 'seats', 'expiresOn', 'licenseKey']);
    expect(names('replacement')).toEqual([
      'resourceName',
      'resourceUrl',
      'resourceKind',
      'vendorName',
      'cost',
      'studentDataShared',
    ]);
    expect(names('installation')).toEqual([]);
  });
});

describe('every decision names a valid outcome and a decider', () => {
  it('an outcome of another step is refused', () => {
    expect(errorsOf('technical-review', { decision: 'approve', decidedBy: 'Sam' })).toEqual({
      decision: 'Choose a decision (sound, not-sound or ask)',
    });
  });

  it('without SSO the decider must give a name', () => {
    expect(errorsOf('installation', { decision: 'installed' })).toEqual({
      decidedBy: 'Your name is required',
    });
  });

  it('a verified SSO identity is recorded instead of the typed name', () => {
    const { output } = valid(
      'installation',
      { decision: 'installed', decidedBy: 'Somebody Else' },
      { ...ctx, verifiedIdentity: 'tech@district.example' },
    );
    expect(output.decidedBy).toBe('tech@district.example');
  });

  it('the output is exactly decision, comment (always a string), decidedBy and decidedAt', () => {
    expect(
      valid('curriculum-review', { decision: 'approve', decidedBy: '  Sam Lee ', t: 'secret' }).output,
    ).toEqual({
      decision: 'approve',
      comment: '',
      decidedBy: 'Sam Lee',
      decidedAt: AT,
    });
  });

  it.each(['unacceptable', 'refused', 'deny', 'not-sound', 'no-replacement'])(
    'a negative outcome (%s) needs a comment saying why',
    (decision) => {
      const kind = (Object.keys(TASK_KINDS) as TaskKind[]).find((k) =>
        (TASK_KINDS[k].outcomes as readonly string[]).includes(decision),
      )!;
      expect(errorsOf(kind, { decision, decidedBy: 'Sam', comment: '   ' }).comment).toBe(
        'Explain this decision in the comment',
      );
    },
  );

  it('a comment longer than 2000 characters is refused', () => {
    expect(
      errorsOf('installation', { decision: 'installed', decidedBy: 'Sam', comment: 'x'.repeat(2001) }),
    ).toEqual({
      comment: 'The comment must be at most 2000 characters',
    });
  });
});

describe('SOP 4 privacy review: student data required, vendor contact', () => {
  it('form text "yes" becomes true and the email is normalised', () => {
    expect(
      valid('privacy-review', {
        decision: 'acceptable',
        decidedBy: 'Casey',
        studentDataRequired: 'yes',
        vendorContactEmail: ' Privacy@Vendor.Example ',
      }).output,
    ).toEqual({
      decision: 'acceptable',
      comment: '',
      decidedBy: 'Casey',
      decidedAt: AT,
      studentDataRequired: true,
      vendorContactEmail: 'privacy@vendor.example',
      websites: [],
    });
  });

  const privacy = (extra: Record<string, unknown>, defaultWebsites?: string) =>
    parseDecision(
      'privacy-review',
      {
        decision: 'acceptable',
        decidedBy: 'Casey',
        studentDataRequired: 'no',
        vendorContactEmail: 'p@v.example',
        ...extra,
      },
      { decidedAt: AT, ...(defaultWebsites ? { defaultWebsites } : {}) },
    );

  it('SOP 5 websites: one address per line (or a bare host), as distinct host names', () => {
    const parsed = privacy({
      websites:
        'https://App.Example.com/login\r\nauth.example.com\n\n  https://app.example.com/other  \napi.example.org',
    });
    expect(parsed.ok && parsed.value.output).toMatchObject({
      websites: ['app.example.com', 'auth.example.com', 'api.example.org'],
    });
  });

  it('SOP 5 websites: a form without the field keeps the request link; an emptied box means no website', () => {
    const absent = privacy({}, 'https://learn.example.com/start');
    const cleared = privacy({ websites: '  ' }, 'https://learn.example.com/start');
    expect(absent.ok && absent.value.output).toMatchObject({ websites: ['learn.example.com'] });
    expect(cleared.ok && cleared.value.output).toMatchObject({ websites: [] });
  });

  it.each([
    ['https://localhost/app', /line 1 .*public website/],
    ['app.example.com\n10.0.0.1', /line 2 .*IP address/],
    [Array.from({ length: 11 }, (_, i) => `h${i}.example.com`).join('\n'), /at most 10/],
  ])('SOP 5 websites: %j is refused with the line that is wrong', (websites, message) => {
    const parsed = privacy({ websites });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors).toEqual([
      { field: 'websites', message: expect.stringMatching(message) },
    ]);
  });

  it('the reviewed privacy policy addresses and the subprocessors are kept as lists', () => {
    const parsed = privacy({
      privacyPolicyUrl:
        'https://vendor.example.com/privacy\r\nvendor.example.com/terms\n\nhttps://vendor.example.com/privacy',
      subprocessors: ' Amazon Web Services \nZendesk\n\nZendesk',
    });
    expect(parsed.ok && parsed.value.output).toMatchObject({
      privacyPolicyUrls: ['https://vendor.example.com/privacy', 'https://vendor.example.com/terms'],
      subprocessors: ['Amazon Web Services', 'Zendesk'],
    });
    const json = privacy({ privacyPolicyUrl: ['https://vendor.example.com/privacy'] });
    expect(json.ok && json.value.output).toMatchObject({
      privacyPolicyUrls: ['https://vendor.example.com/privacy'],
    });
  });

  it.each([
    ['http://169.254.169.254/latest', /line 1 .*IP address/],
    ['https://vendor.example.com/p\nhttps://intranet.local/policy', /line 2 .*public website/],
    [Array.from({ length: 6 }, (_, i) => `https://v.example.com/p${i}`).join('\n'), /at most 5/],
  ])('a privacy policy address %j is refused with the line that is wrong', (privacyPolicyUrl, message) => {
    const parsed = privacy({ privacyPolicyUrl });
    expect(!parsed.ok && parsed.errors).toEqual([
      { field: 'privacyPolicyUrl', message: expect.stringMatching(message) },
    ]);
  });

  it('JSON booleans are accepted as they are', () => {
    const { output } = valid('privacy-review', {
      decision: 'acceptable',
      decidedBy: 'Casey',
      studentDataRequired: false,
      vendorContactEmail: 'p@v.example',
    });
    expect(output).toMatchObject({ studentDataRequired: false });
  });

  it('both extras are required, the email must be an email', () => {
    expect(errorsOf('privacy-review', { decision: 'acceptable', decidedBy: 'Casey' })).toEqual({
      studentDataRequired: 'Is student data required: choose yes or no',
      vendorContactEmail: "Vendor's privacy contact email is required",
    });
    expect(
      errorsOf('privacy-review', {
        decision: 'acceptable',
        decidedBy: 'Casey',
        studentDataRequired: 'maybe',
        vendorContactEmail: 'not-an-email',
      }),
    ).toEqual({
      studentDataRequired: 'Is student data required: choose yes or no',
      vendorContactEmail: "Vendor's privacy contact email must be a valid email address",
    });
  });
});

describe('SOP 4/6 DPA signature: the signed DPA expiry', () => {
  it('signed needs an expiry date in the future', () => {
    expect(errorsOf('dpa-signature', { decision: 'signed', decidedBy: 'Casey' })).toEqual({
      dpaExpiresOn: 'The DPA expiry date must be a date (YYYY-MM-DD)',
    });
    expect(
      errorsOf('dpa-signature', { decision: 'signed', decidedBy: 'Casey', dpaExpiresOn: '2026-11-28' }),
    ).toEqual({
      dpaExpiresOn: 'The DPA expiry date must be a date in the future',
    });
    expect(
      errorsOf('dpa-signature', { decision: 'signed', decidedBy: 'Casey', dpaExpiresOn: '2027-02-30' }),
    ).toEqual({
      dpaExpiresOn: 'The DPA expiry date must be a date (YYYY-MM-DD)',
    });
  });

  it('signed with a future expiry carries it to the state machine', () => {
    expect(
      valid('dpa-signature', { decision: 'signed', decidedBy: 'Casey', dpaExpiresOn: '2028-06-30' }).output,
    ).toEqual({
      decision: 'signed',
      comment: '',
      decidedBy: 'Casey',
      decidedAt: AT,
      dpaExpiresOn: '2028-06-30',
    });
  });

  it('refused ignores any expiry typed in the form', () => {
    const { output } = valid('dpa-signature', {
      decision: 'refused',
      decidedBy: 'Casey',
      comment: 'Vendor will not sign',
      dpaExpiresOn: 'whatever',
    });
    expect(output).toEqual({
      decision: 'refused',
      comment: 'Vendor will not sign',
      decidedBy: 'Casey',
      decidedAt: AT,
    });
  });
});

describe('SOP 13 procurement: PO number, amount, quote', () => {
  const po = {
    decision: 'po-issued',
    decidedBy: 'Alex',
    poNumber: 'PO-2026-0042',
    amount: '1,200.50',
    quoteReference: 'Q-7',
  };

  it('a complete PO is typed for the state machine', () => {
    expect(valid('procurement', po).output).toEqual({
      decision: 'po-issued',
      comment: '',
      decidedBy: 'Alex',
      decidedAt: AT,
      poNumber: 'PO-2026-0042',
      amount: 1200.5,
      quoteReference: 'Q-7',
    });
  });

  it('a missing PO number, a negative or non-numeric amount, a missing quote are refused', () => {
    expect(errorsOf('procurement', { ...po, poNumber: '', amount: -5, quoteReference: undefined })).toEqual({
      poNumber: 'Purchase order number is required',
      amount: 'PO amount cannot be negative',
      quoteReference: 'Vendor quote reference is required',
    });
    expect(errorsOf('procurement', { ...po, amount: 'twelve' })).toEqual({
      amount: 'PO amount must be a number of US dollars',
    });
  });
});

describe('SOP 14 licence: reference, seats, expiry; the key is kept apart', () => {
  const lic = {
    decision: 'license-stored',
    decidedBy: 'Alex',
    licenseReference: 'LIC-77',
    seats: '30',
    expiresOn: '2027-11-30',
    licenseKey: 'ABCD-EFGH-1234-9F3K',
  };

  it('the licence key is returned apart and never in the output', () => {
    const parsed = valid('license', lic);
    expect(parsed.output).toEqual({
      decision: 'license-stored',
      comment: '',
      decidedBy: 'Alex',
      decidedAt: AT,
      licenseReference: 'LIC-77',
      seats: 30,
      expiresOn: '2027-11-30',
    });
    expect(parsed.licenseKey).toBe('ABCD-EFGH-1234-9F3K');
    expect(JSON.stringify(parsed.output)).not.toContain('9F3K');
  });

  it('the key is optional', () => {
    expect(valid('license', { ...lic, licenseKey: '' }).licenseKey).toBeUndefined();
  });

  it('0 seats, fractional seats and a past expiry are refused', () => {
    expect(errorsOf('license', { ...lic, seats: '0', expiresOn: '2026-01-01' })).toEqual({
      seats: 'Number of seats must be at least 1',
      expiresOn: 'The licence expiry date must be a date in the future',
    });
    expect(errorsOf('license', { ...lic, seats: '2.5' })).toEqual({
      seats: 'Number of seats must be a whole number',
    });
    expect(errorsOf('license', { ...lic, licenseReference: '', expiresOn: '' })).toEqual({
      licenseReference: 'Licence reference is required',
      expiresOn: 'The licence expiry date must be a date (YYYY-MM-DD)',
    });
  });
});

describe('SOP 11 replacement: the replacement resource becomes the resource under review', () => {
  const found = {
    decision: 'replacement-found',
    decidedBy: 'Jo',
    resourceName: 'Math Rocket',
    resourceUrl: 'https://mathrocket.example',
    resourceKind: 'web-service',
    vendorName: 'Rocket Co',
    cost: '0',
    studentDataShared: 'no',
  };

  it('the output carries the new resource exactly as the state machine needs it', () => {
    const parsed = valid('replacement', found);
    const fields = {
      resourceName: 'Math Rocket',
      resourceUrl: 'https://mathrocket.example',
      resourceKind: 'web-service' as const,
      vendorName: 'Rocket Co',
      cost: 0,
      studentDataShared: false,
    };
    expect(parsed.replacement).toEqual(fields);
    expect(parsed.output).toEqual({
      decision: 'replacement-found',
      comment: '',
      decidedBy: 'Jo',
      decidedAt: AT,
      resource: toWorkflowResource(fields),
    });
  });

  it('a replacement without a name is refused', () => {
    expect(errorsOf('replacement', { ...found, resourceName: '' })).toEqual({
      resourceName: 'Name of resource is required',
    });
  });

  it('a replacement web service needs its website link, and student data must be answered', () => {
    expect(errorsOf('replacement', { ...found, resourceUrl: '' })).toEqual({
      resourceUrl: 'A web service needs its website link for the SSL test',
    });
    expect(errorsOf('replacement', { ...found, studentDataShared: '' })).toEqual({
      studentDataShared: 'Student data shared must be yes or no',
    });
  });

  it('no replacement needs only the reason', () => {
    expect(
      valid('replacement', { decision: 'no-replacement', decidedBy: 'Jo', comment: 'Nothing fits' }).output,
    ).toEqual({
      decision: 'no-replacement',
      comment: 'Nothing fits',
      decidedBy: 'Jo',
      decidedAt: AT,
    });
  });
});

describe('decisions follow the one text rule and the one link rule (shared/core/text/text-rules.ts)', () => {
  const found = {
    decision: 'replacement-found',
    decidedBy: 'Jo',
    resourceName: 'Math Rocket',
    resourceUrl: 'https://mathrocket.example',
    resourceKind: 'web-service',
    vendorName: 'Rocket Co',
    cost: '0',
    studentDataShared: 'no',
  };

  it('SOP 11: the replacement link is refused like the request link: too long, an IP, a private name, credentials', () => {
    const link = (resourceUrl: string) => errorsOf('replacement', { ...found, resourceUrl }).resourceUrl;
    expect(link(`https://mathrocket.example/${'a'.repeat(250_000)}`)).toBe(
      'Website link must be at most 2048 characters',
    );
    expect(link('http://169.254.169.254/latest/meta-data')).toBe(
      'Website link must name the website, not an IP address',
    );
    expect(link('http://0x7f000001')).toBe('Website link must name the website, not an IP address');
    expect(link('https://wiki.internal')).toMatch(/^Website link must be a public website/);
    expect(link('https://me:secret@mathrocket.example')).toBe(
      'Website link must not include a user name or password',
    );
  });

  it('SOP 11: the replacement name and vendor refuse broken and control characters', () => {
    expect(errorsOf('replacement', { ...found, resourceName: 'Math\ud800Rocket' }).resourceName).toMatch(
      /^Name of resource contains a broken character/,
    );
    expect(errorsOf('replacement', { ...found, vendorName: 'Rocket\u001bCo' }).vendorName).toMatch(
      /^Vendor must be one line of text/,
    );
  });

  it('the decider name and the references are one line; the comment may span lines but holds no other control character', () => {
    expect(errorsOf('technical-review', { decision: 'sound', decidedBy: 'Sam\u0000' }).decidedBy).toBe(
      'Your name must be one line of text without tabs or control characters',
    );
    expect(errorsOf('technical-review', { decision: 'sound', decidedBy: '\u200b\u200b' }).decidedBy).toBe(
      'Your name is required',
    );
    expect(
      valid('technical-review', { decision: 'sound', decidedBy: 'Sam', comment: 'Line 1\r\nLine 2' }).output
        .comment,
    ).toBe('Line 1\nLine 2');
    expect(
      errorsOf('technical-review', { decision: 'not-sound', decidedBy: 'Sam', comment: 'Fails\u0007' })
        .comment,
    ).toBe('The comment must not contain control characters (line breaks and tabs are fine)');
    expect(
      errorsOf('technical-review', { decision: 'not-sound', decidedBy: 'Sam', comment: '\u200b' }).comment,
    ).toBe('Explain this decision in the comment');
    expect(
      errorsOf('procurement', {
        decision: 'po-issued',
        decidedBy: 'Al',
        poNumber: 'PO\u001b1',
        amount: '5',
        quoteReference: 'Q',
      }).poNumber,
    ).toBe('Purchase order number must be one line of text without tabs or control characters');
  });
});
